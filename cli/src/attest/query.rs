//! `kaizen query attest ...`: the query (its JSON is the gRPC response message), and the
//! text of a job.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::attest::v1 as attest;
use serde_json::Value;

use super::AttestQuery;
use crate::{
    chain::{grpc_error, resolve_address},
    output::{failure_meaning, format_score, hex_or_none, proto_json, short_name, table},
};

pub async fn attest_query(ep: &Endpoints, cmd: AttestQuery) -> anyhow::Result<(Value, String)> {
    let mut client = attest::query_client::QueryClient::new(ep.channel().await?);
    match cmd {
        AttestQuery::Job { id } => {
            let r = client
                .job(attest::QueryJobRequest { id })
                .await
                .map_err(grpc_error)
                .with_context(|| format!("job {id}"))?
                .into_inner();
            let j = r.job.as_ref().context("empty answer")?;
            Ok((proto_json(&r)?, job_text(j)))
        }
        AttestQuery::Assigned {
            address,
            start_after,
            limit,
        } => {
            let evaluator = resolve_address(ep, &address)?;
            let r = client
                .assigned_jobs(attest::QueryAssignedJobsRequest {
                    evaluator: evaluator.clone(),
                    start_after,
                    limit,
                })
                .await
                .map_err(grpc_error)?
                .into_inner();
            let jobs = &r.jobs;
            let text = if jobs.is_empty() {
                format!("no open jobs for {evaluator}")
            } else {
                let rows: Vec<Vec<String>> = jobs
                    .iter()
                    .map(|j| {
                        vec![
                            j.id.to_string(),
                            job_kind(j.kind),
                            j.bounty_id.to_string(),
                            if j.submission_id == 0 {
                                "-".to_string()
                            } else {
                                j.submission_id.to_string()
                            },
                            job_status(j.status),
                            j.round.to_string(),
                            j.commit_deadline_height.to_string(),
                            if j.reveal_deadline_height == 0 {
                                "-".to_string()
                            } else {
                                j.reveal_deadline_height.to_string()
                            },
                        ]
                    })
                    .collect();
                table(
                    &[
                        "JOB",
                        "KIND",
                        "BOUNTY",
                        "SUBMISSION",
                        "STATUS",
                        "ROUND",
                        "COMMIT_BY",
                        "REVEAL_BY",
                    ],
                    &rows,
                ) + &if r.next_start_after != 0 {
                    format!("\nmore: --start-after {}", r.next_start_after)
                } else {
                    String::new()
                }
            };
            Ok((proto_json(&r)?, text))
        }
        AttestQuery::Params => {
            let r = client
                .params(attest::QueryParamsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner();
            let p = r.params.as_ref().context("empty answer")?;
            let text = serde_json::to_string_pretty(&proto_json(p)?)?;
            Ok((proto_json(&r)?, text))
        }
    }
}

pub fn job_status(s: i32) -> String {
    short_name(
        attest::JobStatus::try_from(s).ok().map(|v| v.as_str_name()),
        "JOB_STATUS_",
    )
}

fn job_kind(s: i32) -> String {
    short_name(
        attest::JobKind::try_from(s).ok().map(|v| v.as_str_name()),
        "JOB_KIND_",
    )
}

fn outcome_text(o: Option<&attest::Outcome>, metric: &str, short: bool) -> String {
    match o {
        None => "-".to_string(),
        Some(o) if o.failure_code != 0 => format!(
            "failure {}: {}",
            o.failure_code,
            failure_meaning(o.failure_code)
        ),
        Some(o) => format!("{} digest {}", format_score(o.score_ppm, metric), {
            let d = hex_or_none(&o.predictions_digest);
            if short && d.len() > 16 {
                format!("{}…", &d[..16])
            } else {
                d
            }
        }),
    }
}

fn job_text(j: &attest::EvaluationJob) -> String {
    let a = j.artifacts.clone().unwrap_or_default();
    let mut s = format!(
        "job {} ({} of bounty {}{})\nstatus: {} (round {})\n",
        j.id,
        job_kind(j.kind),
        j.bounty_id,
        if j.submission_id != 0 {
            format!(", submission {}", j.submission_id)
        } else {
            String::new()
        },
        job_status(j.status),
        j.round
    );
    if a.model.is_empty() {
        s += &format!(
            "model: model {} + patch {}\n",
            hex_or_none(&a.parent_model),
            hex_or_none(&a.patch)
        );
    } else {
        s += &format!("model: {}\n", hex::encode(&a.model));
    }
    s += &format!(
        "test set: {}\nmetric: {}\n",
        hex::encode(&a.test_set),
        a.metric
    );
    let committee = if j.status == attest::JobStatus::AwaitingBeacon as i32 {
        format!("drawn from the beacon of epoch {}", j.beacon_epoch)
    } else {
        j.committee.join(", ")
    };
    s += &format!(
        "committee ({} of {} must agree): {}\nfee: {}ukzn (refunded to {} without a quorum)\n",
        j.quorum, j.committee_size, committee, j.fee, j.refund_to
    );
    s += &format!(
        "commits due by height {}{}",
        j.commit_deadline_height,
        if j.reveal_deadline_height != 0 {
            format!(", reveals by {}", j.reveal_deadline_height)
        } else {
            String::new()
        }
    );
    if !j.attestations.is_empty() {
        let rows: Vec<Vec<String>> = j
            .attestations
            .iter()
            .map(|t| {
                vec![
                    t.round.to_string(),
                    t.commit_height.to_string(),
                    if t.revealed {
                        t.reveal_height.to_string()
                    } else {
                        "-".to_string()
                    },
                    if t.revealed {
                        outcome_text(t.outcome.as_ref(), &a.metric, true)
                    } else {
                        "-".to_string()
                    },
                    t.evaluator.clone(),
                ]
            })
            .collect();
        s += "\n\n";
        s += &table(
            &["ROUND", "COMMITTED", "REVEALED", "OUTCOME", "EVALUATOR"],
            &rows,
        );
    }
    if j.final_height != 0 {
        s += &format!(
            "\n\nverdict at height {}: {}\nagreeing: {}",
            j.final_height,
            outcome_text(j.outcome.as_ref(), &a.metric, false),
            if j.agreeing.is_empty() {
                "-".to_string()
            } else {
                j.agreeing.join(", ")
            }
        );
    }
    if !j.excluded.is_empty() {
        s += &format!("\nexcluded: {}", j.excluded.join(", "));
    }
    s
}
