//! `auth`: accounts (`cosmos.auth.v1beta1.BaseAccount`: address, public key, account
//! number, sequence) and the signature checks every transaction passes before its
//! messages run.
//!
//! It owns the `auth/` key prefix. It trusts nothing in a transaction: the public key in
//! a signer's `SignerInfo` must hash to the signer's address (or equal the key already on
//! the account), the sequence must equal the account's, and the secp256k1 signature must
//! verify over the `SIGN_MODE_DIRECT` sign doc built with this chain's id and the
//! account's number.

pub mod component;
pub mod error;
pub mod events;
pub mod genesis;
pub mod query;
pub mod signature;
pub mod state_key;
pub mod view;

pub use component::Auth;
pub use error::AuthError;
pub use genesis::AuthGenesis;
pub use signature::{SignatureCache, SignerCheck};
pub use view::{AccountRead, AccountWrite};
