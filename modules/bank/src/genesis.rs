//! Genesis of the `bank` module: the initial balances, which also define the supply.

use std::collections::BTreeSet;

use kaizen_framework::{coin::validate_denom, parse_amount, Address, Coins};
pub use kaizen_proto::kaizen::bank::v1::{Balance, Coin, GenesisState};

/// Checks every address and coin, and that no address appears twice and no supply
/// overflows. Returns the balances in their order, parsed.
pub fn validate(genesis: &GenesisState) -> anyhow::Result<Vec<(Address, Coins)>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(genesis.balances.len());
    let mut supply: std::collections::BTreeMap<String, u128> = Default::default();
    for b in &genesis.balances {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bal(addr: &str, amount: &str) -> Balance {
        Balance {
            address: addr.into(),
            coins: vec![Coin {
                denom: "ukzn".into(),
                amount: amount.into(),
            }],
        }
    }

    #[test]
    fn genesis_rejects_duplicates_bad_addresses_and_overflowing_supply() {
        let a = Address::from_bytes([1; 20]).to_string();
        let b = Address::from_bytes([2; 20]).to_string();
        assert!(validate(&GenesisState {
            balances: vec![bal(&a, "5"), bal(&a, "6")]
        })
        .is_err());
        assert!(validate(&GenesisState {
            balances: vec![bal("cosmos1xyz", "5")]
        })
        .is_err());
        let max = u128::MAX.to_string();
        assert!(validate(&GenesisState {
            balances: vec![bal(&a, &max), bal(&b, "1")]
        })
        .is_err());
        assert_eq!(
            validate(&GenesisState {
                balances: vec![bal(&a, "5"), bal(&b, "1")]
            })
            .unwrap()
            .len(),
            2
        );
    }
}
