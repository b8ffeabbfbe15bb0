//! The application's genesis (`app_state` in CometBFT's `genesis.json`).
//!
//! ```json
//! { "partition": 0,
//!   "tx": { "max_tx_bytes": 1048576, "max_tx_gas": 10000000, "max_msgs": 64,
//!           "min_gas_price_micro_ukzn": "1000" },
//!   "auth": { "params": { "max_memo_bytes": 256, "max_signatures": 7 } },
//!   "bank": { "balances": [ { "address": "kaizen1...", "coins": [ { "denom": "ukzn", "amount": "1000" } ] } ] } }
//! ```

use kaizen_attest::AttestGenesis;
use kaizen_auth::AuthGenesis;
use kaizen_bank::BankGenesis;
use kaizen_bounty::BountyGenesis;
use kaizen_da_module::DaGenesis;
use kaizen_staking::StakingGenesis;
use serde::{Deserialize, Serialize};

use crate::tx::DecodeLimits;

/// Highest partition id a deployment may use.
pub const MAX_PARTITION: u32 = 1023;

/// Transaction limits and the minimum gas price: consensus rules, equal on every node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxParams {
    pub max_tx_bytes: u64,
    pub max_tx_gas: u64,
    pub max_msgs: u64,
    /// Minimum fee per unit of gas, in millionths of a ukzn (1000 = 0.001 ukzn per gas).
    /// A string, as every `u128` in JSON.
    pub min_gas_price_micro_ukzn: String,
}

impl Default for TxParams {
    fn default() -> Self {
        Self {
            max_tx_bytes: 1 << 20,
            max_tx_gas: 10_000_000,
            max_msgs: 64,
            min_gas_price_micro_ukzn: "1000".into(),
        }
    }
}

impl TxParams {
    pub fn min_gas_price(&self) -> anyhow::Result<u128> {
        Ok(kaizen_framework::parse_amount(
            &self.min_gas_price_micro_ukzn,
        )?)
    }

    /// The least fee, in ukzn, a transaction with `gas_limit` must pay (rounded up).
    pub fn required_fee(&self, gas_limit: u64) -> anyhow::Result<u128> {
        let product = u128::from(gas_limit)
            .checked_mul(self.min_gas_price()?)
            .ok_or_else(|| anyhow::anyhow!("fee overflows"))?;
        Ok(product.div_ceil(1_000_000))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppGenesis {
    /// Which partition of the deployment this chain is; the chain id must end in `-p<id>`.
    pub partition: u32,
    #[serde(default)]
    pub tx: TxParams,
    #[serde(default)]
    pub auth: AuthGenesis,
    #[serde(default)]
    pub bank: BankGenesis,
    #[serde(default)]
    pub staking: StakingGenesis,
    #[serde(default)]
    pub da: DaGenesis,
    #[serde(default)]
    pub attest: AttestGenesis,
    #[serde(default)]
    pub bounty: BountyGenesis,
}

impl AppGenesis {
    pub fn validate(&self, chain_id: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.partition <= MAX_PARTITION,
            "partition {} is above the maximum {MAX_PARTITION}",
            self.partition
        );
        let suffix = format!("-p{}", self.partition);
        anyhow::ensure!(
            chain_id.ends_with(&suffix) && chain_id.len() > suffix.len(),
            "chain id {chain_id:?} must be <network>{suffix} for partition {}",
            self.partition
        );
        anyhow::ensure!(self.tx.max_tx_bytes >= 256, "tx.max_tx_bytes is too small");
        anyhow::ensure!(self.tx.max_tx_gas > 0, "tx.max_tx_gas must be positive");
        anyhow::ensure!(self.tx.max_msgs > 0, "tx.max_msgs must be positive");
        self.tx.min_gas_price()?;
        self.auth.validate()?;
        self.bank.validate()?;
        self.staking.validate()?;
        self.da.validate()?;
        self.attest.validate()?;
        self.bounty.validate()?;
        Ok(())
    }

    pub fn decode_limits(&self) -> DecodeLimits {
        DecodeLimits {
            max_tx_bytes: self.tx.max_tx_bytes,
            max_tx_gas: self.tx.max_tx_gas,
            max_memo_bytes: self.auth.params.max_memo_bytes,
            max_signatures: self.auth.params.max_signatures,
            max_msgs: self.tx.max_msgs,
            allow_zero_gas: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_id_must_name_the_partition() {
        let g = AppGenesis {
            partition: 1,
            tx: TxParams::default(),
            auth: Default::default(),
            bank: Default::default(),
            staking: Default::default(),
            da: Default::default(),
            attest: Default::default(),
            bounty: Default::default(),
        };
        assert!(g.validate("kaizen-devnet-p1").is_ok());
        assert!(g.validate("kaizen-devnet-p0").is_err());
        assert!(g.validate("-p1").is_err());
    }

    #[test]
    fn required_fee_rounds_up() {
        let p = TxParams::default();
        assert_eq!(p.required_fee(200_000).unwrap(), 200);
        assert_eq!(p.required_fee(1).unwrap(), 1);
        assert_eq!(p.required_fee(0).unwrap(), 0);
    }
}
