//! The `da` module's state accessors.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use futures::StreamExt;
use kaizen_framework::{
    Address, Counter, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite,
};
use kaizen_proto::kaizen::da::v1::{Blob, Challenge, Params, Quorum};
use kaizen_staking::StakingRead;

use crate::state_key;

/// Storage challenge ids; the first challenge is 0.
const CHALLENGE_IDS: Counter = Counter::new(state_key::next_challenge_id(), 0);

fn u64_of(bytes: Option<Vec<u8>>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map_or(0, u64::from_be_bytes)
}

#[async_trait]
pub trait DaRead: StateRead {
    async fn da_params(&self, gas: &GasMeter) -> Result<Params, HandlerError> {
        self.get_proto_metered(gas, state_key::params())
            .await?
            .ok_or_else(|| HandlerError::internal("da params are missing"))
    }

    async fn blob(&self, gas: &GasMeter, commitment: &[u8]) -> Result<Option<Blob>, HandlerError> {
        self.get_proto_metered(gas, &state_key::blob(commitment))
            .await
    }

    async fn quorum(&self, gas: &GasMeter, epoch: u64) -> Result<Option<Quorum>, HandlerError> {
        self.get_proto_metered(gas, &state_key::quorum(epoch)).await
    }

    /// The epoch of a block at `height` (the staking module's epochs).
    async fn current_epoch(&self, gas: &GasMeter, height: u64) -> Result<u64, HandlerError> {
        self.epoch_at(gas, height).await
    }

    async fn live_count(&self, gas: &GasMeter) -> Result<u64, HandlerError> {
        Ok(u64_of(
            self.get_raw_metered(gas, state_key::live_count()).await?,
        ))
    }

    async fn live_at(&self, gas: &GasMeter, index: u64) -> Result<Option<Vec<u8>>, HandlerError> {
        self.get_raw_metered(gas, &state_key::live(index)).await
    }

    async fn challenge(&self, gas: &GasMeter, id: u64) -> Result<Option<Challenge>, HandlerError> {
        self.get_proto_metered(gas, &state_key::challenge(id)).await
    }

    /// Open challenges of `operator`, oldest first, at most `limit`. Unmetered: queries.
    async fn open_challenges(
        &self,
        operator: &Address,
        limit: usize,
    ) -> Result<Vec<Challenge>, HandlerError> {
        let prefix = state_key::open_challenges_of(operator);
        let mut ids = Vec::new();
        {
            let mut stream = Box::pin(self.prefix_keys(&prefix));
            while let Some(key) = stream.next().await {
                let key = key.map_err(HandlerError::internal)?;
                if let Some((_, id)) = state_key::parse_open_challenge(&key) {
                    ids.push(id);
                }
                if ids.len() >= limit {
                    break;
                }
            }
        }
        let gas = GasMeter::unlimited();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.challenge(&gas, id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }
}

impl<S: StateRead + ?Sized> DaRead for S {}

#[async_trait]
pub trait DaWrite: StateWrite {
    fn put_blob(&mut self, gas: &GasMeter, blob: &Blob) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::blob(&blob.commitment), blob)
    }

    fn put_challenge(&mut self, gas: &GasMeter, c: &Challenge) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::challenge(c.id), c)
    }

    /// Adds a certified blob to the live list (once).
    async fn live_insert(&mut self, gas: &GasMeter, commitment: &[u8]) -> Result<(), HandlerError> {
        let pos_key = state_key::live_position(commitment);
        if self.get_raw_metered(gas, &pos_key).await?.is_some() {
            return Ok(());
        }
        let count = self.live_count(gas).await?;
        self.put_raw_metered(gas, state_key::live(count), commitment.to_vec())?;
        self.put_raw_metered(gas, pos_key, count.to_be_bytes().to_vec())?;
        self.put_raw_metered(
            gas,
            state_key::live_count().into(),
            count.saturating_add(1).to_be_bytes().to_vec(),
        )
    }

    /// Removes a blob from the live list by moving the last entry into its slot.
    async fn live_remove(&mut self, gas: &GasMeter, commitment: &[u8]) -> Result<(), HandlerError> {
        let pos_key = state_key::live_position(commitment);
        let Some(pos) = self.get_raw_metered(gas, &pos_key).await? else {
            return Ok(());
        };
        let pos = u64_of(Some(pos));
        let count = self.live_count(gas).await?;
        let last = count.saturating_sub(1);
        if pos != last {
            if let Some(moved) = self.live_at(gas, last).await? {
                self.put_raw_metered(gas, state_key::live(pos), moved.clone())?;
                self.put_raw_metered(
                    gas,
                    state_key::live_position(&moved),
                    pos.to_be_bytes().to_vec(),
                )?;
            }
        }
        self.delete_metered(gas, state_key::live(last))?;
        self.delete_metered(gas, pos_key)?;
        self.put_raw_metered(
            gas,
            state_key::live_count().into(),
            last.to_be_bytes().to_vec(),
        )
    }

    /// The next storage challenge id.
    async fn take_challenge_id(&mut self, gas: &GasMeter) -> Result<u64, HandlerError> {
        Ok(CHALLENGE_IDS.take(self, gas).await?)
    }
}

impl<S: StateWrite + ?Sized> DaWrite for S {}
