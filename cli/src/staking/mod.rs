//! `kaizen tx staking register-evaluator|unjail-evaluator` and `kaizen query staking ...`:
//! evaluator registrations, DA operators and epochs.

use clap::Subcommand;

use crate::chain::TxFlags;

mod query;
mod tx;

pub use query::staking_query;
pub use tx::staking_tx;

#[derive(Subcommand)]
pub enum StakingTx {
    /// Bond stake and become an evaluator that committees are drawn from.
    RegisterEvaluator {
        /// Bond in ukzn: `2000000` or `2000000ukzn`.
        #[arg(long)]
        bond: String,
        /// Optional http(s) URL of the evaluator's metrics.
        #[arg(long, default_value = "")]
        endpoint: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Take a jailed evaluator back into committees once its jail time has passed.
    UnjailEvaluator {
        #[command(flatten)]
        common: TxFlags,
    },
}

#[derive(Subcommand)]
pub enum StakingQuery {
    /// Every registered DA operator.
    DaOperators,
    /// One DA operator.
    DaOperator { address: String },
    /// The current epoch.
    Epoch,
    /// Every registered evaluator.
    Evaluators,
    /// One evaluator (an address or a key name).
    Evaluator { address: String },
}
