//! Genesis of `attest`: its parameters.
//!
//! ```json
//! "attest": { "params": { "commit_window_blocks": 10, "reveal_window_blocks": 10,
//!             "max_rounds": 3, "slash_ppm": 100000, "jail_blocks": 100,
//!             "min_evaluator_bond": "1000000", "max_committee_size": 16,
//!             "max_queue_items_per_block": 64, "min_committee_size": 2, "min_quorum": 2,
//!             "min_job_fee": "1000", "max_open_jobs_per_evaluator": 8,
//!             "block_work_budget": "20000000", "max_jobs_per_beacon": 320,
//!             "wasm_fuel": "100000000", "max_model_cost": "100000000000",
//!             "max_artifact_bytes": "536870912" } }
//! ```

use kaizen_framework::parse_amount;
pub use kaizen_proto::kaizen::attest::v1::{GenesisState, Params};

/// The parameters a genesis that sets none starts with.
pub fn default_params() -> Params {
    Params {
        commit_window_blocks: 10,
        reveal_window_blocks: 10,
        max_rounds: 3,
        slash_ppm: 100_000,
        jail_blocks: 100,
        min_evaluator_bond: "1000000".into(),
        max_committee_size: 16,
        max_queue_items_per_block: 64,
        min_committee_size: 2,
        min_quorum: 2,
        min_job_fee: "1000".into(),
        max_open_jobs_per_evaluator: 8,
        block_work_budget: 20_000_000,
        max_jobs_per_beacon: 320,
        // About a second of an interpreted metric on a slow machine: a metric that needs
        // more is refused by every evaluator alike (code 5), never timed out by some.
        wasm_fuel: 100_000_000,
        max_model_cost: 100_000_000_000,
        max_artifact_bytes: 512 << 20,
    }
}

pub fn validate_params(params: &Params) -> anyhow::Result<()> {
    parse_amount(&params.min_evaluator_bond)?;
    anyhow::ensure!(
        params.commit_window_blocks >= 1 && params.reveal_window_blocks >= 1,
        "attest.params commit and reveal windows must be at least 1 block"
    );
    anyhow::ensure!(
        (1..=10).contains(&params.max_rounds),
        "attest.params.max_rounds must be in 1..=10"
    );
    anyhow::ensure!(
        params.slash_ppm <= 1_000_000,
        "attest.params.slash_ppm must be at most 1000000"
    );
    anyhow::ensure!(
        (1..=64).contains(&params.max_committee_size),
        "attest.params.max_committee_size must be in 1..=64"
    );
    anyhow::ensure!(
        (1..=params.max_committee_size).contains(&params.min_committee_size),
        "attest.params.min_committee_size must be in 1..=max_committee_size"
    );
    anyhow::ensure!(
        (1..=params.min_committee_size).contains(&params.min_quorum),
        "attest.params.min_quorum must be in 1..=min_committee_size"
    );
    parse_amount(&params.min_job_fee)?;
    anyhow::ensure!(
        params.max_open_jobs_per_evaluator >= 1,
        "attest.params.max_open_jobs_per_evaluator must be positive"
    );
    anyhow::ensure!(
        params.block_work_budget >= 1,
        "attest.params.block_work_budget must be positive"
    );
    anyhow::ensure!(
        params.max_jobs_per_beacon >= 1,
        "attest.params.max_jobs_per_beacon must be positive"
    );
    anyhow::ensure!(
        params.max_queue_items_per_block >= 1,
        "attest.params.max_queue_items_per_block must be positive"
    );
    anyhow::ensure!(
        params.wasm_fuel >= 1 && params.max_model_cost >= 1,
        "attest.params.wasm_fuel and max_model_cost must be positive"
    );
    anyhow::ensure!(
        (1..=1 << 30).contains(&params.max_artifact_bytes),
        "attest.params.max_artifact_bytes must be in 1..=1073741824 (DA's largest blob)"
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
