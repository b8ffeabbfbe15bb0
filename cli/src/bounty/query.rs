//! `kaizen query bounty list|show|submissions|leaderboard|model|params` (the JSON of each
//! is its gRPC response message), and the reads the other bounty commands share.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::bounty::v1 as bounty;
use serde_json::Value;

use super::{display::*, BountyQuery};
use crate::{
    chain::grpc_error,
    output::{proto_json, table},
};

pub async fn bounty_query(ep: &Endpoints, cmd: BountyQuery) -> anyhow::Result<(Value, String)> {
    let mut client = bounty_client(ep).await?;
    match cmd {
        BountyQuery::List { start_after, limit } => {
            let r = client
                .bounties(bounty::QueryBountiesRequest { start_after, limit })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let bs = &r.bounties;
            let text = if bs.is_empty() {
                "no bounties".to_string()
            } else {
                let rows: Vec<Vec<String>> = bs
                    .iter()
                    .map(|b| {
                        vec![
                            b.id.to_string(),
                            bounty_status(b.status),
                            bounty_mode(b.mode),
                            b.metric.clone(),
                            target_text(b),
                            format!("{}ukzn", b.reward),
                            b.submission_count.to_string(),
                            b.deadline_height.to_string(),
                            b.title.clone(),
                        ]
                    })
                    .collect();
                table(
                    &[
                        "ID", "STATUS", "MODE", "METRIC", "TARGET", "REWARD", "SUBS", "DEADLINE",
                        "TITLE",
                    ],
                    &rows,
                )
            };
            Ok((proto_json(&r)?, text))
        }
        BountyQuery::Show { id } => {
            let b = get_bounty(ep, id).await?;
            let text = bounty_text(&b);
            let r = bounty::QueryBountyResponse { bounty: Some(b) };
            Ok((proto_json(&r)?, text))
        }
        BountyQuery::Submissions {
            id,
            start_after,
            limit,
        } => {
            let b = get_bounty(ep, id).await?;
            let r = client
                .submissions(bounty::QuerySubmissionsRequest {
                    bounty_id: id,
                    start_after,
                    limit,
                })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let mut text = submissions_text(&r.submissions, &b.metric, false);
            if r.next_start_after != 0 {
                text += &format!("\nmore: --start-after {}", r.next_start_after);
            }
            Ok((proto_json(&r)?, text))
        }
        BountyQuery::Leaderboard { id, limit } => {
            let b = get_bounty(ep, id).await?;
            let r = client
                .leaderboard(bounty::QueryLeaderboardRequest {
                    bounty_id: id,
                    limit,
                })
                .await
                .map_err(grpc_error)?
                .into_inner();
            Ok((
                proto_json(&r)?,
                submissions_text(&r.submissions, &b.metric, true),
            ))
        }
        BountyQuery::Model { id } => {
            let r = client
                .model(bounty::QueryModelRequest { id })
                .await
                .map_err(grpc_error)
                .with_context(|| format!("model {id}"))?
                .into_inner();
            let m = r.model.as_ref().context("empty answer")?;
            Ok((proto_json(&r)?, model_text(m)))
        }
        BountyQuery::Params => {
            let r = client
                .params(bounty::QueryParamsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner();
            let p = r.params.as_ref().context("empty answer")?;
            let text = serde_json::to_string_pretty(&proto_json(p)?)?;
            Ok((proto_json(&r)?, text))
        }
    }
}

pub async fn bounty_client(
    ep: &Endpoints,
) -> anyhow::Result<bounty::query_client::QueryClient<tonic::transport::Channel>> {
    Ok(bounty::query_client::QueryClient::new(ep.channel().await?))
}

pub async fn get_bounty(ep: &Endpoints, id: u64) -> anyhow::Result<bounty::Bounty> {
    bounty_client(ep)
        .await?
        .bounty(bounty::QueryBountyRequest { id })
        .await
        .map_err(grpc_error)
        .with_context(|| format!("bounty {id}"))?
        .into_inner()
        .bounty
        .with_context(|| format!("bounty {id}: empty answer"))
}

pub async fn get_submission(ep: &Endpoints, id: u64) -> anyhow::Result<bounty::Submission> {
    bounty_client(ep)
        .await?
        .submission(bounty::QuerySubmissionRequest { id })
        .await
        .map_err(grpc_error)
        .with_context(|| format!("submission {id}"))?
        .into_inner()
        .submission
        .with_context(|| format!("submission {id}: empty answer"))
}
