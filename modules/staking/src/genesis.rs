//! Genesis of `staking`: parameters and the DA operators registered from the start
//! (each with its proof of possession, checked like a registration transaction).
//!
//! ```json
//! "staking": { "params": { "min_da_bond": "1000000", "epoch_blocks": "20",
//!              "max_consecutive_misses": 3, "jail_blocks": "100", "max_da_operators": 256,
//!              "min_evaluator_bond": "1000000", "max_evaluators": 256 },
//!              "da_operators": [ { "address": "kaizen1...", "bls_public_key": "<base64>",
//!                "proof_of_possession": "<base64>", "endpoint": "http://127.0.0.1:7100",
//!                "bond": "1000000" } ],
//!              "evaluators": [ { "address": "kaizen1...", "bond": "1000000" } ] }
//! ```

use kaizen_framework::parse_amount;
pub use kaizen_proto::kaizen::staking::v1::{
    GenesisDaOperator, GenesisEvaluator, GenesisState, Params,
};

/// The parameters a genesis that sets none starts with.
pub fn default_params() -> Params {
    Params {
        min_da_bond: "1000000".into(),
        epoch_blocks: 20,
        max_consecutive_misses: 3,
        jail_blocks: 100,
        max_da_operators: 256,
        min_evaluator_bond: "1000000".into(),
        max_evaluators: 256,
    }
}

pub fn validate_params(params: &Params) -> anyhow::Result<()> {
    // Quorums are drawn by bond: a bond of 0 could never be drawn.
    anyhow::ensure!(
        parse_amount(&params.min_da_bond)? >= 1,
        "staking.params.min_da_bond must be at least 1"
    );
    anyhow::ensure!(
        params.epoch_blocks >= 2,
        "staking.params.epoch_blocks must be at least 2"
    );
    anyhow::ensure!(
        params.max_consecutive_misses >= 1,
        "staking.params.max_consecutive_misses must be positive"
    );
    anyhow::ensure!(
        (1..=4096).contains(&params.max_da_operators),
        "staking.params.max_da_operators must be in 1..=4096"
    );
    parse_amount(&params.min_evaluator_bond)?;
    anyhow::ensure!(
        (1..=4096).contains(&params.max_evaluators),
        "staking.params.max_evaluators must be in 1..=4096"
    );
    Ok(())
}

/// The parameters `genesis` sets, or the defaults where it sets none.
pub fn params(genesis: &GenesisState) -> Params {
    genesis.params.clone().unwrap_or_else(default_params)
}

pub fn validate(genesis: &GenesisState) -> anyhow::Result<()> {
    let params = params(genesis);
    validate_params(&params)?;
    anyhow::ensure!(
        genesis.da_operators.len() <= params.max_da_operators as usize,
        "more genesis DA operators than staking.params.max_da_operators"
    );
    anyhow::ensure!(
        genesis.evaluators.len() <= params.max_evaluators as usize,
        "more genesis evaluators than staking.params.max_evaluators"
    );
    Ok(())
}
