//! Genesis of `bounty`: its parameters.
//!
//! ```json
//! "bounty": { "params": { "max_submissions_per_bounty": 64, "reveal_window_blocks": 20,
//!             "max_deadline_blocks": 1000000, "max_title_bytes": 128,
//!             "max_queue_items_per_block": 64 } }
//! ```

use kaizen_proto::kaizen::bounty::v1::Params;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BountyParams {
    pub max_submissions_per_bounty: u32,
    pub reveal_window_blocks: u64,
    pub max_deadline_blocks: u64,
    pub max_title_bytes: u32,
    pub max_queue_items_per_block: u32,
}

impl Default for BountyParams {
    fn default() -> Self {
        Self {
            max_submissions_per_bounty: 64,
            reveal_window_blocks: 20,
            max_deadline_blocks: 1_000_000,
            max_title_bytes: 128,
            max_queue_items_per_block: 64,
        }
    }
}

impl BountyParams {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=1024).contains(&self.max_submissions_per_bounty),
            "bounty.params.max_submissions_per_bounty must be in 1..=1024 (settlement scans them)"
        );
        anyhow::ensure!(
            self.reveal_window_blocks >= 1,
            "bounty.params.reveal_window_blocks must be positive"
        );
        anyhow::ensure!(
            self.max_deadline_blocks >= 1,
            "bounty.params.max_deadline_blocks must be positive"
        );
        anyhow::ensure!(
            (1..=1024).contains(&self.max_title_bytes),
            "bounty.params.max_title_bytes must be in 1..=1024"
        );
        anyhow::ensure!(
            self.max_queue_items_per_block >= 1,
            "bounty.params.max_queue_items_per_block must be positive"
        );
        Ok(())
    }

    pub fn to_proto(&self) -> Params {
        Params {
            max_submissions_per_bounty: self.max_submissions_per_bounty,
            reveal_window_blocks: self.reveal_window_blocks,
            max_deadline_blocks: self.max_deadline_blocks,
            max_title_bytes: self.max_title_bytes,
            max_queue_items_per_block: self.max_queue_items_per_block,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BountyGenesis {
    #[serde(default)]
    pub params: BountyParams,
}

impl BountyGenesis {
    pub fn validate(&self) -> anyhow::Result<()> {
        self.params.validate()
    }
}
