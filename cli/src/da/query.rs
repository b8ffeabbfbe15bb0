//! `kaizen query da blob|quorum|challenges|params`: the JSON of each is its gRPC response
//! message.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::da::v1 as da;
use serde_json::Value;

use super::DaQuery;
use crate::{chain::grpc_error, output::proto_json, upload::commitment_of};

fn status_name(status: i32) -> &'static str {
    match da::BlobStatus::try_from(status) {
        Ok(da::BlobStatus::Pending) => "pending",
        Ok(da::BlobStatus::Available) => "available",
        Ok(da::BlobStatus::Expired) => "expired",
        _ => "unknown",
    }
}

pub async fn da_query(ep: &Endpoints, cmd: DaQuery) -> anyhow::Result<(Value, String)> {
    let mut client = da::query_client::QueryClient::new(ep.channel().await?);
    match cmd {
        DaQuery::Blob { blob } => {
            let r = client
                .blob(da::QueryBlobRequest {
                    commitment: commitment_of(&blob)?,
                })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let b = r.blob.as_ref().context("empty answer")?;
            let text = format!(
                "commitment: {}\nstatus: {}\nsize: {} bytes in {}+{} shards of {} bytes\npaid by {} ({}ukzn) at height {}, epoch {}\nexpires at height {}",
                hex::encode(&b.commitment),
                status_name(b.status),
                b.size,
                b.original_shards,
                b.recovery_shards,
                b.shard_bytes,
                b.payer,
                b.fee,
                b.paid_height,
                b.epoch,
                b.expires_height
            );
            Ok((proto_json(&r)?, text))
        }
        DaQuery::Quorum { epoch } => {
            let r = client
                .quorum(da::QueryQuorumRequest {
                    epoch: epoch.unwrap_or(0),
                    current: epoch.is_none(),
                })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let q = r.quorum.as_ref().context("empty answer")?;
            let text = std::iter::once(format!(
                "epoch {} seed {} ({} members, bond {}ukzn)",
                q.epoch,
                hex::encode(&q.seed),
                q.members.len(),
                q.total_bond
            ))
            .chain(
                q.members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| format!("  {i}: {} {} ({}ukzn)", m.operator, m.endpoint, m.bond)),
            )
            .collect::<Vec<_>>()
            .join("\n");
            Ok((proto_json(&r)?, text))
        }
        DaQuery::Challenges { operator } => {
            let r = client
                .challenges(da::QueryChallengesRequest { operator })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let text = if r.challenges.is_empty() {
                "no open challenges".to_string()
            } else {
                r.challenges
                    .iter()
                    .map(|c| {
                        format!(
                            "#{} blob {} shard {} segment {} due by height {}",
                            c.id,
                            hex::encode(&c.commitment),
                            c.shard_index,
                            c.segment_index,
                            c.deadline_height
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            Ok((proto_json(&r)?, text))
        }
        DaQuery::Params => {
            let r = client
                .params(da::QueryParamsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner();
            let p = r.params.as_ref().context("empty answer")?;
            let text = serde_json::to_string_pretty(&proto_json(p)?)?;
            Ok((proto_json(&r)?, text))
        }
    }
}
