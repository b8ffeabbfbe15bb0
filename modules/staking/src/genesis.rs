//! Genesis of `staking`: parameters and the DA operators registered from the start
//! (each with its proof of possession, checked like a registration transaction).
//!
//! ```json
//! "staking": { "params": { "min_da_bond": "1000000", "epoch_blocks": 20,
//!              "max_consecutive_misses": 3, "jail_blocks": 100, "max_da_operators": 256 },
//!              "da_operators": [ { "address": "kaizen1...", "bls_public_key": "<hex>",
//!                "proof_of_possession": "<hex>", "endpoint": "http://127.0.0.1:7100",
//!                "bond": "1000000" } ] }
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
}

impl Default for StakingParams {
    fn default() -> Self {
        Self {
            min_da_bond: "1000000".into(),
            epoch_blocks: 20,
            max_consecutive_misses: 3,
            jail_blocks: 100,
            max_da_operators: 256,
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
        Ok(())
    }

    pub fn to_proto(&self) -> Params {
        Params {
            min_da_bond: self.min_da_bond.clone(),
            epoch_blocks: self.epoch_blocks,
            max_consecutive_misses: self.max_consecutive_misses,
            jail_blocks: self.jail_blocks,
            max_da_operators: self.max_da_operators,
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingGenesis {
    #[serde(default)]
    pub params: StakingParams,
    #[serde(default)]
    pub da_operators: Vec<GenesisDaOperator>,
}

impl StakingGenesis {
    pub fn validate(&self) -> anyhow::Result<()> {
        self.params.validate()?;
        anyhow::ensure!(
            self.da_operators.len() <= self.params.max_da_operators as usize,
            "more genesis DA operators than staking.params.max_da_operators"
        );
        Ok(())
    }
}
