//! Epoch randomness: the seed of each epoch, from which DA quorums, storage challenges
//! and evaluator committees are drawn. `staking` owns it because it owns the epochs and
//! the registry of the operators who contribute to it; `da` and `attest` only read it.
//!
//! # Randomness and its bias
//! The seed of epoch `e + 1` is `SHA-256("kaizen-da-seed/v1", seed(e), e + 1, H(o_1), ...)`
//! over the VRF outputs `o_i` that DA operators sent during epoch `e`
//! (`kaizen.da.v1.MsgSubmitRandomness`), in address order. An output is the operator's BLS
//! signature over `(chain_id, e + 1, seed(e))`: BLS signatures are unique per key and
//! message, so an operator cannot grind its output, and nobody can predict an honest
//! operator's output before it is revealed. The one choice an operator has is to
//! withhold: the last operator to reveal sees the seed with and without its output and can
//! pick one of two seeds; `c` colluding operators pick among `2^c`. Only the epoch's
//! quorum members contribute, and a withheld output is visible on chain
//! ([`EpochSeed::contributors`]) and slashed by `da` at the next epoch's start
//! (`da.randomness_miss_slash_ppm` of the bond), so each of those choices costs a bond
//! share. The proposer cannot influence the seed except
//! by censoring contributions for a whole epoch, which CometBFT's rotating proposers make
//! costly. With no contributions the seed is still fresh per epoch but predictable;
//! quorums then rotate, but an adversary could foresee them.
//!
//! # Invariants
//! - Every epoch from 0 to the current one has an [`EpochSeed`] in state: epoch 0's is
//!   written at genesis, epoch `e`'s by `staking`'s begin-block at `e`'s first height,
//!   before any other module's hooks or transactions of that block read it.
//! - An operator's output for epoch `e` is stored at most once and deleted when epoch
//!   `e + 1`'s seed is drawn (the work is bounded by the operator registry's size).

use sha2::{Digest, Sha256};

pub use kaizen_proto::kaizen::staking::v1::EpochSeed;

/// The seed of epoch 0.
pub fn genesis_seed() -> Vec<u8> {
    Sha256::digest(b"kaizen-da-genesis-seed/v1").to_vec()
}

/// The seed of `epoch` from the previous seed and the VRF outputs sent for it.
pub fn next_seed(previous: &[u8], epoch: u64, outputs: &[Vec<u8>]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"kaizen-da-seed/v1");
    h.update(previous);
    h.update(epoch.to_be_bytes());
    for o in outputs {
        h.update(Sha256::digest(o));
    }
    h.finalize().to_vec()
}

#[cfg(feature = "component")]
pub use state::{RandomnessRead, RandomnessWrite};

#[cfg(feature = "component")]
mod state {
    use async_trait::async_trait;
    use cnidarium::{StateRead, StateWrite};
    use futures::StreamExt;
    use kaizen_framework::{Address, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite};

    use super::{genesis_seed, next_seed, EpochSeed};
    use crate::state_key;

    /// Reading the epoch randomness.
    #[async_trait]
    pub trait RandomnessRead: StateRead {
        /// The seed of `epoch` and how many outputs made it; `None` for an epoch not
        /// started yet.
        async fn epoch_seed(
            &self,
            gas: &GasMeter,
            epoch: u64,
        ) -> Result<Option<EpochSeed>, HandlerError> {
            self.get_proto_metered(gas, &state_key::epoch_seed(epoch))
                .await
        }

        /// The VRF output `operator` sent during `epoch`, if any.
        async fn randomness_output(
            &self,
            gas: &GasMeter,
            epoch: u64,
            operator: &Address,
        ) -> Result<Option<Vec<u8>>, HandlerError> {
            self.get_raw_metered(gas, &state_key::randomness_output(epoch, operator))
                .await
        }
    }

    impl<S: StateRead + ?Sized> RandomnessRead for S {}

    /// Writing the epoch randomness.
    #[async_trait]
    pub trait RandomnessWrite: StateWrite {
        /// Stores `operator`'s VRF output for the seed after `epoch`. The caller checked
        /// that it is the operator's first for `epoch` and that it verifies.
        fn put_randomness_output(
            &mut self,
            gas: &GasMeter,
            epoch: u64,
            operator: &Address,
            output: Vec<u8>,
        ) -> Result<(), HandlerError> {
            self.put_raw_metered(gas, state_key::randomness_output(epoch, operator), output)
        }

        /// Epoch 0's seed (at genesis).
        fn put_genesis_seed(&mut self) -> Result<EpochSeed, HandlerError> {
            let seed = EpochSeed {
                epoch: 0,
                seed: genesis_seed(),
                contributions: 0,
                contributors: Vec::new(),
            };
            self.put_proto_metered(&GasMeter::unlimited(), state_key::epoch_seed(0), &seed)?;
            Ok(seed)
        }

        /// Draws and stores the seed of `epoch` (at its first block) from the previous
        /// seed and the outputs sent during the previous epoch, which are deleted.
        async fn draw_epoch_seed(&mut self, epoch: u64) -> Result<EpochSeed, HandlerError> {
            let gas = GasMeter::unlimited();
            let previous_epoch = epoch.saturating_sub(1);
            let previous = match self.epoch_seed(&gas, previous_epoch).await? {
                Some(s) => s.seed,
                None => genesis_seed(),
            };
            let prefix = state_key::randomness_outputs_of(previous_epoch);
            let mut entries = Vec::new();
            {
                let mut stream = Box::pin(self.prefix_raw(&prefix));
                while let Some(item) = stream.next().await {
                    entries.push(item.map_err(HandlerError::internal)?);
                }
            }
            let mut outputs = Vec::with_capacity(entries.len());
            let mut contributors = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                if let Some(operator) = key.strip_prefix(&prefix) {
                    contributors.push(operator.to_string());
                }
                self.delete(key);
                outputs.push(value);
            }
            let seed = EpochSeed {
                epoch,
                seed: next_seed(&previous, epoch, &outputs),
                contributions: u32::try_from(outputs.len()).unwrap_or(u32::MAX),
                contributors,
            };
            self.put_proto_metered(&gas, state_key::epoch_seed(epoch), &seed)?;
            Ok(seed)
        }
    }

    impl<S: StateWrite + ?Sized> RandomnessWrite for S {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_output_changes_the_seed() {
        let base = next_seed(b"s", 2, &[]);
        assert_ne!(base, next_seed(b"s", 2, &[vec![1]]));
        assert_ne!(base, next_seed(b"s", 3, &[]));
        assert_ne!(
            next_seed(b"s", 2, &[vec![1], vec![2]]),
            next_seed(b"s", 2, &[vec![2], vec![1]])
        );
    }
}
