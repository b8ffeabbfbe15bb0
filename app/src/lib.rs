//! `kaizend`: the Kaizen ABCI application.
//!
//! [`App`] answers CometBFT v0.38's ABCI requests; [`harness`] drives it in process the
//! way CometBFT does, for tests and benchmarks.

pub mod abci;
pub mod app;
pub mod components;
pub mod config;
pub mod events;
pub mod execute;
pub mod genesis;
pub mod grpc;
pub mod harness;
pub mod msg;
pub mod node;
pub mod preverify;
pub mod query;
pub mod state_key;
pub mod tx;

pub use app::App;
pub use genesis::AppGenesis;
