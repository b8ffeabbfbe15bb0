//! Kaizen's DA client (DESIGN.md §5), used by the CLI, the evaluator and the DA node:
//!
//! - [`dispersal`]: `put` (encode, pay, disperse to the quorum, aggregate the operators'
//!   signatures, certify) and `get` (any `k` verified shards, decode);
//! - [`chain`]: what DA nodes and clients read from the chain ([`chain::ChainView`]),
//!   over kaizend's gRPC or in memory for tests.
//!
//! Formats and rules come from `kaizen-da-core`; no storage engine is linked here.

pub mod chain;
pub mod dispersal;

pub use dispersal::{DaClient, Progress, PutOptions};
pub use kaizen_da_core::BlobRef;
