//! Genesis of `da`: its parameters.
//!
//! ```json
//! "da": { "params": { "base_fee": "1000", "byte_block_fee_micro": "1", ... } }
//! ```

use kaizen_framework::parse_amount;
pub use kaizen_proto::kaizen::da::v1::{GenesisState, Params};

/// The parameters a genesis that sets none starts with.
pub fn default_params() -> Params {
    Params {
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
        randomness_miss_slash_ppm: 10_000,
    }
}

pub fn validate_params(params: &Params) -> anyhow::Result<()> {
    parse_amount(&params.base_fee)?;
    parse_amount(&params.byte_block_fee_micro)?;
    parse_amount(&params.challenge_reward)?;
    anyhow::ensure!(
        (1..=kaizen_da_core::blob::MAX_BLOB_BYTES).contains(&params.max_blob_bytes),
        "da.params.max_blob_bytes must be in 1..={}",
        kaizen_da_core::blob::MAX_BLOB_BYTES
    );
    anyhow::ensure!(
        (2..=kaizen_da_core::codec::MAX_TOTAL_SHARDS as u32).contains(&params.max_shards),
        "da.params.max_shards must be in 2..=65536"
    );
    anyhow::ensure!(
        params.min_retention_blocks >= 1
            && params.min_retention_blocks <= params.max_retention_blocks,
        "da.params retention bounds are inverted or zero"
    );
    anyhow::ensure!(
        params.certify_window_blocks >= 1,
        "da.params.certify_window_blocks must be positive (a blob is certified after it is paid)"
    );
    anyhow::ensure!(
        (1..=1_000_000).contains(&params.certify_bond_ppm),
        "da.params.certify_bond_ppm must be in 1..=1000000"
    );
    anyhow::ensure!(
        (1..=1024).contains(&params.max_quorum_size),
        "da.params.max_quorum_size must be in 1..=1024"
    );
    anyhow::ensure!(
        params.challenges_per_epoch <= 64,
        "da.params.challenges_per_epoch is at most 64"
    );
    anyhow::ensure!(
        params.challenge_window_blocks >= 1,
        "da.params.challenge_window_blocks must be positive"
    );
    anyhow::ensure!(
        params.max_queue_items_per_block >= 1,
        "da.params.max_queue_items_per_block must be positive"
    );
    anyhow::ensure!(
        params.randomness_miss_slash_ppm <= 1_000_000,
        "da.params.randomness_miss_slash_ppm must be at most 1000000"
    );
    Ok(())
}

/// The parameters `genesis` sets, or the defaults where it sets none.
pub fn params(genesis: &GenesisState) -> Params {
    genesis.params.clone().unwrap_or_else(default_params)
}

pub fn validate(genesis: &GenesisState) -> anyhow::Result<()> {
    validate_params(&params(genesis))
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
        let p = default_params();
        assert_eq!(blob_fee(&p, 1, 1), Some(1001));
        assert_eq!(blob_fee(&p, 1_000_000, 100), Some(1100));
        let huge = Params {
            byte_block_fee_micro: u128::MAX.to_string(),
            ..p
        };
        assert_eq!(blob_fee(&huge, 2, 1), None);
    }
}
