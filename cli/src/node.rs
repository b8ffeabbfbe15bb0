//! `kaizen status`, `kaizen query account` and `kaizen query tx`: the node, accounts and
//! transactions, through CometBFT RPC and the standard Cosmos services.

use anyhow::Context;
use cosmrs::proto::cosmos::{auth::v1beta1::BaseAccount, tx::v1beta1::GetTxRequest};
use kaizen_cli::keys::Keyring;
use serde_json::json;

use crate::{
    chain::{grpc_error, Ctx},
    output::{print, tx_response_json},
};

/// `kaizen query account ADDRESS` (an address or a key name).
pub async fn account(ctx: &Ctx, address: &str) -> anyhow::Result<()> {
    let address = Keyring::open(&ctx.home)?.resolve(address)?;
    let acc: BaseAccount = ctx.ep.account(&address).await?.with_context(|| {
        format!("{address} has no account: it has never held funds on this chain")
    })?;
    let pk = acc
        .pub_key
        .as_ref()
        .map(|a| hex::encode(&a.value))
        .unwrap_or_default();
    print(
        ctx.out,
        json!({"address": acc.address, "account_number": acc.account_number, "sequence": acc.sequence, "pub_key": pk}),
        || {
            format!(
                "address: {}\naccount_number: {}\nsequence: {}",
                acc.address, acc.account_number, acc.sequence
            )
        },
    );
    Ok(())
}

/// `kaizen query tx HASH`: a transaction's result and events.
pub async fn tx(ctx: &Ctx, hash: &str) -> anyhow::Result<()> {
    let r = ctx
        .ep
        .tx()
        .await?
        .get_tx(GetTxRequest {
            hash: hash.to_string(),
        })
        .await
        .map_err(grpc_error)?
        .into_inner()
        .tx_response
        .context("no tx_response")?;
    print(ctx.out, tx_response_json(&r), || {
        let events: Vec<String> = r
            .events
            .iter()
            .map(|e| {
                format!(
                    "  {} {}",
                    e.r#type,
                    e.attributes
                        .iter()
                        .map(|a| format!("{}={}", a.key, a.value))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            })
            .collect();
        format!(
            "txhash: {}\nheight: {}\ncode: {} {}\ngas used: {} of {}\nevents:\n{}",
            r.txhash,
            r.height,
            r.code,
            r.raw_log,
            r.gas_used,
            r.gas_wanted,
            events.join("\n")
        )
    });
    Ok(())
}

/// `kaizen status`: the node's status (CometBFT RPC).
pub async fn status(ctx: &Ctx) -> anyhow::Result<()> {
    use tendermint_rpc::Client;
    let ep = &ctx.ep;
    let s = ep
        .rpc()?
        .status()
        .await
        .with_context(|| format!("cannot reach CometBFT RPC at {} (set --node)", ep.node))?;
    print(
        ctx.out,
        json!({"network": s.node_info.network.to_string(), "moniker": s.node_info.moniker.to_string(),
               "latest_block_height": s.sync_info.latest_block_height.value(),
               "latest_app_hash": s.sync_info.latest_app_hash.to_string(),
               "catching_up": s.sync_info.catching_up}),
        || {
            format!(
                "network: {}\nheight: {}\napp hash: {}\ncatching up: {}",
                s.node_info.network,
                s.sync_info.latest_block_height,
                s.sync_info.latest_app_hash,
                s.sync_info.catching_up
            )
        },
    );
    Ok(())
}
