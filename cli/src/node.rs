//! `kaizen status`, `kaizen query account` and `kaizen query tx`: the node, accounts and
//! transactions, through CometBFT RPC and the standard Cosmos services.

use anyhow::Context;
use cosmrs::proto::cosmos::{
    auth::v1beta1::BaseAccount, crypto::secp256k1::PubKey, tx::v1beta1::GetTxRequest,
};
use kaizen_cli::keys::Keyring;
use prost::{Message, Name};
use serde_json::json;

use crate::{
    chain::{grpc_error, Ctx},
    output::{any_json, print, proto_json},
};

/// `kaizen query account ADDRESS` (an address or a key name). Its JSON is the
/// `QueryAccountResponse` with the account and its public key unpacked from their `Any`s
/// (`{"account": {"@type": "/cosmos.auth.v1beta1.BaseAccount", ...}}`), as `gaiad q auth
/// account` prints it.
pub async fn account(ctx: &Ctx, address: &str) -> anyhow::Result<()> {
    let address = Keyring::open(&ctx.home)?.resolve(address)?;
    let acc: BaseAccount = ctx.ep.account(&address).await?.with_context(|| {
        format!("{address} has no account: it has never held funds on this chain")
    })?;
    let mut account = any_json(&acc)?;
    if let Some(pk) = acc
        .pub_key
        .as_ref()
        .filter(|pk| pk.type_url == PubKey::type_url())
    {
        account["pub_key"] = any_json(&PubKey::decode(pk.value.as_slice())?)?;
    }
    // QueryAccountResponse's one field, its `Any` unpacked.
    print(ctx.out, json!({ "account": account }), || {
        format!(
            "address: {}\naccount_number: {}\nsequence: {}",
            acc.address, acc.account_number, acc.sequence
        )
    });
    Ok(())
}

/// `kaizen query tx HASH`: a transaction's result and events. Its JSON is the `TxResponse`,
/// as `gaiad q tx` prints it.
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
    print(ctx.out, proto_json(&r)?, || {
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
