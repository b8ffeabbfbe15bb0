//! `kaizen query bounty list|show|submissions|leaderboard|model|params`, and the reads the
//! other bounty commands share.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::bounty::v1 as bounty;
use serde_json::{json, Value};

use super::{display::*, BountyQuery};
use crate::{chain::grpc_error, output::table};

pub async fn bounty_query(ep: &Endpoints, cmd: BountyQuery) -> anyhow::Result<(Value, String)> {
    let mut client = bounty_client(ep).await?;
    match cmd {
        BountyQuery::List { start_after, limit } => {
            let bs = client
                .bounties(bounty::QueryBountiesRequest { start_after, limit })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .bounties;
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
            Ok((
                json!({"bounties": bs.iter().map(bounty_json).collect::<Vec<_>>()}),
                text,
            ))
        }
        BountyQuery::Show { id } => {
            let b = get_bounty(ep, id).await?;
            Ok((bounty_json(&b), bounty_text(&b)))
        }
        BountyQuery::Submissions { id } => {
            let b = get_bounty(ep, id).await?;
            let subs = client
                .submissions(bounty::QuerySubmissionsRequest { bounty_id: id })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .submissions;
            Ok((
                json!({"submissions": subs.iter().map(submission_json).collect::<Vec<_>>()}),
                submissions_text(&subs, &b.metric, false),
            ))
        }
        BountyQuery::Leaderboard { id } => {
            let b = get_bounty(ep, id).await?;
            let subs = client
                .leaderboard(bounty::QueryLeaderboardRequest { bounty_id: id })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .submissions;
            Ok((
                json!({"bounty_id": id, "target_ppm": b.effective_target_ppm, "submissions": subs.iter().map(submission_json).collect::<Vec<_>>()}),
                submissions_text(&subs, &b.metric, true),
            ))
        }
        BountyQuery::Model { id } => {
            let m = client
                .model(bounty::QueryModelRequest { id })
                .await
                .map_err(grpc_error)
                .with_context(|| format!("model {id}"))?
                .into_inner()
                .model
                .context("empty answer")?;
            Ok((model_json(&m), model_text(&m)))
        }
        BountyQuery::Params => {
            let p = client
                .params(bounty::QueryParamsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner()
                .params
                .context("empty answer")?;
            let v = json!({
                "max_submissions_per_bounty": p.max_submissions_per_bounty,
                "reveal_window_blocks": p.reveal_window_blocks,
                "max_deadline_blocks": p.max_deadline_blocks,
                "max_title_bytes": p.max_title_bytes,
                "max_queue_items_per_block": p.max_queue_items_per_block,
            });
            let text = serde_json::to_string_pretty(&v)?;
            Ok((v, text))
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
