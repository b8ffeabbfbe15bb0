//! The text of bounties, submissions and models, and a submission's verdict.

use kaizen_proto::kaizen::bounty::v1 as bounty;

use crate::output::{
    failure_meaning, format_percent, format_score, hex_or_none, is_error_metric, short_name, table,
};

pub fn bounty_status(s: i32) -> String {
    short_name(
        bounty::BountyStatus::try_from(s)
            .ok()
            .map(|v| v.as_str_name()),
        "BOUNTY_STATUS_",
    )
}

pub fn bounty_mode(s: i32) -> String {
    short_name(
        bounty::BountyMode::try_from(s)
            .ok()
            .map(|v| v.as_str_name()),
        "BOUNTY_MODE_",
    )
}

pub fn submission_status(s: i32) -> String {
    short_name(
        bounty::SubmissionStatus::try_from(s)
            .ok()
            .map(|v| v.as_str_name()),
        "SUBMISSION_STATUS_",
    )
}

pub fn target_text(b: &bounty::Bounty) -> String {
    // The effective target is known once the baseline is scored (and registered).
    let decided = b.baseline_model_id != 0;
    if b.target_is_improvement {
        let step = if is_error_metric(&b.metric) {
            format!("{} ppm better than the baseline", b.min_improvement_ppm)
        } else {
            format!(
                "baseline + {} points",
                format_percent(b.min_improvement_ppm).trim_end_matches('%')
            )
        };
        if decided {
            format!(
                "{step} = {}",
                format_score(b.effective_target_ppm, &b.metric)
            )
        } else {
            step
        }
    } else {
        format_score(b.target_score_ppm, &b.metric)
    }
}

pub fn bounty_text(b: &bounty::Bounty) -> String {
    let mut s = format!(
        "bounty {}: {}\nstatus: {}\nsponsor: {}\nmode: {}\nmetric: {} ({} is better)\n",
        b.id,
        b.title,
        bounty_status(b.status),
        b.sponsor,
        bounty_mode(b.mode),
        b.metric,
        if b.higher_is_better {
            "higher"
        } else {
            "lower"
        },
    );
    s += &format!(
        "test set: {}\nbaseline model: {}\n",
        hex::encode(&b.test_set),
        hex::encode(&b.baseline_model)
    );
    if !b.wasm_metric.is_empty() {
        s += &format!("wasm metric: {}\n", hex::encode(&b.wasm_metric));
    }
    if b.status == bounty::BountyStatus::EvaluatingBaseline as i32 {
        s += &format!("baseline: being scored (job {})\n", b.baseline_job_id);
    } else if b.status == bounty::BountyStatus::BaselineFailed as i32 {
        s += &format!(
            "baseline: could not be scored (job {})\n",
            b.baseline_job_id
        );
    } else if b.baseline_model_id == 0 {
        s += &format!("baseline: not scored (job {})\n", b.baseline_job_id);
    } else {
        s += &format!(
            "baseline: {}, job {}, model {}\n",
            format_score(b.baseline_score_ppm, &b.metric),
            b.baseline_job_id,
            b.baseline_model_id
        );
    }
    s += &format!("target: {}\n", target_text(b));
    s += &format!(
        "reward: {}ukzn (submitter {}, verifiers {}); royalty {} per call\n",
        b.reward,
        format_percent(u64::from(b.submitter_share_ppm)),
        format_percent(u64::from(b.verifier_share_ppm)),
        format_percent(u64::from(b.royalty_ppm)),
    );
    s += &format!(
        "submission fee: {}ukzn; {} submissions, {} live; committee {} with quorum {}\n",
        b.submission_fee, b.submission_count, b.live_submissions, b.committee_size, b.quorum
    );
    if b.leading_submission_id != 0 && b.winning_submission_id == 0 {
        s += &format!("leading: submission {}\n", b.leading_submission_id);
    }
    s += &format!(
        "created at height {}; deadline height {}",
        b.created_height, b.deadline_height
    );
    if b.closed_height != 0 {
        s += &format!("; closed at height {}", b.closed_height);
    }
    if b.winning_submission_id != 0 {
        s += &format!(
            "\nwinner: submission {} (model {})",
            b.winning_submission_id, b.winning_model_id
        );
    }
    s
}

fn score_cell(s: &bounty::Submission, metric: &str) -> String {
    match bounty::SubmissionStatus::try_from(s.status) {
        Ok(bounty::SubmissionStatus::Scored | bounty::SubmissionStatus::Won) => {
            format_score(s.score_ppm, metric)
        }
        Ok(bounty::SubmissionStatus::Failed) => format!(
            "failed {}: {}",
            s.failure_code,
            failure_meaning(s.failure_code)
        ),
        _ => "-".to_string(),
    }
}

pub fn submissions_text(subs: &[bounty::Submission], metric: &str, ranked: bool) -> String {
    if subs.is_empty() {
        return if ranked {
            "no scored submissions yet".to_string()
        } else {
            "no submissions yet".to_string()
        };
    }
    let rows: Vec<Vec<String>> = subs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut r = Vec::new();
            if ranked {
                r.push((i + 1).to_string());
            }
            r.extend([
                s.id.to_string(),
                submission_status(s.status),
                score_cell(s, metric),
                if s.beats_target { "yes" } else { "no" }.to_string(),
                s.commit_height.to_string(),
                if s.job_id == 0 {
                    "-".to_string()
                } else {
                    s.job_id.to_string()
                },
                s.submitter.clone(),
            ]);
            r
        })
        .collect();
    let mut header = Vec::new();
    if ranked {
        header.push("RANK");
    }
    header.extend([
        "ID",
        "STATUS",
        "SCORE",
        "BEATS",
        "COMMITTED",
        "JOB",
        "SUBMITTER",
    ]);
    table(&header, &rows)
}

pub fn model_text(m: &bounty::Model) -> String {
    let mut s = format!("model {}\n", m.id);
    if m.blob.is_empty() {
        s += &format!("patch {} of model {}\n", hex_or_none(&m.patch), m.parent_id);
    } else {
        s += &format!("blob: {}\n", hex::encode(&m.blob));
        if m.parent_id != 0 {
            s += &format!("parent: model {}\n", m.parent_id);
        }
    }
    s += &format!(
        "bounty {}; improver {}\nscore: {} on {}\nregistered at height {}",
        m.bounty_id,
        if m.improver.is_empty() {
            "-"
        } else {
            &m.improver
        },
        format_score(m.score_ppm, &m.metric),
        m.metric,
        m.registered_height
    );
    if !m.beneficiaries.is_empty() {
        s += "\nroyalties:";
        for b in &m.beneficiaries {
            s += &format!(
                "\n  {} {}",
                b.beneficiary,
                format_percent(u64::from(b.royalty_ppm))
            );
        }
    }
    s
}

pub fn verdict_text(
    s: &bounty::Submission,
    b: &bounty::Bounty,
    paid: Option<&bounty::EventBountySettled>,
) -> String {
    use bounty::SubmissionStatus as S;
    let mut t = format!(
        "submission {} on bounty {}: {}",
        s.id,
        s.bounty_id,
        submission_status(s.status).to_uppercase()
    );
    match S::try_from(s.status) {
        Ok(S::Scored | S::Won) => {
            t += &format!(
                "\nscore: {} on {}\ntarget: {} — {}",
                format_score(s.score_ppm, &b.metric),
                b.metric,
                format_score(b.effective_target_ppm, &b.metric),
                if s.beats_target {
                    "beaten"
                } else {
                    "not beaten"
                }
            );
            if s.status == S::Scored as i32 && s.beats_target {
                t += &match bounty::BountyMode::try_from(b.mode) {
                    Ok(bounty::BountyMode::BestByDeadline) => format!(
                        "\nit wins if it is still the best at the deadline (height {})",
                        b.deadline_height
                    ),
                    _ => "\nit wins once every earlier commit is decided and none beats the target"
                        .to_string(),
                };
            }
            if s.status == S::Won as i32 {
                t += &match paid {
                    Some(p) => format!(
                        "\npaid {}ukzn to {} ({}ukzn to the verifiers); registered as model {}",
                        p.submitter_amount, s.submitter, p.verifier_amount, p.model_id
                    ),
                    None => format!(
                        "\nwon the {}ukzn reward (submitter share {}); registered as model {}",
                        b.reward,
                        format_percent(u64::from(b.submitter_share_ppm)),
                        b.winning_model_id
                    ),
                };
            }
        }
        Ok(S::Failed) => {
            t += &format!(
                "\nfailure code {}: {}",
                s.failure_code,
                failure_meaning(s.failure_code)
            );
        }
        Ok(S::Expired) => {
            t += &format!(
                "\nnot revealed by height {}: the submission fee is forfeited",
                s.reveal_deadline_height
            );
        }
        _ => {}
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_explain_failures_and_wins() {
        let b = bounty::Bounty {
            id: 3,
            metric: "recall:1".into(),
            effective_target_ppm: 850_000,
            reward: "10000000".into(),
            submitter_share_ppm: 800_000,
            winning_model_id: 5,
            ..Default::default()
        };
        let mut s = bounty::Submission {
            id: 7,
            bounty_id: 3,
            status: bounty::SubmissionStatus::Failed as i32,
            failure_code: 2,
            ..Default::default()
        };
        let t = verdict_text(&s, &b, None);
        assert!(
            t.contains("FAILED") && t.contains("failure code 2: wrong input shape"),
            "{t}"
        );
        s.status = bounty::SubmissionStatus::Won as i32;
        s.failure_code = 0;
        s.score_ppm = 871_234;
        s.beats_target = true;
        let paid = bounty::EventBountySettled {
            submitter_amount: "8000000".into(),
            verifier_amount: "2000000".into(),
            model_id: 5,
            ..Default::default()
        };
        let t = verdict_text(&s, &b, Some(&paid));
        assert!(t.contains("87.1234% (871234 ppm)"), "{t}");
        assert!(t.contains("85.0000%") && t.contains("beaten"), "{t}");
        assert!(t.contains("paid 8000000ukzn"), "{t}");
    }
}
