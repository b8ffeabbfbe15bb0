//! The application's genesis (`app_state` in CometBFT's `genesis.json`): the proto
//! message `kaizen.app.v1.GenesisState` in its JSON mapping.
//!
//! ```json
//! { "partition": 0,
//!   "tx": { "max_tx_bytes": "1048576", "max_tx_gas": "10000000", "max_msgs": "64",
//!           "min_gas_price_micro_ukzn": "1000" },
//!   "auth": { "params": { "max_memo_bytes": "256", "max_signatures": "7" } },
//!   "bank": { "balances": [ { "address": "kaizen1...", "coins": [ { "denom": "ukzn", "amount": "1000" } ] } ] } }
//! ```
//!
//! A section or a `params` left out takes the module's defaults ([`default_genesis`]
//! spells them all out). Genesis is not kept in state as such: each module writes its
//! parameters under its own keys, and the transaction limits go under `app/tx_params`.

pub use kaizen_proto::kaizen::app::v1::{GenesisState as AppGenesis, TxParams};
use kaizen_proto::kaizen::{attest, auth, bank, bounty, da, staking};

use crate::tx::DecodeLimits;

/// Highest partition id a deployment may use.
pub const MAX_PARTITION: u32 = 1023;

pub fn default_tx_params() -> TxParams {
    TxParams {
        max_tx_bytes: 1 << 20,
        max_tx_gas: 10_000_000,
        max_msgs: 64,
        min_gas_price_micro_ukzn: "1000".into(),
    }
}

/// The transaction limits `genesis` sets, or the defaults where it sets none.
pub fn tx_params(genesis: &AppGenesis) -> TxParams {
    genesis.tx.clone().unwrap_or_else(default_tx_params)
}

/// The least fee per unit of gas, in millionths of a ukzn.
pub fn min_gas_price(params: &TxParams) -> anyhow::Result<u128> {
    Ok(kaizen_framework::parse_amount(
        &params.min_gas_price_micro_ukzn,
    )?)
}

/// The least fee, in ukzn, a transaction with `gas_limit` must pay (rounded up).
pub fn required_fee(params: &TxParams, gas_limit: u64) -> anyhow::Result<u128> {
    let product = u128::from(gas_limit)
        .checked_mul(min_gas_price(params)?)
        .ok_or_else(|| anyhow::anyhow!("fee overflows"))?;
    Ok(product.div_ceil(1_000_000))
}

pub fn validate_tx_params(params: &TxParams) -> anyhow::Result<()> {
    anyhow::ensure!(params.max_tx_bytes >= 256, "tx.max_tx_bytes is too small");
    anyhow::ensure!(params.max_tx_gas > 0, "tx.max_tx_gas must be positive");
    anyhow::ensure!(params.max_msgs > 0, "tx.max_msgs must be positive");
    min_gas_price(params)?;
    Ok(())
}

/// Checks the partition against the chain id, then every section.
pub fn validate(genesis: &AppGenesis, chain_id: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        genesis.partition <= MAX_PARTITION,
        "partition {} is above the maximum {MAX_PARTITION}",
        genesis.partition
    );
    let suffix = format!("-p{}", genesis.partition);
    anyhow::ensure!(
        chain_id.ends_with(&suffix) && chain_id.len() > suffix.len(),
        "chain id {chain_id:?} must be <network>{suffix} for partition {}",
        genesis.partition
    );
    validate_tx_params(&tx_params(genesis))?;
    kaizen_auth::genesis::validate(&section(&genesis.auth))?;
    kaizen_bank::genesis::validate(&section(&genesis.bank))?;
    kaizen_staking::genesis::validate(&section(&genesis.staking))?;
    kaizen_da_module::genesis::validate(&section(&genesis.da))?;
    kaizen_attest::genesis::validate(&section(&genesis.attest))?;
    kaizen_bounty::genesis::validate(&section(&genesis.bounty))?;
    Ok(())
}

/// A module's section of genesis; a section left out is the module's default (which
/// takes the default parameters).
pub fn section<T: Clone + Default>(section: &Option<T>) -> T {
    section.clone().unwrap_or_default()
}

/// Parses `app_state` (the proto JSON mapping; unknown fields are refused). A `tx` or
/// `params` object must set every field: the proto JSON mapping reads a missing field as
/// 0, which for most parameters is not what an operator who forgot one meant (leave the
/// whole object out for the defaults).
pub fn parse(app_state: &[u8]) -> anyhow::Result<AppGenesis> {
    let json: serde_json::Value = serde_json::from_slice(app_state)?;
    complete(&json, "/tx", &default_tx_params())?;
    complete(
        &json,
        "/auth/params",
        &kaizen_auth::genesis::default_params(),
    )?;
    complete(
        &json,
        "/staking/params",
        &kaizen_staking::genesis::default_params(),
    )?;
    complete(
        &json,
        "/da/params",
        &kaizen_da_module::genesis::default_params(),
    )?;
    complete(
        &json,
        "/attest/params",
        &kaizen_attest::genesis::default_params(),
    )?;
    complete(
        &json,
        "/bounty/params",
        &kaizen_bounty::genesis::default_params(),
    )?;
    Ok(serde_json::from_value(json)?)
}

/// Fails if the object at `pointer` is present but lacks one of the fields of `full`
/// (whose JSON lists them all).
fn complete<T: serde::Serialize>(
    json: &serde_json::Value,
    pointer: &str,
    full: &T,
) -> anyhow::Result<()> {
    let Some(serde_json::Value::Object(given)) = json.pointer(pointer) else {
        return Ok(());
    };
    let serde_json::Value::Object(all) = serde_json::to_value(full)? else {
        return Ok(());
    };
    let missing: Vec<&str> = all
        .keys()
        .filter(|k| !given.contains_key(k.as_str()))
        .map(String::as_str)
        .collect();
    anyhow::ensure!(
        missing.is_empty(),
        "genesis {pointer} lacks {}: set every field, or leave the object out for the defaults",
        missing.join(", ")
    );
    Ok(())
}

/// What transaction decoding is held to.
pub fn decode_limits(tx: &TxParams, auth: &auth::v1::Params) -> DecodeLimits {
    DecodeLimits {
        max_tx_bytes: tx.max_tx_bytes,
        max_tx_gas: tx.max_tx_gas,
        max_memo_bytes: auth.max_memo_bytes,
        max_signatures: auth.max_signatures,
        max_msgs: tx.max_msgs,
        allow_zero_gas: false,
    }
}

/// A genesis of `partition` with every section and every parameter spelled out at its
/// default: what a new network starts from, and what tests edit.
pub fn default_genesis(partition: u32) -> AppGenesis {
    AppGenesis {
        partition,
        tx: Some(default_tx_params()),
        auth: Some(auth::v1::GenesisState {
            params: Some(kaizen_auth::genesis::default_params()),
        }),
        bank: Some(bank::v1::GenesisState::default()),
        staking: Some(staking::v1::GenesisState {
            params: Some(kaizen_staking::genesis::default_params()),
            ..Default::default()
        }),
        da: Some(da::v1::GenesisState {
            params: Some(kaizen_da_module::genesis::default_params()),
        }),
        attest: Some(attest::v1::GenesisState {
            params: Some(kaizen_attest::genesis::default_params()),
        }),
        bounty: Some(bounty::v1::GenesisState {
            params: Some(kaizen_bounty::genesis::default_params()),
        }),
    }
}

/// Each section of a genesis, and each module's parameters, to edit in place: a section
/// left out is filled in with its defaults first.
pub trait GenesisSections {
    fn tx_params_mut(&mut self) -> &mut TxParams;
    fn bank_mut(&mut self) -> &mut bank::v1::GenesisState;
    fn staking_mut(&mut self) -> &mut staking::v1::GenesisState;
    fn auth_params_mut(&mut self) -> &mut auth::v1::Params;
    fn staking_params_mut(&mut self) -> &mut staking::v1::Params;
    fn da_params_mut(&mut self) -> &mut da::v1::Params;
    fn attest_params_mut(&mut self) -> &mut attest::v1::Params;
    fn bounty_params_mut(&mut self) -> &mut bounty::v1::Params;
}

impl GenesisSections for AppGenesis {
    fn tx_params_mut(&mut self) -> &mut TxParams {
        self.tx.get_or_insert_with(default_tx_params)
    }
    fn bank_mut(&mut self) -> &mut bank::v1::GenesisState {
        self.bank.get_or_insert_with(Default::default)
    }
    fn staking_mut(&mut self) -> &mut staking::v1::GenesisState {
        self.staking.get_or_insert_with(Default::default)
    }
    fn auth_params_mut(&mut self) -> &mut auth::v1::Params {
        let auth = self.auth.get_or_insert_with(Default::default);
        auth.params
            .get_or_insert_with(kaizen_auth::genesis::default_params)
    }
    fn staking_params_mut(&mut self) -> &mut staking::v1::Params {
        self.staking_mut()
            .params
            .get_or_insert_with(kaizen_staking::genesis::default_params)
    }
    fn da_params_mut(&mut self) -> &mut da::v1::Params {
        let da = self.da.get_or_insert_with(Default::default);
        da.params
            .get_or_insert_with(kaizen_da_module::genesis::default_params)
    }
    fn attest_params_mut(&mut self) -> &mut attest::v1::Params {
        let attest = self.attest.get_or_insert_with(Default::default);
        attest
            .params
            .get_or_insert_with(kaizen_attest::genesis::default_params)
    }
    fn bounty_params_mut(&mut self) -> &mut bounty::v1::Params {
        let bounty = self.bounty.get_or_insert_with(Default::default);
        bounty
            .params
            .get_or_insert_with(kaizen_bounty::genesis::default_params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_id_must_name_the_partition() {
        let g = default_genesis(1);
        assert!(validate(&g, "kaizen-devnet-p1").is_ok());
        assert!(validate(&g, "kaizen-devnet-p0").is_err());
        assert!(validate(&g, "-p1").is_err());
    }

    #[test]
    fn required_fee_rounds_up() {
        let p = default_tx_params();
        assert_eq!(required_fee(&p, 200_000).unwrap(), 200);
        assert_eq!(required_fee(&p, 1).unwrap(), 1);
        assert_eq!(required_fee(&p, 0).unwrap(), 0);
    }

    #[test]
    fn a_genesis_that_leaves_sections_out_takes_the_defaults() {
        let g = parse(br#"{"partition": 0}"#).unwrap();
        assert!(validate(&g, "kaizen-test-p0").is_ok());
        assert_eq!(tx_params(&g), default_tx_params());
        // The spelled-out defaults read back as the same genesis through JSON.
        let full = default_genesis(0);
        let json = serde_json::to_vec(&full).unwrap();
        assert_eq!(parse(&json).unwrap(), full);
    }

    #[test]
    fn a_genesis_with_an_unknown_field_is_refused() {
        let err = parse(br#"{"partition": 0, "tx": {"max_tx_bytes": "4096", "max_tx_gas": "1", "max_msgs": "1", "min_gas_price_micro_ukzn": "0", "max_tx_bytez": "5"}}"#).unwrap_err();
        assert!(err.to_string().contains("max_tx_bytez"), "{err}");
        let err = parse(br#"{"partition": 0, "governance": {}}"#).unwrap_err();
        assert!(err.to_string().contains("governance"), "{err}");
    }

    #[test]
    fn a_params_object_missing_a_field_is_refused_not_read_as_zero() {
        let err = parse(br#"{"partition": 0, "attest": {"params": {"commit_window_blocks": 30, "reveal_window_blocks": 30, "max_rounds": 3, "min_evaluator_bond": "1", "max_committee_size": 16, "max_queue_items_per_block": 64}}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/attest/params lacks"), "{err}");
        assert!(
            err.contains("slash_ppm") && err.contains("jail_blocks"),
            "{err}"
        );
        let err = parse(br#"{"partition": 0, "tx": {"max_tx_bytes": 4096}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/tx lacks"), "{err}");
        // Every field given: accepted, zeros included where they are valid.
        let mut full = default_genesis(0);
        full.attest_params_mut().slash_ppm = 0;
        let json = serde_json::to_vec(&full).unwrap();
        assert_eq!(
            parse(&json)
                .unwrap()
                .attest
                .unwrap()
                .params
                .unwrap()
                .slash_ppm,
            0
        );
    }

    #[test]
    fn integers_may_be_json_numbers_or_strings() {
        let g = parse(br#"{"partition": 0, "tx": {"max_tx_bytes": 4096, "max_tx_gas": "77", "max_msgs": 3, "min_gas_price_micro_ukzn": "0"}}"#).unwrap();
        let tx = tx_params(&g);
        assert_eq!((tx.max_tx_bytes, tx.max_tx_gas, tx.max_msgs), (4096, 77, 3));
    }
}
