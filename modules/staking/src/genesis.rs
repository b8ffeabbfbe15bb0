//! Genesis of `staking`: parameters and the DA operators registered from the start
//! (each with its proof of possession, checked like a registration transaction).
//!
//! ```json
//! "staking": { "params": { "min_da_bond": "1000000", "epoch_blocks": 20,
//!              "max_consecutive_misses": 3, "jail_blocks": 100, "max_da_operators": 256,
//!              "min_evaluator_bond": "1000000", "max_evaluators": 256 },
//!              "da_operators": [ { "address": "kaizen1...", "bls_public_key": "<hex>",
//!                "proof_of_possession": "<hex>", "endpoint": "http://127.0.0.1:7100",
//!                "bond": "1000000" } ],
//!              "evaluators": [ { "address": "kaizen1...", "bond": "1000000" } ] }
//! ```

use kaizen_framework::parse_amount;
use kaizen_proto::kaizen::staking::v1::Params;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingParams {
    pub min_da_bond: String,
    pub epoch_blocks: u64,
    pub max_consecutive_misses: u32,
    pub jail_blocks: u64,
    pub max_da_operators: u32,
    #[serde(default = "default_min_evaluator_bond")]
    pub min_evaluator_bond: String,
    #[serde(default = "default_max_evaluators")]
    pub max_evaluators: u32,
}

fn default_min_evaluator_bond() -> String {
    "1000000".into()
}

fn default_max_evaluators() -> u32 {
    256
}

impl Default for StakingParams {
    fn default() -> Self {
        Self {
            min_da_bond: "1000000".into(),
            epoch_blocks: 20,
            max_consecutive_misses: 3,
            jail_blocks: 100,
            max_da_operators: 256,
            min_evaluator_bond: default_min_evaluator_bond(),
            max_evaluators: default_max_evaluators(),
        }
    }
}

impl StakingParams {
    pub fn validate(&self) -> anyhow::Result<()> {
        parse_amount(&self.min_da_bond)?;
        anyhow::ensure!(
            self.epoch_blocks >= 2,
            "staking.params.epoch_blocks must be at least 2"
        );
        anyhow::ensure!(
            self.max_consecutive_misses >= 1,
            "staking.params.max_consecutive_misses must be positive"
        );
        anyhow::ensure!(
            (1..=4096).contains(&self.max_da_operators),
            "staking.params.max_da_operators must be in 1..=4096"
        );
        parse_amount(&self.min_evaluator_bond)?;
        anyhow::ensure!(
            (1..=4096).contains(&self.max_evaluators),
            "staking.params.max_evaluators must be in 1..=4096"
        );
        Ok(())
    }

    pub fn to_proto(&self) -> Params {
        Params {
            min_da_bond: self.min_da_bond.clone(),
            epoch_blocks: self.epoch_blocks,
            max_consecutive_misses: self.max_consecutive_misses,
            jail_blocks: self.jail_blocks,
            max_da_operators: self.max_da_operators,
            min_evaluator_bond: self.min_evaluator_bond.clone(),
            max_evaluators: self.max_evaluators,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisDaOperator {
    pub address: String,
    pub bls_public_key: String,
    pub proof_of_possession: String,
    pub endpoint: String,
    pub bond: String,
}

/// An evaluator registered from the start (bond moved from its genesis balance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisEvaluator {
    pub address: String,
    pub bond: String,
    #[serde(default)]
    pub endpoint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingGenesis {
    #[serde(default)]
    pub params: StakingParams,
    #[serde(default)]
    pub da_operators: Vec<GenesisDaOperator>,
    #[serde(default)]
    pub evaluators: Vec<GenesisEvaluator>,
}

impl StakingGenesis {
    pub fn validate(&self) -> anyhow::Result<()> {
        self.params.validate()?;
        anyhow::ensure!(
            self.da_operators.len() <= self.params.max_da_operators as usize,
            "more genesis DA operators than staking.params.max_da_operators"
        );
        anyhow::ensure!(
            self.evaluators.len() <= self.params.max_evaluators as usize,
            "more genesis evaluators than staking.params.max_evaluators"
        );
        Ok(())
    }
}
