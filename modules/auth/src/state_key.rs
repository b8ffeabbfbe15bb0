//! Every key of the `auth` module.

use kaizen_framework::Address;

/// `BaseAccount` of an address.
pub fn account(address: &Address) -> String {
    format!("auth/accounts/{address}")
}

/// The account number the next new account gets (u64, big-endian).
pub const fn next_account_number() -> &'static str {
    "auth/next_account_number"
}

/// The module parameters ([`crate::genesis::Params`]).
pub fn params() -> &'static str {
    "auth/params"
}
