//! Genesis of the `bank` module: the initial balances, which also define the supply.

use std::collections::BTreeSet;

use kaizen_framework::{coin::validate_denom, parse_amount, Address, Coins};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisCoin {
    pub denom: String,
    /// Base-10 `u128`, as a string so that JSON loses no precision.
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisBalance {
    pub address: String,
    pub coins: Vec<GenesisCoin>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankGenesis {
    #[serde(default)]
    pub balances: Vec<GenesisBalance>,
}

impl BankGenesis {
    /// Checks every address and coin, and that no address appears twice and no supply
    /// overflows. Returns the balances in their order, parsed.
    pub fn validate(&self) -> anyhow::Result<Vec<(Address, Coins)>> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(self.balances.len());
        let mut supply: std::collections::BTreeMap<String, u128> = Default::default();
        for b in &self.balances {
            let address: Address = b.address.parse()?;
            anyhow::ensure!(
                seen.insert(address),
                "bank genesis lists {} twice",
                b.address
            );
            let proto: Vec<_> = b
                .coins
                .iter()
                .map(|c| -> anyhow::Result<_> {
                    validate_denom(&c.denom)?;
                    parse_amount(&c.amount)?;
                    Ok(cosmrs::proto::cosmos::base::v1beta1::Coin {
                        denom: c.denom.clone(),
                        amount: c.amount.clone(),
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            let coins = Coins::from_proto(&proto)?;
            for (denom, amount) in coins.iter() {
                let s = supply.entry(denom.to_string()).or_default();
                *s = s
                    .checked_add(amount)
                    .ok_or_else(|| anyhow::anyhow!("genesis supply of {denom} overflows"))?;
            }
            out.push((address, coins));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bal(addr: &str, amount: &str) -> GenesisBalance {
        GenesisBalance {
            address: addr.into(),
            coins: vec![GenesisCoin {
                denom: "ukzn".into(),
                amount: amount.into(),
            }],
        }
    }

    #[test]
    fn genesis_rejects_duplicates_bad_addresses_and_overflowing_supply() {
        let a = Address::from_bytes([1; 20]).to_string();
        let b = Address::from_bytes([2; 20]).to_string();
        assert!(BankGenesis {
            balances: vec![bal(&a, "5"), bal(&a, "6")]
        }
        .validate()
        .is_err());
        assert!(BankGenesis {
            balances: vec![bal("cosmos1xyz", "5")]
        }
        .validate()
        .is_err());
        let max = u128::MAX.to_string();
        assert!(BankGenesis {
            balances: vec![bal(&a, &max), bal(&b, "1")]
        }
        .validate()
        .is_err());
        assert_eq!(
            BankGenesis {
                balances: vec![bal(&a, "5"), bal(&b, "1")]
            }
            .validate()
            .unwrap()
            .len(),
            2
        );
    }
}
