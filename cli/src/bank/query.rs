//! `kaizen query bank balances`: its JSON is the `QueryAllBalancesResponse`.

use cosmrs::proto::cosmos::bank::v1beta1::QueryAllBalancesRequest;
use kaizen_cli::keys::Keyring;
use serde_json::Value;

use super::BankQuery;
use crate::{
    chain::{grpc_error, Ctx},
    output::proto_json,
};

pub async fn bank_query(ctx: &Ctx, cmd: BankQuery) -> anyhow::Result<(Value, String)> {
    let BankQuery::Balances { address } = cmd;
    let address = Keyring::open(&ctx.home)?.resolve(&address)?;
    let r = ctx
        .ep
        .bank()
        .await?
        .all_balances(QueryAllBalancesRequest {
            address: address.to_string(),
            pagination: None,
            resolve_denom: false,
        })
        .await
        .map_err(grpc_error)?
        .into_inner();
    let text = if r.balances.is_empty() {
        format!("{address}: no balances")
    } else {
        r.balances
            .iter()
            .map(|c| format!("{}{}", c.amount, c.denom))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok((proto_json(&r)?, text))
}
