//! The `kaizen` CLI's building blocks, shared with the load generator and tests: the
//! keyring, client endpoints, transaction signing and broadcast, and devnets.

pub mod client;
pub mod devnet;
pub mod keys;
pub mod tx;
