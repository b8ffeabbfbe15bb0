//! Genesis of `da`: its parameters.
//!
//! ```json
//! "da": { "params": { "base_fee": "1000", "byte_block_fee_micro": "1", ... } }
//! ```

use kaizen_framework::parse_amount;
use kaizen_proto::kaizen::da::v1::Params;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaParams {
    pub base_fee: String,
    pub byte_block_fee_micro: String,
    pub max_blob_bytes: u64,
    pub max_shards: u32,
    pub min_retention_blocks: u64,
    pub max_retention_blocks: u64,
    pub certify_window_blocks: u64,
    pub certify_bond_ppm: u32,
    pub max_quorum_size: u32,
    pub challenges_per_epoch: u32,
    pub challenge_window_blocks: u64,
    pub challenge_reward: String,
    pub max_queue_items_per_block: u32,
}

impl Default for DaParams {
    fn default() -> Self {
        Self {
            base_fee: "1000".into(),
            byte_block_fee_micro: "1".into(),
            max_blob_bytes: kaizen_da_core::blob::MAX_BLOB_BYTES,
            max_shards: 32768,
            min_retention_blocks: 10,
            max_retention_blocks: 10_000_000,
            certify_window_blocks: 600,
            certify_bond_ppm: 666_667,
            max_quorum_size: 128,
            challenges_per_epoch: 4,
            challenge_window_blocks: 15,
            challenge_reward: "1000".into(),
            max_queue_items_per_block: 256,
        }
    }
}

impl DaParams {
    pub fn validate(&self) -> anyhow::Result<()> {
        parse_amount(&self.base_fee)?;
        parse_amount(&self.byte_block_fee_micro)?;
        parse_amount(&self.challenge_reward)?;
        anyhow::ensure!(
            (1..=kaizen_da_core::blob::MAX_BLOB_BYTES).contains(&self.max_blob_bytes),
            "da.params.max_blob_bytes must be in 1..={}",
            kaizen_da_core::blob::MAX_BLOB_BYTES
        );
        anyhow::ensure!(
            (2..=kaizen_da_core::codec::MAX_TOTAL_SHARDS as u32).contains(&self.max_shards),
            "da.params.max_shards must be in 2..=65536"
        );
        anyhow::ensure!(
            self.min_retention_blocks >= 1
                && self.min_retention_blocks <= self.max_retention_blocks,
            "da.params retention bounds are inverted or zero"
        );
        anyhow::ensure!(
            (1..=1_000_000).contains(&self.certify_bond_ppm),
            "da.params.certify_bond_ppm must be in 1..=1000000"
        );
        anyhow::ensure!(
            (1..=1024).contains(&self.max_quorum_size),
            "da.params.max_quorum_size must be in 1..=1024"
        );
        anyhow::ensure!(
            self.challenges_per_epoch <= 64,
            "da.params.challenges_per_epoch is at most 64"
        );
        anyhow::ensure!(
            self.challenge_window_blocks >= 1,
            "da.params.challenge_window_blocks must be positive"
        );
        anyhow::ensure!(
            self.max_queue_items_per_block >= 1,
            "da.params.max_queue_items_per_block must be positive"
        );
        Ok(())
    }

    pub fn to_proto(&self) -> Params {
        Params {
            base_fee: self.base_fee.clone(),
            byte_block_fee_micro: self.byte_block_fee_micro.clone(),
            max_blob_bytes: self.max_blob_bytes,
            max_shards: self.max_shards,
            min_retention_blocks: self.min_retention_blocks,
            max_retention_blocks: self.max_retention_blocks,
            certify_window_blocks: self.certify_window_blocks,
            certify_bond_ppm: self.certify_bond_ppm,
            max_quorum_size: self.max_quorum_size,
            challenges_per_epoch: self.challenges_per_epoch,
            challenge_window_blocks: self.challenge_window_blocks,
            challenge_reward: self.challenge_reward.clone(),
            max_queue_items_per_block: self.max_queue_items_per_block,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaGenesis {
    #[serde(default)]
    pub params: DaParams,
}

impl DaGenesis {
    pub fn validate(&self) -> anyhow::Result<()> {
        self.params.validate()
    }
}

/// The fee for a blob: `base + ceil(size * retention * byte_block_fee_micro / 10^6)`.
pub fn blob_fee(params: &Params, size: u64, retention_blocks: u64) -> Option<u128> {
    let base = parse_amount(&params.base_fee).ok()?;
    let micro = parse_amount(&params.byte_block_fee_micro).ok()?;
    let variable = u128::from(size)
        .checked_mul(u128::from(retention_blocks))?
        .checked_mul(micro)?
        .div_ceil(1_000_000);
    base.checked_add(variable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_fee_rounds_up_and_detects_overflow() {
        let p = DaParams::default().to_proto();
        assert_eq!(blob_fee(&p, 1, 1), Some(1001));
        assert_eq!(blob_fee(&p, 1_000_000, 100), Some(1100));
        let huge = Params {
            byte_block_fee_micro: u128::MAX.to_string(),
            ..p
        };
        assert_eq!(blob_fee(&huge, 2, 1), None);
    }
}
