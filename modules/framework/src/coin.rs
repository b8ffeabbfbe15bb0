//! Amounts and coins: `u128` integers, parsed strictly from their decimal strings.

use std::collections::BTreeMap;

use cosmrs::proto::cosmos::base::v1beta1::Coin as ProtoCoin;

use crate::error::TxError;

/// Parses a base-10 `u128` amount. Rejects signs, spaces, leading zeros and anything
/// past `u128::MAX`, so that each amount has exactly one encoding.
pub fn parse_amount(s: &str) -> Result<u128, TxError> {
    if s.is_empty() || s.len() > 39 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TxError::InvalidCoins(format!(
            "amount {s:?} is not an unsigned integer"
        )));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(TxError::InvalidCoins(format!(
            "amount {s:?} has leading zeros"
        )));
    }
    s.parse::<u128>()
        .map_err(|_| TxError::InvalidCoins(format!("amount {s:?} overflows 128 bits")))
}

/// Checks a denomination as Cosmos SDK does: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
pub fn validate_denom(denom: &str) -> Result<(), TxError> {
    let bytes = denom.as_bytes();
    let ok = (3..=128).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(b));
    if ok {
        Ok(())
    } else {
        Err(TxError::InvalidCoins(format!("invalid denom {denom:?}")))
    }
}

/// A validated set of coins: positive amounts, one entry per denom, sorted by denom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coins(BTreeMap<String, u128>);

impl Coins {
    /// Validates coins from a message: each denom valid and present once, sorted, every
    /// amount positive (the rules of `sdk.Coins.Validate`).
    pub fn from_proto(coins: &[ProtoCoin]) -> Result<Self, TxError> {
        let mut out = BTreeMap::new();
        let mut last: Option<&str> = None;
        for c in coins {
            validate_denom(&c.denom)?;
            if let Some(prev) = last {
                if prev >= c.denom.as_str() {
                    return Err(TxError::InvalidCoins(format!(
                        "denoms not sorted or duplicated: {prev:?} before {:?}",
                        c.denom
                    )));
                }
            }
            let amount = parse_amount(&c.amount)?;
            if amount == 0 {
                return Err(TxError::InvalidCoins(format!("zero amount of {}", c.denom)));
            }
            out.insert(c.denom.clone(), amount);
            last = Some(&c.denom);
        }
        Ok(Self(out))
    }

    pub fn single(denom: &str, amount: u128) -> Self {
        let mut m = BTreeMap::new();
        if amount > 0 {
            m.insert(denom.to_string(), amount);
        }
        Self(m)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn amount_of(&self, denom: &str) -> u128 {
        self.0.get(denom).copied().unwrap_or(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u128)> {
        self.0.iter().map(|(d, a)| (d.as_str(), *a))
    }

    pub fn to_proto(&self) -> Vec<ProtoCoin> {
        self.iter()
            .map(|(denom, amount)| ProtoCoin {
                denom: denom.to_string(),
                amount: amount.to_string(),
            })
            .collect()
    }
}

impl std::fmt::Display for Coins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.iter().map(|(d, a)| format!("{a}{d}")).collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coin(denom: &str, amount: &str) -> ProtoCoin {
        ProtoCoin {
            denom: denom.into(),
            amount: amount.into(),
        }
    }

    #[test]
    fn amounts_parse_strictly() {
        assert_eq!(parse_amount("0").unwrap(), 0);
        assert_eq!(parse_amount(&u128::MAX.to_string()).unwrap(), u128::MAX);
        for bad in [
            "",
            "-1",
            "+1",
            "01",
            "1.0",
            " 1",
            "1e3",
            "340282366920938463463374607431768211456",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn coins_must_be_sorted_unique_and_positive() {
        assert!(Coins::from_proto(&[coin("ukzn", "1"), coin("uatom", "1")]).is_err());
        assert!(Coins::from_proto(&[coin("ukzn", "1"), coin("ukzn", "2")]).is_err());
        assert!(Coins::from_proto(&[coin("ukzn", "0")]).is_err());
        assert!(Coins::from_proto(&[coin("1kzn", "5")]).is_err());
        let c = Coins::from_proto(&[coin("uatom", "2"), coin("ukzn", "5")]).unwrap();
        assert_eq!(c.amount_of("ukzn"), 5);
        assert_eq!(c.to_string(), "2uatom,5ukzn");
    }
}
