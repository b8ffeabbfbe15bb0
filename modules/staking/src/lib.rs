//! `staking`: bonded registrations and epochs.
//!
//! It owns the `staking/` key prefix. A DA operator registers with a bond (moved from
//! its account to the [`BONDED_POOL`] module account), a BLS public key proven by a proof
//! of possession (so that keys can be aggregated safely) and its node's endpoint.
//! Operators that keep missing storage challenges are jailed: left out of quorums until
//! they unjail after `jail_blocks`. Epochs are `epoch_blocks` long: epoch `e` starts at
//! height `e * epoch_blocks`.
//!
//! An evaluator registers with a bond too (no key beyond its account: attestations are
//! signed transactions). `attest` draws committees weighted by bond and slashes members
//! that disagree with the quorum or stay silent ([`StakingWrite::slash_evaluator`]):
//! part of the bond moves to [`SLASHED_POOL`] and the evaluator is jailed for a while.

#[cfg(feature = "component")]
pub mod bonded;
#[cfg(feature = "component")]
pub mod component;
pub mod error;
pub mod events;
pub mod genesis;
#[cfg(feature = "component")]
pub mod handler;
#[cfg(feature = "component")]
pub mod query;
pub mod randomness;
pub mod state_key;
#[cfg(feature = "component")]
pub mod view;

#[cfg(feature = "component")]
pub use bonded::BondedRole;
#[cfg(feature = "component")]
pub use component::Staking;
pub use error::StakingError;
#[cfg(feature = "component")]
pub use handler::{
    register_da_operator::RegisterDaOperator, register_evaluator::RegisterEvaluator,
    unjail_da_operator::UnjailDaOperator, unjail_evaluator::UnjailEvaluator,
};
pub use kaizen_proto::kaizen::staking::v1::{DaOperator, Evaluator};
#[cfg(feature = "component")]
pub use randomness::{RandomnessRead, RandomnessWrite};
#[cfg(feature = "component")]
pub use view::{StakingRead, StakingWrite};

use kaizen_framework::Address;

/// The module account that holds bonded stake.
pub const BONDED_POOL: &str = "staking_bonded";

pub fn bonded_pool() -> Address {
    Address::for_module(BONDED_POOL)
}

/// The module account that receives slashed stake.
pub const SLASHED_POOL: &str = "staking_slashed";

pub fn slashed_pool() -> Address {
    Address::for_module(SLASHED_POOL)
}

/// Longest endpoint URL an operator may register.
pub const MAX_ENDPOINT_BYTES: usize = 256;
