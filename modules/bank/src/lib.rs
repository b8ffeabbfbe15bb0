//! `bank`: balances per account and denomination, transfers (`MsgSend`), the total
//! supply, and fee collection.
//!
//! It owns the `bank/` key prefix. Supply changes only at genesis (and, later, through
//! explicit mint and burn by other modules through [`view::BankWrite`]); transfers and fees
//! move funds without changing it, which tests check as an invariant.
//! It relies on `auth` to create the account of a first-time recipient.

#[cfg(feature = "component")]
pub mod component;
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
pub use component::Bank;
pub use error::BankError;
#[cfg(feature = "component")]
pub use handler::send::Send;
#[cfg(feature = "component")]
pub use view::{BankRead, BankWrite};

use kaizen_framework::Address;

/// The module account that collects transaction fees.
pub const FEE_COLLECTOR: &str = "fee_collector";

/// The address of the fee collector.
pub fn fee_collector() -> Address {
    Address::for_module(FEE_COLLECTOR)
}
