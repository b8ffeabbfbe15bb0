//! `kaizen query attest ...`: the query, and the JSON and text of a job.

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::attest::v1 as attest;
use serde_json::{json, Value};

use super::AttestQuery;
use crate::{
    chain::{grpc_error, resolve_address},
    output::{failure_meaning, format_score, hex_or_none, short_name, table},
};

pub async fn attest_query(ep: &Endpoints, cmd: AttestQuery) -> anyhow::Result<(Value, String)> {
    let mut client = attest::query_client::QueryClient::new(ep.channel().await?);
    match cmd {
        AttestQuery::Job { id } => {
            let j = client
                .job(attest::QueryJobRequest { id })
                .await
                .map_err(grpc_error)
                .with_context(|| format!("job {id}"))?
                .into_inner()
                .job
                .context("empty answer")?;
            Ok((job_json(&j), job_text(&j)))
        }
        AttestQuery::Assigned { address } => {
            let evaluator = resolve_address(ep, &address)?;
            let jobs = client
                .assigned_jobs(attest::QueryAssignedJobsRequest {
                    evaluator: evaluator.clone(),
                })
                .await
                .map_err(grpc_error)?
                .into_inner()
                .jobs;
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
                )
            };
            Ok((
                json!({"evaluator": evaluator, "jobs": jobs.iter().map(job_json).collect::<Vec<_>>()}),
                text,
            ))
        }
        AttestQuery::Params => {
            let p = client
                .params(attest::QueryParamsRequest {})
                .await
                .map_err(grpc_error)?
                .into_inner()
                .params
                .context("empty answer")?;
            let v = json!({
                "commit_window_blocks": p.commit_window_blocks,
                "reveal_window_blocks": p.reveal_window_blocks,
                "max_rounds": p.max_rounds, "slash_ppm": p.slash_ppm, "jail_blocks": p.jail_blocks,
                "min_evaluator_bond": p.min_evaluator_bond, "max_committee_size": p.max_committee_size,
                "max_queue_items_per_block": p.max_queue_items_per_block,
            });
            let text = serde_json::to_string_pretty(&v)?;
            Ok((v, text))
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

fn outcome_json(o: Option<&attest::Outcome>) -> Value {
    match o {
        None => Value::Null,
        Some(o) => json!({
            "score_ppm": o.score_ppm, "predictions_digest": hex::encode(&o.predictions_digest),
            "failure_code": o.failure_code,
        }),
    }
}

pub fn job_json(j: &attest::EvaluationJob) -> Value {
    let a = j.artifacts.clone().unwrap_or_default();
    json!({
        "id": j.id, "kind": job_kind(j.kind), "bounty_id": j.bounty_id,
        "submission_id": j.submission_id,
        "artifacts": {
            "model": hex::encode(&a.model), "parent_model": hex::encode(&a.parent_model),
            "patch": hex::encode(&a.patch), "test_set": hex::encode(&a.test_set),
            "metric": a.metric, "wasm_metric": hex::encode(&a.wasm_metric),
        },
        "committee_size": j.committee_size, "quorum": j.quorum, "fee": j.fee,
        "refund_to": j.refund_to, "round": j.round, "committee": j.committee,
        "commit_deadline_height": j.commit_deadline_height,
        "reveal_deadline_height": j.reveal_deadline_height, "status": job_status(j.status),
        "attestations": j.attestations.iter().map(|t| json!({
            "evaluator": t.evaluator, "round": t.round, "commitment": hex::encode(&t.commitment),
            "commit_height": t.commit_height, "revealed": t.revealed,
            "outcome": outcome_json(t.outcome.as_ref()), "reveal_height": t.reveal_height,
        })).collect::<Vec<_>>(),
        "outcome": outcome_json(j.outcome.as_ref()), "agreeing": j.agreeing,
        "created_height": j.created_height, "final_height": j.final_height, "excluded": j.excluded,
    })
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
    s += &format!(
        "committee ({} of {} must agree): {}\nfee: {}ukzn (refunded to {} without a quorum)\n",
        j.quorum,
        j.committee_size,
        j.committee.join(", "),
        j.fee,
        j.refund_to
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
