//! The `kaizen-da` node (DESIGN.md §5): it stores the shards assigned to its operator,
//! signs availability once it holds them, answers storage challenges and joins the epoch
//! randomness.
//!
//! - [`server`]: the gRPC `StoreShard`/`GetShard` service and availability signatures;
//! - [`store`]: the RocksDB shard store;
//! - [`watcher`]: follows the chain (challenges, randomness, pruning).
//!
//! Formats and rules come from `kaizen-da-core`, the chain view from `kaizen-da-client`.

pub mod server;
pub mod store;
pub mod watcher;
