//! `da`: the chain side of data availability (DESIGN.md §5).
//!
//! It owns the `da/` key prefix and the [`DA_POOL`] module account, which holds the fees
//! paid for blobs and pays storage-challenge rewards from them.
//!
//! - `MsgPayForBlob` records a blob (commitment, size, k + m, retention) for the current
//!   epoch's quorum and moves its fee (base + per byte per block of retention) to the pool.
//! - `MsgCertifyBlob` marks it available: one BLS aggregate signature over
//!   `kaizen_da_core::assignment::availability_message` by the quorum members in a bitmap,
//!   who must hold at least `k` distinct shards and `certify_bond_ppm` of the quorum's bond.
//! - Epochs: at each epoch start the seed is `SHA-256(previous seed, epoch, the hashes of
//!   the operators' VRF outputs)`; the quorum is the active operators ordered by
//!   `SHA-256(seed, address)`, at most `max_quorum_size`; storage challenges are drawn from
//!   the seed over the certified blobs. The seed is `staking`'s
//!   (`kaizen_staking::randomness`, with the bias analysis).
//! - End of block: expiries and missed-challenge deadlines, a capped number per block.

#[cfg(feature = "component")]
pub mod component;
#[cfg(feature = "component")]
pub mod epoch;
pub mod error;
pub mod events;
pub mod genesis;
#[cfg(feature = "component")]
pub mod handler;
#[cfg(feature = "component")]
pub mod query;
pub mod state_key;
#[cfg(feature = "component")]
pub mod view;

#[cfg(feature = "component")]
pub use component::DataAvailability;
pub use error::DaError;
#[cfg(feature = "component")]
pub use handler::{
    answer_challenge::AnswerChallenge, certify_blob::CertifyBlob, pay_for_blob::PayForBlob,
    submit_randomness::SubmitRandomness,
};
#[cfg(feature = "component")]
pub use view::{DaRead, DaWrite};

use kaizen_framework::Address;

/// The module account holding blob fees and paying challenge rewards.
pub const DA_POOL: &str = "da_pool";

pub fn da_pool() -> Address {
    Address::for_module(DA_POOL)
}
