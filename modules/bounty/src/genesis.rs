//! Genesis of `bounty`: its parameters.
//!
//! ```json
//! "bounty": { "params": { "max_submissions_per_bounty": 64, "reveal_window_blocks": 20,
//!             "max_deadline_blocks": 1000000, "max_title_bytes": 128,
//!             "max_queue_items_per_block": 64, "min_reward": "1000000",
//!             "block_work_budget": "20000000" } }
//! ```

pub use kaizen_proto::kaizen::bounty::v1::{GenesisState, Params};

/// The parameters a genesis that sets none starts with.
pub fn default_params() -> Params {
    Params {
        max_submissions_per_bounty: 64,
        reveal_window_blocks: 20,
        max_deadline_blocks: 1_000_000,
        max_title_bytes: 128,
        max_queue_items_per_block: 64,
        min_reward: "1000000".into(),
        block_work_budget: 20_000_000,
    }
}

pub fn validate_params(params: &Params) -> anyhow::Result<()> {
    kaizen_framework::parse_amount(&params.min_reward)?;
    anyhow::ensure!(
        (1..=256).contains(&params.max_submissions_per_bounty),
        "bounty.params.max_submissions_per_bounty must be in 1..=256 (one end-block item reads every live one)"
    );
    anyhow::ensure!(
        params.reveal_window_blocks >= 1,
        "bounty.params.reveal_window_blocks must be positive"
    );
    anyhow::ensure!(
        params.max_deadline_blocks >= 1,
        "bounty.params.max_deadline_blocks must be positive"
    );
    anyhow::ensure!(
        (1..=1024).contains(&params.max_title_bytes),
        "bounty.params.max_title_bytes must be in 1..=1024"
    );
    anyhow::ensure!(
        params.max_queue_items_per_block >= 1,
        "bounty.params.max_queue_items_per_block must be positive"
    );
    anyhow::ensure!(
        params.block_work_budget >= 1,
        "bounty.params.block_work_budget must be positive"
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
