//! Genesis of the `auth` module: its parameters. Accounts themselves come into being
//! when they first hold funds (genesis balances or a transfer).
//!
//! ```json
//! "auth": { "params": { "max_memo_bytes": "256", "max_signatures": "7" } }
//! ```

pub use kaizen_proto::kaizen::auth::v1::{GenesisState, Params};

pub fn default_params() -> Params {
    Params {
        max_memo_bytes: 256,
        max_signatures: 7,
    }
}

/// The parameters `genesis` sets, or the defaults where it sets none.
pub fn params(genesis: &GenesisState) -> Params {
    genesis.params.unwrap_or_else(default_params)
}

pub fn validate_params(params: &Params) -> anyhow::Result<()> {
    anyhow::ensure!(
        params.max_signatures >= 1,
        "auth.params.max_signatures must be at least 1"
    );
    anyhow::ensure!(
        params.max_memo_bytes <= 1 << 20,
        "auth.params.max_memo_bytes must be at most 1 MiB"
    );
    Ok(())
}

pub fn validate(genesis: &GenesisState) -> anyhow::Result<()> {
    validate_params(&params(genesis))
}
