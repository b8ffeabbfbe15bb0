//! `staking`: bonded registrations and epochs.
//!
//! It owns the `staking/` key prefix. A DA operator registers with a bond (moved from
//! its account to the [`BONDED_POOL`] module account), a BLS public key proven by a proof
//! of possession (so that keys can be aggregated safely) and its node's endpoint.
//! Operators that keep missing storage challenges are jailed: left out of quorums until
//! they unjail after `jail_blocks`. Epochs are `epoch_blocks` long: epoch `e` starts at
//! height `e * epoch_blocks`.

pub mod component;
pub mod error;
pub mod events;
pub mod genesis;
pub mod handler;
pub mod query;
pub mod state_key;
pub mod view;

pub use component::Staking;
pub use error::StakingError;
pub use genesis::{GenesisDaOperator, StakingGenesis, StakingParams};
pub use handler::{register_da_operator::RegisterDaOperator, unjail_da_operator::UnjailDaOperator};
pub use kaizen_proto::kaizen::staking::v1::DaOperator;
pub use view::{StakingRead, StakingWrite};

use kaizen_framework::Address;

/// The module account that holds bonded stake.
pub const BONDED_POOL: &str = "staking_bonded";

pub fn bonded_pool() -> Address {
    Address::for_module(BONDED_POOL)
}

/// Longest endpoint URL an operator may register.
pub const MAX_ENDPOINT_BYTES: usize = 256;
