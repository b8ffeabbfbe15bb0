//! Every key of the `bank` module. Amounts are stored as 16-byte big-endian `u128`.

use kaizen_framework::Address;

/// The balance of one denomination held by `address`.
pub fn balance(address: &Address, denom: &str) -> String {
    format!("bank/balances/{address}/{denom}")
}

/// Prefix of every balance of `address`; the denom follows it.
pub fn balances_of(address: &Address) -> String {
    format!("bank/balances/{address}/")
}

/// The total supply of `denom`.
pub fn supply(denom: &str) -> String {
    format!("bank/supply/{denom}")
}

/// Prefix of every supply entry.
pub fn supplies() -> &'static str {
    "bank/supply/"
}
