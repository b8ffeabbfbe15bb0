//! `kaizen da put|get` and `kaizen query da ...`: blobs on the DA network.
//!
//! Each command returns what it prints: JSON for `--output json`, and text.

use clap::Subcommand;

mod blobs;
mod query;

pub use blobs::da_cmd;
pub use query::da_query;

#[derive(Subcommand)]
pub enum DaQuery {
    /// A blob's record: `kaizen query da blob REF` (a BlobRef or a hex commitment).
    Blob { blob: String },
    /// An epoch's quorum of DA operators (the current one by default).
    Quorum {
        #[arg(long)]
        epoch: Option<u64>,
    },
    /// Open storage challenges of an operator.
    Challenges { operator: String },
    /// The DA module's parameters.
    Params,
}

#[derive(Subcommand)]
pub enum DaCmd {
    /// Store a file on the DA network: encode, pay, disperse, certify. Prints the BlobRef.
    Put {
        file: std::path::PathBuf,
        /// Key name that pays.
        #[arg(long)]
        from: String,
        /// `K+M` original and recovery shards (default: from the quorum size).
        #[arg(long)]
        shards: Option<String>,
        /// Blocks to keep the blob.
        #[arg(long, default_value_t = 1000)]
        retention_blocks: u64,
        /// Most ukzn to pay (default: the fee the chain's parameters give).
        #[arg(long)]
        max_fee: Option<u128>,
        /// Erasure coder: auto (GPU when usable), cpu or cuda.
        #[arg(long, default_value = "auto")]
        coder: String,
    },
    /// Read a blob back from any k verified shards.
    Get {
        blob: String,
        /// Where to write the blob (`-o`; `--output` is the global format flag).
        #[arg(long = "out", short = 'o')]
        out: std::path::PathBuf,
        /// Erasure coder: auto (GPU when usable), cpu or cuda.
        #[arg(long, default_value = "auto")]
        coder: String,
    },
}
