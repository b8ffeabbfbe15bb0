//! `kaizen tx bank send` and `kaizen query bank balances`.

use clap::Subcommand;

use crate::chain::TxFlags;

mod query;
mod tx;

pub use query::bank_query;
pub use tx::bank_tx;

#[derive(Subcommand)]
pub enum BankTx {
    /// Send coins: `kaizen tx bank send TO AMOUNT --from NAME`.
    Send {
        to: String,
        amount: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

#[derive(Subcommand)]
pub enum BankQuery {
    /// All balances of an address (or key name).
    Balances { address: String },
}
