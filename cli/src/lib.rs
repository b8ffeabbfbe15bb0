//! The `kaizen` CLI's building blocks, shared with the load generator and tests: the
//! keyring, client endpoints, transaction signing and broadcast, and devnets.

// Client code, not consensus code: it may read clocks (timeouts, waits).
#![allow(clippy::disallowed_methods)]

pub mod devnet;

pub use kaizen_client::{client, keys, tx};
