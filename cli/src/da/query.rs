//! `kaizen query da blob|quorum|challenges|params`.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::da::v1 as da;
use serde_json::{json, Value};

use super::DaQuery;
use crate::{chain::grpc_error, upload::commitment_of};

fn status_name(status: i32) -> &'static str {
    match da::BlobStatus::try_from(status) {
        Ok(da::BlobStatus::Pending) => "pending",
        Ok(da::BlobStatus::Available) => "available",
        Ok(da::BlobStatus::Expired) => "expired",
        _ => "unknown",
    }
}

fn blob_json(b: &da::Blob) -> Value {
    json!({
        "commitment": hex::encode(&b.commitment),
        "size": b.size,
        "original_shards": b.original_shards,
        "recovery_shards": b.recovery_shards,
        "shard_bytes": b.shard_bytes,
        "codec": b.codec,
        "payer": b.payer,
        "fee": b.fee,
        "epoch": b.epoch,
        "paid_height": b.paid_height,
        "certify_deadline_height": b.certify_deadline_height,
        "expires_height": b.expires_height,
        "status": status_name(b.status),
        "certified_height": b.certified_height,
        "signer_bitmap": hex::encode(&b.signer_bitmap),
    })
}

pub async fn da_query(ep: &Endpoints, cmd: DaQuery) -> anyhow::Result<(Value, String)> {
    let mut client = da::query_client::QueryClient::new(ep.channel().await?);
    match cmd {
        DaQuery::Blob { blob } => {
            let b = client
                .blob(da::QueryBlobRequest {
                    commitment: commitment_of(&blob)?,
                })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .blob
                .context("empty answer")?;
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
            Ok((blob_json(&b), text))
        }
        DaQuery::Quorum { epoch } => {
            let q = client
                .quorum(da::QueryQuorumRequest {
                    epoch: epoch.unwrap_or(0),
                    current: epoch.is_none(),
                })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .quorum
                .context("empty answer")?;
            let members: Vec<Value> = q
                .members
                .iter()
                .map(|m| json!({"operator": m.operator, "endpoint": m.endpoint, "bond": m.bond}))
                .collect();
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
            Ok((
                json!({"epoch": q.epoch, "seed": hex::encode(&q.seed), "total_bond": q.total_bond, "members": members}),
                text,
            ))
        }
        DaQuery::Challenges { operator } => {
            let r = client
                .challenges(da::QueryChallengesRequest { operator })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let rows: Vec<Value> = r
                .challenges
                .iter()
                .map(|c| {
                    json!({"id": c.id, "commitment": hex::encode(&c.commitment), "shard_index": c.shard_index,
                           "segment_index": c.segment_index, "deadline_height": c.deadline_height})
                })
                .collect();
            let text = if rows.is_empty() {
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
            Ok((json!({ "challenges": rows }), text))
        }
        DaQuery::Params => {
            let p = client
                .params(da::QueryParamsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner()
                .params
                .context("empty answer")?;
            let v = json!({
                "base_fee": p.base_fee, "byte_block_fee_micro": p.byte_block_fee_micro,
                "max_blob_bytes": p.max_blob_bytes, "max_shards": p.max_shards,
                "min_retention_blocks": p.min_retention_blocks, "max_retention_blocks": p.max_retention_blocks,
                "certify_window_blocks": p.certify_window_blocks, "certify_bond_ppm": p.certify_bond_ppm,
                "max_quorum_size": p.max_quorum_size, "challenges_per_epoch": p.challenges_per_epoch,
                "challenge_window_blocks": p.challenge_window_blocks, "challenge_reward": p.challenge_reward,
            });
            let text = serde_json::to_string_pretty(&v)?;
            Ok((v, text))
        }
    }
}
