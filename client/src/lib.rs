//! Kaizen's Rust client: the keyring (BIP-39 / m/44'/118'/0'/0/0), endpoints, and
//! transaction signing (`SIGN_MODE_DIRECT`) and broadcast over gRPC. Shared by the
//! `kaizen` CLI, the DA node and client, the evaluator and the load generator.

// Client code, not consensus code: it may read clocks (timeouts, waits).
#![allow(clippy::disallowed_methods)]

pub mod client;
pub mod keys;
pub mod tx;

pub use client::{ClientConfig, Endpoints};
