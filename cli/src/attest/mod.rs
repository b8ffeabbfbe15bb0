//! `kaizen query attest job|assigned|params`: evaluation jobs and their committees.

use clap::Subcommand;

mod query;

pub use query::attest_query;
#[cfg(test)]
pub(crate) use query::job_status;

#[derive(Subcommand)]
pub enum AttestQuery {
    /// An evaluation job: artifacts, committee, attestations, verdict.
    Job { id: u64 },
    /// The open jobs an evaluator (address or key name) is on the committee of.
    Assigned {
        address: String,
        /// Jobs after this id (the `next_start_after` of the previous page).
        #[arg(long, default_value_t = 0)]
        start_after: u64,
        /// At most this many (up to 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// The attest module's parameters.
    Params,
}
