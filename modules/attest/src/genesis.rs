//! Genesis of `attest`: its parameters.
//!
//! ```json
//! "attest": { "params": { "commit_window_blocks": 10, "reveal_window_blocks": 10,
//!             "max_rounds": 3, "slash_ppm": 100000, "jail_blocks": 100,
//!             "min_evaluator_bond": "1000000", "max_committee_size": 16,
//!             "max_queue_items_per_block": 64 } }
//! ```

use kaizen_framework::parse_amount;
use kaizen_proto::kaizen::attest::v1::Params;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestParams {
    pub commit_window_blocks: u64,
    pub reveal_window_blocks: u64,
    pub max_rounds: u32,
    pub slash_ppm: u32,
    pub jail_blocks: u64,
    pub min_evaluator_bond: String,
    pub max_committee_size: u32,
    pub max_queue_items_per_block: u32,
}

impl Default for AttestParams {
    fn default() -> Self {
        Self {
            commit_window_blocks: 10,
            reveal_window_blocks: 10,
            max_rounds: 3,
            slash_ppm: 100_000,
            jail_blocks: 100,
            min_evaluator_bond: "1000000".into(),
            max_committee_size: 16,
            max_queue_items_per_block: 64,
        }
    }
}

impl AttestParams {
    pub fn validate(&self) -> anyhow::Result<()> {
        parse_amount(&self.min_evaluator_bond)?;
        anyhow::ensure!(
            self.commit_window_blocks >= 1 && self.reveal_window_blocks >= 1,
            "attest.params commit and reveal windows must be at least 1 block"
        );
        anyhow::ensure!(
            (1..=10).contains(&self.max_rounds),
            "attest.params.max_rounds must be in 1..=10"
        );
        anyhow::ensure!(
            self.slash_ppm <= 1_000_000,
            "attest.params.slash_ppm must be at most 1000000"
        );
        anyhow::ensure!(
            (1..=64).contains(&self.max_committee_size),
            "attest.params.max_committee_size must be in 1..=64"
        );
        anyhow::ensure!(
            self.max_queue_items_per_block >= 1,
            "attest.params.max_queue_items_per_block must be positive"
        );
        Ok(())
    }

    pub fn to_proto(&self) -> Params {
        Params {
            commit_window_blocks: self.commit_window_blocks,
            reveal_window_blocks: self.reveal_window_blocks,
            max_rounds: self.max_rounds,
            slash_ppm: self.slash_ppm,
            jail_blocks: self.jail_blocks,
            min_evaluator_bond: self.min_evaluator_bond.clone(),
            max_committee_size: self.max_committee_size,
            max_queue_items_per_block: self.max_queue_items_per_block,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestGenesis {
    #[serde(default)]
    pub params: AttestParams,
}

impl AttestGenesis {
    pub fn validate(&self) -> anyhow::Result<()> {
        self.params.validate()
    }
}
