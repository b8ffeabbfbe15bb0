//! The module framework: the small interface every Kaizen module implements, and the
//! pieces every handler shares.
//!
//! A module owns a key prefix in the authenticated state and exposes:
//! - a [`Component`]: genesis and the begin/end-block hooks the app calls in a fixed order;
//! - one [`MsgHandler`] per message: a stateless check, then a single check-and-execute
//!   step against state (no gap between the check and the write);
//! - typed events ([`TypedEvent`]) and errors with a stable codespace and code
//!   ([`ErrorCode`]).
//!
//! Handlers pay for what they read and write through the [`GasMeter`] in their
//! `TxCtx`, using the metered accessors of `store`.
//!
//! The `component` feature gates the state-machine side (`component`, `handler`,
//! `store`: everything that touches cnidarium). Without it the crate is pure (addresses,
//! coins, BLS, gas, errors, typed events), for clients and daemons.

pub mod address;
pub mod bls;
pub mod coin;
#[cfg(feature = "component")]
pub mod component;
#[cfg(feature = "component")]
pub mod counter;
pub mod error;
pub mod event;
pub mod gas;
#[cfg(feature = "component")]
pub mod handler;
pub mod queue;
#[cfg(feature = "component")]
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use address::Address;
pub use coin::{parse_amount, Coins};
#[cfg(feature = "component")]
pub use component::{BlockCtx, Component};
#[cfg(feature = "component")]
pub use counter::{Counter, CounterError};
pub use error::{ErrorCode, HandlerError, TxError};
pub use event::TypedEvent;
pub use gas::{BlockBudget, GasMeter, GasSchedule};
#[cfg(feature = "component")]
pub use handler::{ExecMode, MsgHandler, TxCtx};
pub use queue::queue_height;
#[cfg(feature = "component")]
pub use store::{due_queue_keys, MeteredStateRead, MeteredStateWrite};

/// The staking and fee denomination.
pub const NATIVE_DENOM: &str = "ukzn";
/// The bech32 prefix of account addresses.
pub const ADDRESS_PREFIX: &str = "kaizen";

/// A message packed for a transaction body (`Any` with its type URL).
pub fn any<T: prost::Message + prost::Name>(msg: &T) -> cosmrs::proto::Any {
    cosmrs::proto::Any {
        type_url: T::type_url(),
        value: msg.encode_to_vec(),
    }
}
