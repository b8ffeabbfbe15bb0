//! `auth`: accounts (`cosmos.auth.v1beta1.BaseAccount`: address, public key, account
//! number, sequence) and the signature checks every transaction passes before its
//! messages run.
//!
//! It owns the `auth/` key prefix. It trusts nothing in a transaction: the public key in
//! a signer's `SignerInfo` must hash to the signer's address (or equal the key already on
//! the account), the sequence must equal the account's, and the secp256k1 signature must
//! verify over the `SIGN_MODE_DIRECT` sign doc built with this chain's id and the
//! account's number.

#[cfg(feature = "component")]
pub mod component;
pub mod error;
pub mod events;
pub mod genesis;
#[cfg(feature = "component")]
pub mod query;
#[cfg(feature = "component")]
pub mod signature;
pub mod state_key;
#[cfg(feature = "component")]
pub mod view;

#[cfg(feature = "component")]
pub use component::Auth;
pub use error::AuthError;
#[cfg(feature = "component")]
pub use signature::{SignatureCache, SignerCheck};
#[cfg(feature = "component")]
pub use view::{AccountRead, AccountWrite};
