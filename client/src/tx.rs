//! `kaizen tx ...`: build, sign (`SIGN_MODE_DIRECT`), broadcast over gRPC, and wait for
//! the block.

use std::time::Duration;

use anyhow::{bail, Context};
use cosmrs::{
    crypto::secp256k1::SigningKey,
    proto::{
        cosmos::{
            bank::v1beta1::MsgSend,
            base::{abci::v1beta1::TxResponse, v1beta1::Coin},
            tx::v1beta1::{BroadcastMode, BroadcastTxRequest, GetTxRequest, SimulateRequest},
        },
        Any,
    },
    tx::{Body, Fee, SignDoc, SignerInfo},
};
use kaizen_framework::{parse_amount, Address};
use prost::{Message, Name};

use crate::client::Endpoints;

/// `1000ukzn` → `(1000, "ukzn")`.
pub fn parse_coin(s: &str) -> anyhow::Result<(u128, String)> {
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .with_context(|| format!("{s:?}: an amount needs a denom, e.g. 1000ukzn"))?;
    let (amount, denom) = s.split_at(split);
    let amount = parse_amount(amount).map_err(|e| anyhow::anyhow!("{s:?}: {e}"))?;
    kaizen_framework::coin::validate_denom(denom).map_err(|e| anyhow::anyhow!("{s:?}: {e}"))?;
    Ok((amount, denom.to_string()))
}

/// How much gas: a number, or `auto` (simulate, then multiply by the adjustment).
#[derive(Debug, Clone, Copy)]
pub enum Gas {
    Fixed(u64),
    Auto { adjustment_percent: u64 },
}

pub struct TxOptions {
    pub gas: Gas,
    /// `None`: the minimum fee for the gas at the chain's minimum price (0.001 ukzn/gas).
    pub fees: Option<(u128, String)>,
    pub memo: String,
    pub wait: bool,
}

impl TxOptions {
    /// Gas by simulation with 50% headroom, the minimum fee, no memo, and waiting for the
    /// block: how the daemons and tools send.
    pub fn standard() -> Self {
        Self {
            gas: Gas::Auto {
                adjustment_percent: 150,
            },
            fees: None,
            memo: String::new(),
            wait: true,
        }
    }
}

pub fn msg_send(from: &Address, to: &Address, amount: u128, denom: &str) -> Any {
    Any {
        type_url: MsgSend::type_url(),
        value: MsgSend {
            from_address: from.to_string(),
            to_address: to.to_string(),
            amount: vec![Coin {
                denom: denom.into(),
                amount: amount.to_string(),
            }],
        }
        .encode_to_vec(),
    }
}

/// Signs `msgs` in `SIGN_MODE_DIRECT` and returns the `TxRaw` bytes.
pub fn sign(
    key: &SigningKey,
    msgs: &[Any],
    memo: &str,
    fee: Fee,
    chain_id: &str,
    account_number: u64,
    sequence: u64,
) -> anyhow::Result<Vec<u8>> {
    let body = Body::new(msgs.to_vec(), memo, 0u32);
    let auth_info = SignerInfo::single_direct(Some(key.public_key()), sequence).auth_info(fee);
    let chain_id = chain_id
        .parse()
        .map_err(|e| anyhow::anyhow!("chain id: {e}"))?;
    let raw = SignDoc::new(&body, &auth_info, &chain_id, account_number)
        .and_then(|d| d.sign(key))
        .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
    raw.to_bytes().map_err(|e| anyhow::anyhow!("encoding: {e}"))
}

/// A fee of `amount` `denom` (none when zero) for `gas`.
pub fn fee(amount: u128, denom: &str, gas: u64) -> anyhow::Result<Fee> {
    if amount == 0 {
        return Ok(Fee {
            amount: vec![],
            gas_limit: gas,
            payer: None,
            granter: None,
        });
    }
    Ok(Fee::from_amount_and_gas(
        cosmrs::Coin {
            denom: denom.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
            amount,
        },
        gas,
    ))
}

/// [`broadcast`] with [`TxOptions::standard`], failing unless the transaction succeeded
/// in its block; `what` names it in the error.
pub async fn broadcast_checked(
    ep: &Endpoints,
    key: &SigningKey,
    from: &Address,
    msgs: Vec<Any>,
    what: &str,
) -> anyhow::Result<TxResponse> {
    let r = broadcast(ep, key, from, msgs, &TxOptions::standard())
        .await
        .with_context(|| what.to_string())?;
    if r.code != 0 {
        bail!(
            "{what} failed in the block: {} (codespace {}, code {})",
            r.raw_log,
            r.codespace,
            r.code
        );
    }
    Ok(r)
}

/// Signs and broadcasts `msgs` from `key`; waits for the block unless told not to.
pub async fn broadcast(
    ep: &Endpoints,
    key: &SigningKey,
    from: &Address,
    msgs: Vec<Any>,
    opts: &TxOptions,
) -> anyhow::Result<TxResponse> {
    let chain_id = ep.chain_id()?.to_string();
    let account = ep.account(from).await?.with_context(|| {
        format!("{from} has no account on {chain_id} yet: it must receive funds before it can send")
    })?;
    let gas = match opts.gas {
        Gas::Fixed(g) => g,
        Gas::Auto { adjustment_percent } => {
            // A fee in the probe, so that the simulation pays for moving it too.
            let probe = sign(
                key,
                &msgs,
                &opts.memo,
                fee(1, "ukzn", 0)?,
                &chain_id,
                account.account_number,
                account.sequence,
            )?;
            let sim = ep
                .tx()
                .await?
                .simulate(SimulateRequest {
                    tx_bytes: probe,
                    ..Default::default()
                })
                .await
                .map_err(|s| {
                    anyhow::anyhow!("simulation refused the transaction: {}", s.message())
                })?
                .into_inner();
            let used = sim
                .gas_info
                .context("simulation returned no gas info")?
                .gas_used;
            used.saturating_mul(adjustment_percent) / 100
        }
    };
    let (fee_amount, fee_denom) = match &opts.fees {
        Some((a, d)) => (*a, d.clone()),
        None => (
            (u128::from(gas) * 1000).div_ceil(1_000_000),
            "ukzn".to_string(),
        ),
    };
    let tx_bytes = sign(
        key,
        &msgs,
        &opts.memo,
        fee(fee_amount, &fee_denom, gas)?,
        &chain_id,
        account.account_number,
        account.sequence,
    )?;
    let resp = ep
        .tx()
        .await?
        .broadcast_tx(BroadcastTxRequest {
            tx_bytes,
            mode: BroadcastMode::Sync as i32,
        })
        .await
        .map_err(|s| anyhow::anyhow!("broadcast failed: {}", s.message()))?
        .into_inner()
        .tx_response
        .context("broadcast returned no response")?;
    if resp.code != 0 {
        bail!(
            "the node refused the transaction: {} (codespace {}, code {}){}",
            resp.raw_log,
            resp.codespace,
            resp.code,
            hint(&resp.codespace, resp.code)
        );
    }
    if !opts.wait {
        return Ok(resp);
    }
    wait_for_tx(ep, &resp.txhash, Duration::from_secs(30)).await
}

/// What to do about the common refusals.
fn hint(codespace: &str, code: u32) -> &'static str {
    match (codespace, code) {
        ("sdk", 13) => "; raise --fees (the minimum is 0.001ukzn per unit of gas)",
        ("sdk", 11) => "; raise --gas or use --gas auto",
        ("sdk", 32) => "; another transaction from this account is pending, wait for it and retry",
        ("sdk", 5) | ("bank", 2) => "; the account lacks the funds (kaizen query bank balances)",
        ("sdk", 4) => "; check --chain-id",
        _ => "",
    }
}

/// Polls `GetTx` until the transaction is in a block.
pub async fn wait_for_tx(
    ep: &Endpoints,
    hash: &str,
    timeout: Duration,
) -> anyhow::Result<TxResponse> {
    let mut client = ep.tx().await?;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match client
            .get_tx(GetTxRequest {
                hash: hash.to_string(),
            })
            .await
        {
            Ok(r) => {
                return r
                    .into_inner()
                    .tx_response
                    .context("GetTx returned no response")
            }
            Err(s) if s.code() == tonic::Code::NotFound => {}
            Err(s) => bail!("GetTx {hash}: {}", s.message()),
        }
        if tokio::time::Instant::now() > deadline {
            bail!("transaction {hash} was accepted but is not in a block after {timeout:?}; `kaizen query tx {hash}` later");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coins_parse_with_their_denom() {
        assert_eq!(parse_coin("1000ukzn").unwrap(), (1000, "ukzn".into()));
        assert!(parse_coin("1000").is_err());
        assert!(parse_coin("ukzn").is_err());
        assert!(parse_coin("-5ukzn").is_err());
        assert!(parse_coin("99999999999999999999999999999999999999999ukzn").is_err());
    }
}
