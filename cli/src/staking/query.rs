//! `kaizen query staking da-operators|da-operator|epoch|evaluators|evaluator`.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::staking::v1 as staking;
use serde_json::{json, Value};

use super::StakingQuery;
use crate::{
    chain::{grpc_error, resolve_address},
    output::table,
};

pub async fn staking_query(ep: &Endpoints, cmd: StakingQuery) -> anyhow::Result<(Value, String)> {
    let mut client = staking::query_client::QueryClient::new(ep.channel().await?);
    match cmd {
        StakingQuery::DaOperators => {
            let ops = client
                .da_operators(staking::QueryDaOperatorsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner()
                .operators;
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
            Ok((
                json!({"operators": ops.iter().map(operator_json).collect::<Vec<_>>()}),
                text,
            ))
        }
        StakingQuery::DaOperator { address } => {
            let o = client
                .da_operator(staking::QueryDaOperatorRequest { address })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .operator
                .context("empty answer")?;
            let v = operator_json(&o);
            let text = serde_json::to_string_pretty(&v)?;
            Ok((v, text))
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
                json!({"epoch": e.epoch, "height": e.height, "epoch_blocks": e.epoch_blocks, "next_epoch_height": e.next_epoch_height}),
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
    let evs = staking::query_client::QueryClient::new(ep.channel().await?)
        .evaluators(staking::QueryEvaluatorsRequest {})
        .await
        .map_err(grpc_error)?
        .into_inner()
        .evaluators;
    Ok((
        json!({"evaluators": evs.iter().map(evaluator_json).collect::<Vec<_>>()}),
        evaluators_text(&evs),
    ))
}

/// `kaizen query staking evaluator ADDRESS` (an address or a key name).
pub async fn evaluator_query(ep: &Endpoints, address: &str) -> anyhow::Result<(Value, String)> {
    let address = resolve_address(ep, address)?;
    let e = staking::query_client::QueryClient::new(ep.channel().await?)
        .evaluator(staking::QueryEvaluatorRequest {
            address: address.clone(),
        })
        .await
        .map_err(grpc_error)
        .with_context(|| format!("evaluator {address}"))?
        .into_inner()
        .evaluator
        .with_context(|| format!("{address} is not an evaluator"))?;
    Ok((evaluator_json(&e), evaluator_text(&e)))
}

fn operator_json(o: &staking::DaOperator) -> Value {
    json!({
        "address": o.address,
        "bls_public_key": hex::encode(&o.bls_public_key),
        "endpoint": o.endpoint,
        "bond": o.bond,
        "jailed": o.jailed,
        "jailed_until_height": o.jailed_until_height,
        "consecutive_misses": o.consecutive_misses,
        "answered_challenges": o.answered_challenges,
        "missed_challenges": o.missed_challenges,
    })
}

pub fn evaluator_json(e: &staking::Evaluator) -> Value {
    json!({
        "address": e.address, "bond": e.bond, "endpoint": e.endpoint,
        "registered_height": e.registered_height, "jailed": e.jailed,
        "jailed_until_height": e.jailed_until_height, "slashed": e.slashed,
        "jobs_agreed": e.jobs_agreed, "faults": e.faults,
    })
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
