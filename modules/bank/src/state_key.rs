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

/// Parses a balance key: (address, denom). Denoms may hold `/` (`ibc/...`); addresses
/// do not.
pub fn parse_balance(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("bank/balances/")?.split_once('/')
}

/// The total supply of `denom`.
pub fn supply(denom: &str) -> String {
    format!("bank/supply/{denom}")
}

/// Prefix of every supply entry.
pub fn supplies() -> &'static str {
    "bank/supply/"
}

/// Parses a supply key: the denom.
pub fn parse_supply(key: &str) -> Option<&str> {
    key.strip_prefix(supplies())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_and_supply_keys_parse_back() {
        let owner = Address::for_module("bank-test-owner");
        let text = owner.to_string();
        for denom in ["ukzn", "ibc/27394FB092D2ECCD"] {
            let key = balance(&owner, denom);
            assert!(key.starts_with(&balances_of(&owner)));
            assert_eq!(parse_balance(&key), Some((text.as_str(), denom)));
            assert_eq!(parse_supply(&supply(denom)), Some(denom));
        }
        assert_eq!(parse_balance(&supply("ukzn")), None);
        assert_eq!(parse_supply(&balance(&owner, "ukzn")), None);
    }
}
