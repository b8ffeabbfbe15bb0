//! Genesis of the `auth` module: its parameters. Accounts themselves come into being
//! when they first hold funds (genesis balances or a transfer).

use serde::{Deserialize, Serialize};

/// Limits every transaction is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthParams {
    /// Longest memo, in bytes.
    pub max_memo_bytes: u64,
    /// Most signers one transaction may have.
    pub max_signatures: u64,
}

impl Default for AuthParams {
    fn default() -> Self {
        Self {
            max_memo_bytes: 256,
            max_signatures: 7,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthGenesis {
    #[serde(default)]
    pub params: AuthParams,
}

impl AuthGenesis {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.params.max_signatures >= 1,
            "auth.params.max_signatures must be at least 1"
        );
        anyhow::ensure!(
            self.params.max_memo_bytes <= 1 << 20,
            "auth.params.max_memo_bytes must be at most 1 MiB"
        );
        Ok(())
    }
}
