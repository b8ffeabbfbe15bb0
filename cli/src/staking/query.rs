//! `kaizen query staking da-operators|da-operator|epoch|evaluators|evaluator`: the JSON
//! of each is its gRPC response message.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::staking::v1 as staking;
use serde_json::Value;

use super::StakingQuery;
use crate::{
    chain::{grpc_error, resolve_address},
    output::{proto_json, table},
};

pub async fn staking_query(ep: &Endpoints, cmd: StakingQuery) -> anyhow::Result<(Value, String)> {
    let mut client = staking::query_client::QueryClient::new(ep.channel().await?);
    match cmd {
        StakingQuery::DaOperators => {
            let r = client
                .da_operators(staking::QueryDaOperatorsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner();
            let ops = &r.operators;
            let text = if ops.is_empty() {
                "no DA operators".to_string()
            } else {
                ops.iter()
                    .map(|o| {
                        format!(
                            "{} {} bond {}ukzn{}",
                            o.address,
                            o.endpoint,
                            o.bond,
                            if o.jailed { " (jailed)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            Ok((proto_json(&r)?, text))
        }
        StakingQuery::DaOperator { address } => {
            let r = client
                .da_operator(staking::QueryDaOperatorRequest { address })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let o = r.operator.as_ref().context("empty answer")?;
            let text = serde_json::to_string_pretty(&proto_json(o)?)?;
            Ok((proto_json(&r)?, text))
        }
        StakingQuery::Evaluators => evaluators_query(ep).await,
        StakingQuery::Evaluator { address } => evaluator_query(ep, &address).await,
        StakingQuery::Epoch => {
            let e = client
                .epoch(staking::QueryEpochRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner();
            Ok((
                proto_json(&e)?,
                format!(
                    "epoch {} at height {} ({} blocks each; the next starts at {})",
                    e.epoch, e.height, e.epoch_blocks, e.next_epoch_height
                ),
            ))
        }
    }
}

/// `kaizen query staking evaluators`.
pub async fn evaluators_query(ep: &Endpoints) -> anyhow::Result<(Value, String)> {
    let r = staking::query_client::QueryClient::new(ep.channel().await?)
        .evaluators(staking::QueryEvaluatorsRequest {})
        .await
        .map_err(grpc_error)?
        .into_inner();
    Ok((proto_json(&r)?, evaluators_text(&r.evaluators)))
}

/// `kaizen query staking evaluator ADDRESS` (an address or a key name).
pub async fn evaluator_query(ep: &Endpoints, address: &str) -> anyhow::Result<(Value, String)> {
    let address = resolve_address(ep, address)?;
    let r = staking::query_client::QueryClient::new(ep.channel().await?)
        .evaluator(staking::QueryEvaluatorRequest {
            address: address.clone(),
        })
        .await
        .map_err(grpc_error)
        .with_context(|| format!("evaluator {address}"))?
        .into_inner();
    let e = r
        .evaluator
        .as_ref()
        .with_context(|| format!("{address} is not an evaluator"))?;
    Ok((proto_json(&r)?, evaluator_text(e)))
}

pub fn evaluators_text(evs: &[staking::Evaluator]) -> String {
    if evs.is_empty() {
        return "no evaluators".to_string();
    }
    let rows: Vec<Vec<String>> = evs
        .iter()
        .map(|e| {
            vec![
                e.address.clone(),
                format!("{}ukzn", e.bond),
                if e.jailed {
                    format!("until {}", e.jailed_until_height)
                } else {
                    "no".to_string()
                },
                e.jobs_agreed.to_string(),
                e.faults.to_string(),
                if e.endpoint.is_empty() {
                    "-".to_string()
                } else {
                    e.endpoint.clone()
                },
            ]
        })
        .collect();
    table(
        &["ADDRESS", "BOND", "JAILED", "AGREED", "FAULTS", "ENDPOINT"],
        &rows,
    )
}

pub fn evaluator_text(e: &staking::Evaluator) -> String {
    format!(
        "evaluator {}\nbond: {}ukzn (slashed {}ukzn over its life)\nendpoint: {}\nregistered at height {}\njailed: {}\njobs agreed: {}; faults: {}",
        e.address,
        e.bond,
        if e.slashed.is_empty() { "0" } else { &e.slashed },
        if e.endpoint.is_empty() { "-" } else { &e.endpoint },
        e.registered_height,
        if e.jailed {
            format!("yes, may unjail from height {}", e.jailed_until_height)
        } else {
            "no".to_string()
        },
        e.jobs_agreed,
        e.faults
    )
}
