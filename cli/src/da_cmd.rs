//! `kaizen da ...`, `kaizen query da ...`, `kaizen query staking ...`: blobs on the DA
//! network, and the registrations and challenges behind them.
//!
//! Each command returns what it prints: JSON for `--output json`, and text.

use anyhow::Context;
use clap::Subcommand;
use kaizen_cli::client::Endpoints;
use kaizen_da_core::BlobRef;
use kaizen_proto::kaizen::{da::v1 as da, staking::v1 as staking};
use serde_json::{json, Value};

#[derive(Subcommand)]
pub enum DaQuery {
    /// A blob's record: `kaizen query da blob REF` (a BlobRef or a hex commitment).
    Blob { blob: String },
    /// An epoch's quorum of DA operators (the current one by default).
    Quorum {
        #[arg(long)]
        epoch: Option<u64>,
    },
    /// Open storage challenges of an operator.
    Challenges { operator: String },
    /// The DA module's parameters.
    Params,
}

#[derive(Subcommand)]
pub enum StakingQuery {
    /// Every registered DA operator.
    DaOperators,
    /// One DA operator.
    DaOperator { address: String },
    /// The current epoch.
    Epoch,
    /// Every registered evaluator.
    Evaluators,
    /// One evaluator (an address or a key name).
    Evaluator { address: String },
}

/// A commitment from a BlobRef or 64 hex digits.
pub fn commitment_of(blob: &str) -> anyhow::Result<Vec<u8>> {
    if let Ok(r) = blob.parse::<BlobRef>() {
        return Ok(r.commitment.to_vec());
    }
    let bytes = hex::decode(blob.trim_start_matches("0x"))
        .ok()
        .filter(|b| b.len() == 32)
        .with_context(|| {
            format!("{blob:?} is neither a BlobRef (p0/<hex>/<size>/<k>+<m>/rs16) nor a 64-digit hex commitment")
        })?;
    Ok(bytes)
}

fn status_name(status: i32) -> &'static str {
    match da::BlobStatus::try_from(status) {
        Ok(da::BlobStatus::Pending) => "pending",
        Ok(da::BlobStatus::Available) => "available",
        Ok(da::BlobStatus::Expired) => "expired",
        _ => "unknown",
    }
}

pub fn blob_json(b: &da::Blob) -> Value {
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

fn grpc_error(s: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}", s.message())
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
        StakingQuery::Evaluators => crate::bounty_cmd::evaluators_query(ep).await,
        StakingQuery::Evaluator { address } => {
            crate::bounty_cmd::evaluator_query(ep, &address).await
        }
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

#[derive(Subcommand)]
pub enum DaCmd {
    /// Store a file on the DA network: encode, pay, disperse, certify. Prints the BlobRef.
    Put {
        file: std::path::PathBuf,
        /// Key name that pays.
        #[arg(long)]
        from: String,
        /// `K+M` original and recovery shards (default: from the quorum size).
        #[arg(long)]
        shards: Option<String>,
        /// Blocks to keep the blob.
        #[arg(long, default_value_t = 1000)]
        retention_blocks: u64,
        /// Most ukzn to pay (default: the fee the chain's parameters give).
        #[arg(long)]
        max_fee: Option<u128>,
        /// Erasure coder: auto (GPU when usable), cpu or cuda.
        #[arg(long, default_value = "auto")]
        coder: String,
    },
    /// Read a blob back from any k verified shards.
    Get {
        blob: String,
        /// Where to write the blob (`-o`; `--output` is the global format flag).
        #[arg(long = "out", short = 'o')]
        out: std::path::PathBuf,
        /// Erasure coder: auto (GPU when usable), cpu or cuda.
        #[arg(long, default_value = "auto")]
        coder: String,
    },
}

pub(crate) fn parse_shards(s: &str) -> anyhow::Result<(usize, usize)> {
    let (k, m) = s
        .split_once('+')
        .with_context(|| format!("--shards {s:?}: want K+M, e.g. 16+16"))?;
    Ok((k.trim().parse()?, m.trim().parse()?))
}

/// The erasure coder for `--coder auto|cpu|cuda`; says on stderr which one and why.
pub(crate) fn coder(
    name: &str,
) -> anyhow::Result<std::sync::Arc<dyn kaizen_da_core::ErasureCoder>> {
    let choice: kaizen_cuda::CoderChoice = name.parse().map_err(anyhow::Error::msg)?;
    let (coder, reason) = kaizen_cuda::choose_coder(choice).map_err(anyhow::Error::msg)?;
    eprintln!("erasure coder: {} ({reason})", coder.name());
    Ok(coder)
}

pub(crate) fn bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:>10} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}

pub async fn da_cmd(
    ep: &Endpoints,
    home: &std::path::Path,
    cmd: DaCmd,
) -> anyhow::Result<(Value, String)> {
    use kaizen_da_client::dispersal::{DaClient, Progress, PutOptions};
    match cmd {
        DaCmd::Put {
            file,
            from,
            shards,
            retention_blocks,
            max_fee,
            coder: coder_name,
        } => {
            let data =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            anyhow::ensure!(
                !data.is_empty(),
                "{} is empty: a blob has at least one byte",
                file.display()
            );
            let (key, address) = kaizen_cli::keys::Keyring::open(home)?.signer(&from)?;
            let client = DaClient::new(ep.clone(), key, address, coder(&coder_name)?).await?;
            let pb = bar(0, "encoding");
            let progress = |p: Progress| match p {
                Progress::Encoded => pb.set_message("paying"),
                Progress::Paid => pb.set_message("storing"),
                Progress::Stored { done, total } => {
                    pb.set_length(total);
                    pb.set_position(done);
                }
                Progress::Certified => pb.set_message("certified"),
                Progress::Fetched { .. } => {}
            };
            let receipt = client
                .put(
                    &data,
                    &PutOptions {
                        shards: shards.as_deref().map(parse_shards).transpose()?,
                        retention_blocks,
                        max_fee,
                    },
                    &progress,
                )
                .await;
            pb.finish_and_clear();
            let receipt = receipt?;
            let t = &receipt.timings;
            let text = format!(
                "{}\n{} bytes certified by {} of {} operators for {}ukzn in {:.2} s (encode {:.2}, pay {:.2}, disperse {:.2}, certify {:.2}): {:.1} MB/s",
                receipt.blob_ref,
                data.len(),
                receipt.signers,
                receipt.quorum,
                receipt.fee,
                t.total,
                t.encode,
                t.pay,
                t.disperse,
                t.certify,
                data.len() as f64 / t.total.max(1e-9) / 1e6
            );
            Ok((serde_json::to_value(&receipt)?, text))
        }
        DaCmd::Get {
            blob,
            out: output,
            coder: coder_name,
        } => {
            let blob_ref: BlobRef = blob
                .parse()
                .map_err(|e: String| anyhow::anyhow!("{blob:?}: {e}"))?;
            // Reading signs nothing: any key-less client will do.
            let key = cosmrs::crypto::secp256k1::SigningKey::random();
            let address =
                kaizen_framework::Address::from_secp256k1_pubkey(&key.public_key().to_bytes())?;
            let client = DaClient::new(ep.clone(), key, address, coder(&coder_name)?).await?;
            let pb = bar(blob_ref.size, "fetching");
            let progress = |p: Progress| {
                if let Progress::Fetched { done, total } = p {
                    pb.set_length(total);
                    pb.set_position(done);
                }
            };
            let got = client.get(&blob_ref, &progress).await;
            pb.finish_and_clear();
            let (data, receipt) = got?;
            std::fs::write(&output, &data)
                .with_context(|| format!("writing {}", output.display()))?;
            let mut text = format!(
                "{} bytes written to {} in {:.2} s ({:.1} MB/s){}",
                data.len(),
                output.display(),
                receipt.seconds,
                data.len() as f64 / receipt.seconds.max(1e-9) / 1e6,
                if receipt.decoded {
                    ", decoded from recovery shards"
                } else {
                    ""
                }
            );
            for s in &receipt.skipped {
                text += &format!("\nskipped {s}");
            }
            Ok((serde_json::to_value(&receipt)?, text))
        }
    }
}
