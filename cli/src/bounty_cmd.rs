//! Bounties from the command line: `kaizen tx bounty create|cancel`, `kaizen bounty
//! submit|reveal`, `kaizen query bounty ...`, `kaizen query attest ...`, and the evaluator
//! side of staking (`kaizen tx staking register-evaluator|unjail-evaluator`,
//! `kaizen query staking evaluators|evaluator`).
//!
//! A submission is a commit then a reveal (DESIGN.md §1 step 3). `kaizen bounty submit`
//! draws the salt and writes it, with the model reference, to
//! `<home>/submissions/pending-<commitment>.json` *before* the commit is broadcast, and
//! renames it to `<home>/submissions/<id>.json` once the commit is in a block: a CLI that
//! dies between the two transactions loses nothing, `kaizen bounty reveal ID` finishes.

use std::{
    io::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use cosmrs::{
    crypto::secp256k1::SigningKey,
    proto::{cosmos::base::abci::v1beta1::TxResponse, Any},
};
use kaizen_cli::{
    client::Endpoints,
    keys::Keyring,
    tx::{self, Gas, TxOptions},
};
use kaizen_framework::Address;
use kaizen_proto::kaizen::{
    attest::v1 as attest, bounty::v1 as bounty, da::v1 as da, staking::v1 as staking,
};
use prost::{Message, Name};
use serde_json::{json, Value};

use crate::{da_cmd, print, tx_response_json, Output, TxFlags};

/// Extra blocks an uploaded blob is kept past the bounty's deadline, so that the last
/// reveals can still be evaluated (every round of a job needs the artifacts).
const RETENTION_MARGIN_BLOCKS: u64 = 1000;

// ---------------------------------------------------------------------------------------
// Commands

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// The beating submission with the earliest commit wins.
    FirstToBeat,
    /// At the deadline, the best beating score wins.
    BestByDeadline,
}

impl From<Mode> for bounty::BountyMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::FirstToBeat => bounty::BountyMode::FirstToBeat,
            Mode::BestByDeadline => bounty::BountyMode::BestByDeadline,
        }
    }
}

/// How uploads to the DA network are made.
#[derive(clap::Args, Debug)]
pub struct UploadFlags {
    /// `K+M` original and recovery shards for uploaded files (default: from the quorum size).
    #[arg(long)]
    shards: Option<String>,
    /// Blocks to keep uploaded files (default: until the bounty's deadline plus 1000,
    /// within the DA module's limits).
    #[arg(long)]
    retention_blocks: Option<u64>,
    /// Erasure coder for uploads: auto, cpu or cuda.
    #[arg(long, default_value = "auto")]
    coder: String,
}

/// Signing flags of the commands that send several transactions.
#[derive(clap::Args, Debug)]
pub struct SignFlags {
    /// Key name that signs and pays.
    #[arg(long)]
    from: String,
    /// Fee of each transaction, e.g. 500ukzn (default: the minimum for the gas).
    #[arg(long)]
    fees: Option<String>,
    /// Gas limit, or `auto` to simulate first.
    #[arg(long, default_value = "auto")]
    gas: String,
    /// Multiplier on simulated gas with --gas auto.
    #[arg(long, default_value = "1.5")]
    gas_adjustment: String,
}

#[derive(clap::Args)]
pub struct CreateArgs {
    #[arg(long)]
    title: String,
    /// The test set already on DA: a BlobRef (as `kaizen da put` prints it) or a 64-digit
    /// hex commitment.
    #[arg(long, value_name = "REF")]
    test_set: Option<String>,
    /// Upload this test set (NPZ with `x` and `y`) first.
    #[arg(long, value_name = "FILE")]
    test_set_file: Option<PathBuf>,
    /// The baseline model already on DA (BlobRef or hex commitment).
    #[arg(long, value_name = "REF")]
    baseline: Option<String>,
    /// Upload this baseline model (ONNX) first.
    #[arg(long, value_name = "FILE")]
    baseline_file: Option<PathBuf>,
    /// `accuracy`, `macro_f1`, `precision:C`, `recall:C`, `f1:C`, `roc_auc:C`, `mse`,
    /// `mae` or `wasm`.
    #[arg(long)]
    metric: String,
    /// The WASM metric module on DA (BlobRef or hex commitment), for `--metric wasm`.
    #[arg(long, value_name = "REF")]
    wasm_metric: Option<String>,
    /// Upload this WASM metric module first, for `--metric wasm`.
    #[arg(long, value_name = "FILE")]
    wasm_metric_file: Option<PathBuf>,
    /// Absolute target score in ppm (e.g. 850000 for 85%).
    #[arg(long)]
    target_ppm: Option<u64>,
    /// Target relative to the baseline's score, in ppm (20000 = 2 percentage points).
    #[arg(long)]
    min_improvement_ppm: Option<u64>,
    /// Reward escrowed at once, in ukzn: `10000000` or `10000000ukzn`.
    #[arg(long)]
    reward: String,
    /// The submitter's share of the reward; the verifiers get the rest.
    #[arg(long, default_value_t = 800_000)]
    submitter_share_ppm: u32,
    /// Royalty on later calls of the winning model.
    #[arg(long, default_value_t = 0)]
    royalty_ppm: u32,
    #[arg(long, value_enum, default_value = "first-to-beat")]
    mode: Mode,
    /// Blocks from the latest height to the deadline.
    #[arg(long)]
    deadline_blocks: u64,
    /// Evaluators per job.
    #[arg(long, default_value_t = 3)]
    committee: u32,
    /// Agreeing evaluators a verdict needs.
    #[arg(long, default_value_t = 2)]
    quorum: u32,
    /// Paid with each commit (ukzn); it pays the evaluators of that submission.
    #[arg(long, default_value = "0")]
    submission_fee: String,
    #[command(flatten)]
    upload: UploadFlags,
    #[command(flatten)]
    common: TxFlags,
}

#[derive(Subcommand)]
pub enum BountyTx {
    /// Post a bounty and escrow its reward; the baseline is evaluated at once.
    Create(Box<CreateArgs>),
    /// Cancel a bounty (only its sponsor, only before any commit); refunds the reward.
    Cancel {
        id: u64,
        #[command(flatten)]
        common: TxFlags,
    },
}

#[derive(Subcommand)]
pub enum StakingTx {
    /// Bond stake and become an evaluator that committees are drawn from.
    RegisterEvaluator {
        /// Bond in ukzn: `2000000` or `2000000ukzn`.
        #[arg(long)]
        bond: String,
        /// Optional http(s) URL of the evaluator's metrics.
        #[arg(long, default_value = "")]
        endpoint: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Take a jailed evaluator back into committees once its jail time has passed.
    UnjailEvaluator {
        #[command(flatten)]
        common: TxFlags,
    },
}

#[derive(clap::Args)]
pub struct WaitFlags {
    /// Return once revealed, without waiting for the committee's verdict.
    #[arg(long)]
    no_wait: bool,
    /// Seconds to wait for the verdict.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
}

#[derive(Subcommand)]
pub enum BountyCmd {
    /// Upload a model (or a patch of a registered model), commit to it, reveal it, and
    /// wait for the committee's verdict.
    Submit {
        /// The ONNX model file (or a BlobRef / hex commitment already on DA). Leave out
        /// with --parent and --patch.
        model: Option<String>,
        /// The bounty's id.
        #[arg(long)]
        bounty: u64,
        /// A registered model this submission patches.
        #[arg(long, requires = "patch")]
        parent: Option<u64>,
        /// The patch file (or a BlobRef / hex commitment already on DA).
        #[arg(long, requires = "parent")]
        patch: Option<String>,
        #[command(flatten)]
        sign: SignFlags,
        #[command(flatten)]
        upload: UploadFlags,
        #[command(flatten)]
        wait: WaitFlags,
    },
    /// Reveal a committed submission from its saved salt (`<home>/submissions/ID.json`),
    /// then wait for the verdict.
    Reveal {
        submission_id: u64,
        #[command(flatten)]
        sign: SignFlags,
        #[command(flatten)]
        wait: WaitFlags,
    },
}

#[derive(Subcommand)]
pub enum BountyQuery {
    /// Bounties by id.
    List {
        /// Start after this id.
        #[arg(long, default_value_t = 0)]
        start_after: u64,
        /// At most this many (the chain caps it at 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// One bounty.
    Show { id: u64 },
    /// The submissions of a bounty.
    Submissions { id: u64 },
    /// The scored submissions of a bounty, best first.
    Leaderboard { id: u64 },
    /// A registered model and its lineage.
    Model { id: u64 },
    /// The bounty module's parameters.
    Params,
}

#[derive(Subcommand)]
pub enum AttestQuery {
    /// An evaluation job: artifacts, committee, attestations, verdict.
    Job { id: u64 },
    /// The open jobs an evaluator (address or key name) is on the committee of.
    Assigned { address: String },
    /// The attest module's parameters.
    Params,
}

// ---------------------------------------------------------------------------------------
// Parsing and formatting (pure)

/// An amount of ukzn: `10000000` or `10000000ukzn`.
pub fn parse_ukzn(flag: &str, s: &str) -> anyhow::Result<u128> {
    let t = s.trim();
    let digits = t.strip_suffix("ukzn").unwrap_or(t);
    anyhow::ensure!(
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        "{flag} {s:?}: want an amount of ukzn, e.g. 10000000 or 10000000ukzn"
    );
    digits
        .parse::<u128>()
        .with_context(|| format!("{flag} {s:?} is too large"))
}

/// A 32-byte blob commitment from a BlobRef or 64 hex digits, for `flag`.
pub fn parse_ref(flag: &str, s: &str) -> anyhow::Result<Vec<u8>> {
    da_cmd::commitment_of(s.trim()).with_context(|| flag.to_string())
}

/// Where an artifact comes from: already on DA, or a file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Ref(Vec<u8>),
    File(PathBuf),
}

/// Exactly one of `--NAME REF` and `--NAME-file FILE`, or none when `optional`.
pub fn source_of(
    name: &str,
    reference: Option<&str>,
    file: Option<&Path>,
    optional: bool,
) -> anyhow::Result<Option<Source>> {
    match (reference, file) {
        (Some(_), Some(_)) => bail!("give --{name} or --{name}-file, not both"),
        (Some(r), None) => Ok(Some(Source::Ref(parse_ref(&format!("--{name}"), r)?))),
        (None, Some(f)) => Ok(Some(Source::File(f.to_path_buf()))),
        (None, None) if optional => Ok(None),
        (None, None) => bail!("--{name} REF or --{name}-file FILE is required"),
    }
}

/// A positional argument that is a file to upload or, when no such file exists, a
/// reference to a blob already on DA.
pub fn file_or_ref(what: &str, s: &str) -> anyhow::Result<Source> {
    let path = Path::new(s);
    if path.exists() {
        return Ok(Source::File(path.to_path_buf()));
    }
    da_cmd::commitment_of(s.trim())
        .map(Source::Ref)
        .map_err(|_| {
            anyhow::anyhow!(
                "{what} {s:?}: no such file, and not a BlobRef or a 64-digit hex commitment"
            )
        })
}

/// `(target_score_ppm, min_improvement_ppm, target_is_improvement)`.
pub fn target_of(
    target_ppm: Option<u64>,
    min_improvement_ppm: Option<u64>,
) -> anyhow::Result<(u64, u64, bool)> {
    match (target_ppm, min_improvement_ppm) {
        (Some(_), Some(_)) => bail!("give --target-ppm or --min-improvement-ppm, not both"),
        (Some(t), None) => Ok((t, 0, false)),
        (None, Some(0)) => bail!("--min-improvement-ppm must be at least 1"),
        (None, Some(i)) => Ok((0, i, true)),
        (None, None) => bail!("--target-ppm or --min-improvement-ppm is required"),
    }
}

/// Checks the flags of `tx bounty create` that need no chain, and builds the message.
#[allow(clippy::too_many_arguments)]
pub fn create_msg(
    a: &CreateArgs,
    sponsor: &str,
    latest_height: u64,
    test_set: Vec<u8>,
    baseline_model: Vec<u8>,
    wasm_metric: Vec<u8>,
) -> anyhow::Result<bounty::MsgCreateBounty> {
    let (target_score_ppm, min_improvement_ppm, target_is_improvement) =
        target_of(a.target_ppm, a.min_improvement_ppm)?;
    kaizen_bounty::metric::check_metric(&a.metric).map_err(|e| anyhow::anyhow!("--metric: {e}"))?;
    if a.metric == "wasm" {
        anyhow::ensure!(
            wasm_metric.len() == 32,
            "--metric wasm needs --wasm-metric REF or --wasm-metric-file FILE"
        );
    } else {
        anyhow::ensure!(
            wasm_metric.is_empty(),
            "--wasm-metric is only for --metric wasm"
        );
    }
    let reward = parse_ukzn("--reward", &a.reward)?;
    anyhow::ensure!(reward > 0, "--reward must be positive");
    let submission_fee = parse_ukzn("--submission-fee", &a.submission_fee)?;
    anyhow::ensure!(
        a.submitter_share_ppm <= 1_000_000,
        "--submitter-share-ppm is at most 1000000"
    );
    anyhow::ensure!(
        a.royalty_ppm <= 1_000_000,
        "--royalty-ppm is at most 1000000"
    );
    anyhow::ensure!(a.deadline_blocks > 0, "--deadline-blocks must be positive");
    anyhow::ensure!(
        a.quorum >= 1 && a.quorum <= a.committee,
        "--quorum must be in 1..=--committee ({})",
        a.committee
    );
    anyhow::ensure!(!a.title.trim().is_empty(), "--title must not be empty");
    Ok(bounty::MsgCreateBounty {
        sponsor: sponsor.to_string(),
        title: a.title.clone(),
        test_set,
        baseline_model,
        metric: a.metric.clone(),
        wasm_metric,
        target_score_ppm,
        min_improvement_ppm,
        target_is_improvement,
        reward: reward.to_string(),
        submitter_share_ppm: a.submitter_share_ppm,
        verifier_share_ppm: 1_000_000 - a.submitter_share_ppm,
        royalty_ppm: a.royalty_ppm,
        mode: bounty::BountyMode::from(a.mode) as i32,
        deadline_height: latest_height
            .checked_add(a.deadline_blocks)
            .context("--deadline-blocks is too large")?,
        committee_size: a.committee,
        quorum: a.quorum,
        submission_fee: submission_fee.to_string(),
    })
}

/// `871234` → `87.1234%`.
pub fn format_percent(ppm: u64) -> String {
    format!("{}.{:04}%", ppm / 10_000, ppm % 10_000)
}

/// Whether a metric's score is an error (lower is better) rather than a rate.
fn is_error_metric(metric: &str) -> bool {
    matches!(metric, "mse" | "mae")
}

/// A score for people: a percentage for rates, a decimal for errors, with the ppm.
pub fn format_score(ppm: u64, metric: &str) -> String {
    if is_error_metric(metric) {
        format!("{}.{:06} ({ppm} ppm)", ppm / 1_000_000, ppm % 1_000_000)
    } else {
        format!("{} ({ppm} ppm)", format_percent(ppm))
    }
}

/// What a failure code means (docs/evaluator.md).
pub fn failure_meaning(code: u32) -> &'static str {
    match code {
        0 => "none",
        1 => "malformed model",
        2 => "wrong input shape",
        3 => "model too large",
        4 => "timeout",
        5 => "metric failed",
        6 => "bad test set",
        7 => "inference failed",
        8 => "model output unusable",
        9 => "WASM metric module missing or mismatched",
        kaizen_bounty::NO_QUORUM_FAILURE => "no quorum: no committee agreed on a result",
        _ => "unknown failure",
    }
}

/// `BOUNTY_STATUS_OPEN` with prefix `BOUNTY_STATUS_` → `open`.
fn short_name(name: Option<&str>, prefix: &str) -> String {
    name.map(|n| n.strip_prefix(prefix).unwrap_or(n).to_ascii_lowercase())
        .unwrap_or_else(|| "unknown".to_string())
}

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

fn job_status(s: i32) -> String {
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

/// Whether a submission's status is final for `bounty submit`.
pub fn is_decided(status: i32) -> bool {
    use bounty::SubmissionStatus as S;
    matches!(
        S::try_from(status),
        Ok(S::Scored | S::Failed | S::Won | S::Expired)
    )
}

/// Left-aligned columns under a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < width.len() {
                width[i] = width[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == cells.len() {
                    c.to_string()
                } else {
                    format!("{c:<w$}", w = width[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    std::iter::once(line(header.to_vec()))
        .chain(
            rows.iter()
                .map(|r| line(r.iter().map(String::as_str).collect())),
        )
        .collect::<Vec<_>>()
        .join("\n")
}

fn hex_or_none(b: &[u8]) -> String {
    if b.is_empty() {
        "-".to_string()
    } else {
        hex::encode(b)
    }
}

// ---------------------------------------------------------------------------------------
// JSON of chain objects

pub fn bounty_json(b: &bounty::Bounty) -> Value {
    json!({
        "id": b.id, "sponsor": b.sponsor, "title": b.title,
        "test_set": hex::encode(&b.test_set), "baseline_model": hex::encode(&b.baseline_model),
        "metric": b.metric, "wasm_metric": hex::encode(&b.wasm_metric),
        "target_score_ppm": b.target_score_ppm, "min_improvement_ppm": b.min_improvement_ppm,
        "target_is_improvement": b.target_is_improvement, "reward": b.reward,
        "submitter_share_ppm": b.submitter_share_ppm, "verifier_share_ppm": b.verifier_share_ppm,
        "royalty_ppm": b.royalty_ppm, "mode": bounty_mode(b.mode),
        "deadline_height": b.deadline_height, "committee_size": b.committee_size,
        "quorum": b.quorum, "submission_fee": b.submission_fee, "status": bounty_status(b.status),
        "created_height": b.created_height, "baseline_job_id": b.baseline_job_id,
        "baseline_score_ppm": b.baseline_score_ppm, "effective_target_ppm": b.effective_target_ppm,
        "higher_is_better": b.higher_is_better, "baseline_model_id": b.baseline_model_id,
        "winning_submission_id": b.winning_submission_id, "winning_model_id": b.winning_model_id,
        "closed_height": b.closed_height, "submission_count": b.submission_count,
        "forfeited_fees": b.forfeited_fees,
    })
}

pub fn submission_json(s: &bounty::Submission) -> Value {
    json!({
        "id": s.id, "bounty_id": s.bounty_id, "submitter": s.submitter,
        "commitment": hex::encode(&s.commitment), "commit_height": s.commit_height,
        "reveal_height": s.reveal_height, "model": hex::encode(&s.model),
        "parent_model_id": s.parent_model_id, "patch": hex::encode(&s.patch), "job_id": s.job_id,
        "status": submission_status(s.status), "score_ppm": s.score_ppm,
        "predictions_digest": hex::encode(&s.predictions_digest), "failure_code": s.failure_code,
        "failure": if s.failure_code == 0 { Value::Null } else { json!(failure_meaning(s.failure_code)) },
        "beats_target": s.beats_target, "reveal_deadline_height": s.reveal_deadline_height,
    })
}

pub fn model_json(m: &bounty::Model) -> Value {
    json!({
        "id": m.id, "blob": hex::encode(&m.blob), "parent_id": m.parent_id,
        "patch": hex::encode(&m.patch), "bounty_id": m.bounty_id, "improver": m.improver,
        "score_ppm": m.score_ppm, "metric": m.metric,
        "beneficiaries": m.beneficiaries.iter().map(|b| json!({"beneficiary": b.beneficiary, "royalty_ppm": b.royalty_ppm})).collect::<Vec<_>>(),
        "registered_height": m.registered_height,
    })
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

pub fn evaluator_json(e: &staking::Evaluator) -> Value {
    json!({
        "address": e.address, "bond": e.bond, "endpoint": e.endpoint,
        "registered_height": e.registered_height, "jailed": e.jailed,
        "jailed_until_height": e.jailed_until_height, "slashed": e.slashed,
        "jobs_agreed": e.jobs_agreed, "faults": e.faults,
    })
}

// ---------------------------------------------------------------------------------------
// Text of chain objects

fn target_text(b: &bounty::Bounty) -> String {
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
        "submission fee: {}ukzn; {} submissions; committee {} with quorum {}\n",
        b.submission_fee, b.submission_count, b.committee_size, b.quorum
    );
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

fn submissions_text(subs: &[bounty::Submission], metric: &str, ranked: bool) -> String {
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

fn model_text(m: &bounty::Model) -> String {
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

// ---------------------------------------------------------------------------------------
// Chain access

fn grpc_error(s: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}", s.message())
}

fn any<T: Message + Name>(msg: &T) -> Any {
    Any {
        type_url: T::type_url(),
        value: msg.encode_to_vec(),
    }
}

fn options(
    gas: &str,
    gas_adjustment: &str,
    fees: Option<&str>,
    memo: &str,
    wait: bool,
) -> anyhow::Result<TxOptions> {
    Ok(TxOptions {
        gas: if gas == "auto" {
            Gas::Auto {
                adjustment_percent: crate::percent(gas_adjustment)?,
            }
        } else {
            Gas::Fixed(gas.parse().context("--gas takes a number or `auto`")?)
        },
        fees: fees.map(tx::parse_coin).transpose()?,
        memo: memo.to_string(),
        wait,
    })
}

fn tx_flags_options(c: &TxFlags) -> anyhow::Result<TxOptions> {
    options(
        &c.gas,
        &c.gas_adjustment,
        c.fees.as_deref(),
        &c.memo,
        !c.no_wait,
    )
}

fn sign_flags_options(c: &SignFlags) -> anyhow::Result<TxOptions> {
    options(&c.gas, &c.gas_adjustment, c.fees.as_deref(), "", true)
}

/// Broadcasts; a transaction that fails in its block is an error with the chain's
/// codespace, code and log.
async fn send(
    ep: &Endpoints,
    key: &SigningKey,
    from: &Address,
    msgs: Vec<Any>,
    opts: &TxOptions,
    what: &str,
) -> anyhow::Result<TxResponse> {
    let r = tx::broadcast(ep, key, from, msgs, opts)
        .await
        .with_context(|| what.to_string())?;
    if r.height != 0 && r.code != 0 {
        bail!(
            "{what}: the transaction {} failed in block {}: {} (codespace {}, code {})",
            r.txhash,
            r.height,
            r.raw_log,
            r.codespace,
            r.code
        );
    }
    Ok(r)
}

/// The value of `key` in the first event of type `ty` that has it.
pub fn event_attr(r: &TxResponse, ty: &str, key: &str) -> Option<String> {
    r.events
        .iter()
        .filter(|e| e.r#type == ty)
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

fn event_u64(r: &TxResponse, ty: &str, key: &str) -> Option<u64> {
    event_attr(r, ty, key).and_then(|v| v.parse().ok())
}

fn mempool_text(r: &TxResponse) -> String {
    format!(
        "txhash: {}\naccepted into the mempool; `kaizen query tx {}` for the result",
        r.txhash, r.txhash
    )
}

async fn latest_height(ep: &Endpoints) -> anyhow::Result<u64> {
    use tendermint_rpc::Client;
    let s = ep
        .rpc()?
        .status()
        .await
        .with_context(|| format!("cannot reach CometBFT RPC at {} (set --node)", ep.node))?;
    Ok(s.sync_info.latest_block_height.value())
}

async fn bounty_client(
    ep: &Endpoints,
) -> anyhow::Result<bounty::query_client::QueryClient<tonic::transport::Channel>> {
    Ok(bounty::query_client::QueryClient::new(ep.channel().await?))
}

async fn get_bounty(ep: &Endpoints, id: u64) -> anyhow::Result<bounty::Bounty> {
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

async fn get_submission(ep: &Endpoints, id: u64) -> anyhow::Result<bounty::Submission> {
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

/// Blocks to keep an upload that must outlive `blocks_needed` more blocks.
async fn retention(ep: &Endpoints, flags: &UploadFlags, blocks_needed: u64) -> anyhow::Result<u64> {
    if let Some(r) = flags.retention_blocks {
        return Ok(r);
    }
    let p = da::query_client::QueryClient::new(ep.channel().await?)
        .params(da::QueryParamsRequest {})
        .await
        .map_err(grpc_error)?
        .into_inner()
        .params
        .context("DA params: empty answer")?;
    let want = blocks_needed.saturating_add(RETENTION_MARGIN_BLOCKS);
    if want > p.max_retention_blocks {
        eprintln!(
            "note: keeping uploads {} blocks, the DA maximum (the bounty needs about {want})",
            p.max_retention_blocks
        );
    }
    Ok(want.max(p.min_retention_blocks).min(p.max_retention_blocks))
}

/// Uploads a file to DA as `kaizen da put` does; returns its commitment and BlobRef.
async fn upload(
    ep: &Endpoints,
    home: &Path,
    from: &str,
    path: &Path,
    what: &str,
    flags: &UploadFlags,
    retention_blocks: u64,
) -> anyhow::Result<(Vec<u8>, String)> {
    use kaizen_da_client::dispersal::{DaClient, Progress, PutOptions};
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    anyhow::ensure!(
        !data.is_empty(),
        "{} is empty: a blob has at least one byte",
        path.display()
    );
    let (key, address) = Keyring::open(home)?.signer(from)?;
    let client = DaClient::new(ep.clone(), key, address, da_cmd::coder(&flags.coder)?).await?;
    eprintln!(
        "uploading the {what} {} ({} bytes, kept {retention_blocks} blocks)",
        path.display(),
        data.len()
    );
    let pb = da_cmd::bar(0, "encoding");
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
                shards: flags
                    .shards
                    .as_deref()
                    .map(da_cmd::parse_shards)
                    .transpose()?,
                retention_blocks,
                max_fee: None,
            },
            &progress,
        )
        .await;
    pb.finish_and_clear();
    let receipt = match receipt {
        Ok(r) => r,
        Err(e) => {
            // The same bytes were stored before (another bounty, an earlier try): their
            // blob is on DA already and can be used as it is.
            if let Some(c) = already_paid(&format!("{e:#}")) {
                if let Some(b) = available_blob(ep, &c).await {
                    eprintln!(
                        "{what}: already on DA as {} (size {}, expires at height {})",
                        hex::encode(&c),
                        b.size,
                        b.expires_height
                    );
                    if let Ok(latest) = latest_height(ep).await {
                        let needed = latest.saturating_add(retention_blocks);
                        if b.expires_height < needed {
                            eprintln!(
                                "warning: the stored {what} expires before height {needed}, when evaluations may still need it"
                            );
                        }
                    }
                    let partition = ep
                        .chain_id()
                        .ok()
                        .and_then(|id| id.rsplit_once("-p"))
                        .and_then(|(_, p)| p.parse().ok())
                        .unwrap_or(0);
                    let blob_ref = kaizen_da_core::BlobRef {
                        partition,
                        commitment: c.as_slice().try_into()?,
                        size: b.size,
                        k: b.original_shards as usize,
                        m: b.recovery_shards as usize,
                        codec: b.codec,
                    };
                    return Ok((c, blob_ref.to_string()));
                }
            }
            return Err(e.context(format!("uploading the {what} {}", path.display())));
        }
    };
    eprintln!(
        "{what}: {} (certified by {} of {} operators, {}ukzn)",
        receipt.blob_ref, receipt.signers, receipt.quorum, receipt.fee
    );
    Ok((da_cmd::commitment_of(&receipt.blob_ref)?, receipt.blob_ref))
}

/// The commitment in a DA "blob <hex> is already paid for" refusal.
pub fn already_paid(error: &str) -> Option<Vec<u8>> {
    let rest = &error[error.find("blob ")? + 5..];
    if !rest.contains("is already paid for") {
        return None;
    }
    let hex_part = rest.get(..64)?;
    hex::decode(hex_part).ok().filter(|b| b.len() == 32)
}

/// The DA record of `commitment`, if the blob is available.
async fn available_blob(ep: &Endpoints, commitment: &[u8]) -> Option<da::Blob> {
    let b = da::query_client::QueryClient::new(ep.channel().await.ok()?)
        .blob(da::QueryBlobRequest {
            commitment: commitment.to_vec(),
        })
        .await
        .ok()?
        .into_inner()
        .blob?;
    (b.status == da::BlobStatus::Available as i32).then_some(b)
}

/// A source's commitment, uploading a file first.
#[allow(clippy::too_many_arguments)]
async fn resolve(
    ep: &Endpoints,
    home: &Path,
    from: &str,
    source: Option<Source>,
    what: &str,
    flags: &UploadFlags,
    retention_blocks: u64,
) -> anyhow::Result<(Vec<u8>, Option<String>)> {
    match source {
        None => Ok((Vec::new(), None)),
        Some(Source::Ref(c)) => Ok((c, None)),
        Some(Source::File(f)) => {
            let (c, r) = upload(ep, home, from, &f, what, flags, retention_blocks).await?;
            Ok((c, Some(r)))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Transactions

pub async fn bounty_tx(
    ep: &Endpoints,
    home: &Path,
    out: Output,
    cmd: BountyTx,
) -> anyhow::Result<()> {
    match cmd {
        BountyTx::Create(a) => create(ep, home, out, &a).await,
        BountyTx::Cancel { id, common } => {
            let (key, from) = Keyring::open(home)?.signer(&common.from)?;
            let msg = bounty::MsgCancelBounty {
                sponsor: from.to_string(),
                bounty_id: id,
            };
            let r = send(
                ep,
                &key,
                &from,
                vec![any(&msg)],
                &tx_flags_options(&common)?,
                "cancelling the bounty",
            )
            .await?;
            let refunded = event_attr(
                &r,
                bounty::EventBountyClosed::full_name().as_str(),
                "refunded",
            );
            print(
                out,
                json!({"bounty_id": id, "refunded": refunded, "tx": tx_response_json(&r)}),
                || {
                    if r.height == 0 {
                        mempool_text(&r)
                    } else {
                        format!(
                            "bounty {id} cancelled at height {}; refunded {}ukzn\ntxhash: {}",
                            r.height,
                            refunded.as_deref().unwrap_or("?"),
                            r.txhash
                        )
                    }
                },
            );
            Ok(())
        }
    }
}

async fn create(ep: &Endpoints, home: &Path, out: Output, a: &CreateArgs) -> anyhow::Result<()> {
    let (key, sponsor) = Keyring::open(home)?.signer(&a.common.from)?;
    // Everything that needs no chain first, so that a typo costs no upload.
    let test_set = source_of(
        "test-set",
        a.test_set.as_deref(),
        a.test_set_file.as_deref(),
        false,
    )?;
    let baseline = source_of(
        "baseline",
        a.baseline.as_deref(),
        a.baseline_file.as_deref(),
        false,
    )?;
    let wasm = source_of(
        "wasm-metric",
        a.wasm_metric.as_deref(),
        a.wasm_metric_file.as_deref(),
        true,
    )?;
    let dummy = |s: &Option<Source>| {
        if s.is_some() {
            vec![0u8; 32]
        } else {
            Vec::new()
        }
    };
    create_msg(a, "", 0, vec![0; 32], vec![0; 32], dummy(&wasm))?;
    let opts = tx_flags_options(&a.common)?;

    let needs_upload = [&test_set, &baseline, &wasm]
        .iter()
        .any(|s| matches!(s, Some(Source::File(_))));
    let keep = if needs_upload {
        retention(ep, &a.upload, a.deadline_blocks).await?
    } else {
        0
    };
    let from = a.common.from.as_str();
    let (test_set, test_set_ref) =
        resolve(ep, home, from, test_set, "test set", &a.upload, keep).await?;
    let (baseline, baseline_ref) =
        resolve(ep, home, from, baseline, "baseline model", &a.upload, keep).await?;
    let (wasm, wasm_ref) = resolve(ep, home, from, wasm, "WASM metric", &a.upload, keep).await?;

    let latest = latest_height(ep).await?;
    let msg = create_msg(a, &sponsor.to_string(), latest, test_set, baseline, wasm)?;
    let r = send(
        ep,
        &key,
        &sponsor,
        vec![any(&msg)],
        &opts,
        "creating the bounty",
    )
    .await?;
    let ty = bounty::EventBountyCreated::full_name();
    let id = event_u64(&r, &ty, "bounty_id");
    let job = event_u64(&r, &ty, "baseline_job_id");
    let v = json!({
        "bounty_id": id, "baseline_job_id": job, "deadline_height": msg.deadline_height,
        "test_set": hex::encode(&msg.test_set), "baseline_model": hex::encode(&msg.baseline_model),
        "wasm_metric": hex::encode(&msg.wasm_metric),
        "uploads": {"test_set": test_set_ref, "baseline_model": baseline_ref, "wasm_metric": wasm_ref},
        "tx": tx_response_json(&r),
    });
    print(out, v, || {
        if r.height == 0 {
            return mempool_text(&r);
        }
        match (id, job) {
            (Some(id), Some(job)) => format!(
                "bounty {id} created at height {} (txhash {})\nbaseline job: {job} (the committee scores the baseline; `kaizen query bounty show {id}`)\ndeadline height: {}",
                r.height, r.txhash, msg.deadline_height
            ),
            _ => format!(
                "the bounty was created at height {} (txhash {}) but its event is missing; `kaizen query tx {}`",
                r.height, r.txhash, r.txhash
            ),
        }
    });
    Ok(())
}

pub async fn staking_tx(
    ep: &Endpoints,
    home: &Path,
    out: Output,
    cmd: StakingTx,
) -> anyhow::Result<()> {
    let (common, msg, what) = match cmd {
        StakingTx::RegisterEvaluator {
            bond,
            endpoint,
            common,
        } => {
            let bond = parse_ukzn("--bond", &bond)?;
            anyhow::ensure!(bond > 0, "--bond must be positive");
            anyhow::ensure!(
                endpoint.is_empty()
                    || endpoint.starts_with("http://")
                    || endpoint.starts_with("https://"),
                "--endpoint must be an http(s):// URL"
            );
            let (_, from) = Keyring::open(home)?.signer(&common.from)?;
            let msg = any(&staking::MsgRegisterEvaluator {
                evaluator: from.to_string(),
                bond: bond.to_string(),
                endpoint,
            });
            (
                common,
                msg,
                format!("registered as an evaluator with a bond of {bond}ukzn"),
            )
        }
        StakingTx::UnjailEvaluator { common } => {
            let (_, from) = Keyring::open(home)?.signer(&common.from)?;
            let msg = any(&staking::MsgUnjailEvaluator {
                evaluator: from.to_string(),
            });
            (
                common,
                msg,
                "unjailed: back in future committees".to_string(),
            )
        }
    };
    let (key, from) = Keyring::open(home)?.signer(&common.from)?;
    let r = send(
        ep,
        &key,
        &from,
        vec![msg],
        &tx_flags_options(&common)?,
        "sending the staking transaction",
    )
    .await?;
    print(out, tx_response_json(&r), || {
        if r.height == 0 {
            mempool_text(&r)
        } else {
            format!("{from} {what} at height {}\ntxhash: {}", r.height, r.txhash)
        }
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Submissions

/// What `bounty submit` saves before committing: enough to reveal later.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct SavedSubmission {
    pub chain_id: String,
    pub bounty_id: u64,
    /// `None` until the commit is in a block.
    pub submission_id: Option<u64>,
    pub submitter: String,
    /// Hex; empty for a patch.
    pub model: String,
    pub parent_model_id: u64,
    /// Hex; empty for a full model.
    pub patch: String,
    /// The BlobRef of the uploaded model or patch, if uploaded here.
    pub blob_ref: Option<String>,
    /// Hex, secret until the reveal.
    pub salt: String,
    /// Hex of the commitment sent on chain.
    pub commitment: String,
    pub commit_txhash: Option<String>,
    pub commit_height: Option<u64>,
}

fn submissions_dir(home: &Path) -> PathBuf {
    home.join("submissions")
}

fn pending_path(home: &Path, commitment_hex: &str) -> PathBuf {
    submissions_dir(home).join(format!("pending-{commitment_hex}.json"))
}

fn saved_path(home: &Path, id: u64) -> PathBuf {
    submissions_dir(home).join(format!("{id}.json"))
}

/// Writes atomically, readable by the owner only (the salt is secret until revealed).
fn save(path: &Path, s: &SavedSubmission) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().context("no parent directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(&serde_json::to_vec_pretty(s)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn load(path: &Path) -> anyhow::Result<SavedSubmission> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a saved submission", path.display()))
}

fn unhex(what: &str, s: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(s).with_context(|| format!("{what} {s:?} is not hex"))
}

impl SavedSubmission {
    fn reveal_msg(&self, id: u64) -> anyhow::Result<bounty::MsgRevealSubmission> {
        Ok(bounty::MsgRevealSubmission {
            submitter: self.submitter.clone(),
            submission_id: id,
            model: unhex("model", &self.model)?,
            parent_model_id: self.parent_model_id,
            patch: unhex("patch", &self.patch)?,
            salt: unhex("salt", &self.salt)?,
        })
    }

    /// Whether the saved reference and salt open `commitment`.
    fn opens(&self, commitment: &[u8]) -> anyhow::Result<bool> {
        let c = kaizen_bounty::submission_commitment(
            self.bounty_id,
            &self.submitter,
            &unhex("model", &self.model)?,
            self.parent_model_id,
            &unhex("patch", &self.patch)?,
            &unhex("salt", &self.salt)?,
        );
        Ok(c.as_slice() == commitment)
    }
}

/// The saved submission `id`: `<id>.json`, or the pending file of its commitment (a CLI
/// that died before it learned the id), which is then renamed.
async fn find_saved(ep: &Endpoints, home: &Path, id: u64) -> anyhow::Result<SavedSubmission> {
    let path = saved_path(home, id);
    if path.exists() {
        return load(&path);
    }
    let sub = get_submission(ep, id).await?;
    let pending = pending_path(home, &hex::encode(&sub.commitment));
    anyhow::ensure!(
        pending.exists(),
        "no saved salt for submission {id}: neither {} nor {} exists (was it committed with another --home?)",
        path.display(),
        pending.display()
    );
    let mut saved = load(&pending)?;
    saved.submission_id = Some(id);
    saved.commit_height = Some(sub.commit_height);
    save(&path, &saved)?;
    std::fs::remove_file(&pending).ok();
    Ok(saved)
}

pub async fn bounty_cmd(
    ep: &Endpoints,
    home: &Path,
    out: Output,
    cmd: BountyCmd,
) -> anyhow::Result<()> {
    match cmd {
        BountyCmd::Submit {
            model,
            bounty: bounty_id,
            parent,
            patch,
            sign,
            upload,
            wait,
        } => {
            let source = match (&model, parent, &patch) {
                (Some(m), None, None) => file_or_ref("MODEL", m)?,
                (None, Some(_), Some(p)) => file_or_ref("--patch", p)?,
                (Some(_), Some(_), _) => {
                    bail!("give a MODEL file, or --parent and --patch, not both")
                }
                _ => bail!("give a MODEL file, or --parent MODEL_ID and --patch PATCH_FILE"),
            };
            let opts = sign_flags_options(&sign)?;
            let (_, submitter) = Keyring::open(home)?.signer(&sign.from)?;
            let b = get_bounty(ep, bounty_id).await?;
            anyhow::ensure!(
                b.status == bounty::BountyStatus::Open as i32,
                "bounty {bounty_id} is {}: {}",
                bounty_status(b.status),
                if b.status == bounty::BountyStatus::EvaluatingBaseline as i32 {
                    "its baseline is still being scored, try again in a few blocks"
                } else {
                    "it takes no more submissions"
                }
            );
            let latest = latest_height(ep).await?;
            anyhow::ensure!(
                latest + 1 < b.deadline_height,
                "bounty {bounty_id} closes at height {} and the chain is at {latest}",
                b.deadline_height
            );
            let keep = retention(ep, &upload, b.deadline_height.saturating_sub(latest)).await?;
            let what = if parent.is_some() { "patch" } else { "model" };
            let (blob, blob_ref) =
                resolve(ep, home, &sign.from, Some(source), what, &upload, keep).await?;
            let (model_c, parent_id, patch_c) = match parent {
                Some(p) => (Vec::new(), p, blob),
                None => (blob, 0, Vec::new()),
            };
            let mut salt = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
            let commitment = kaizen_bounty::submission_commitment(
                bounty_id,
                &submitter.to_string(),
                &model_c,
                parent_id,
                &patch_c,
                &salt,
            );
            let mut saved = SavedSubmission {
                chain_id: ep.chain_id()?.to_string(),
                bounty_id,
                submission_id: None,
                submitter: submitter.to_string(),
                model: hex::encode(&model_c),
                parent_model_id: parent_id,
                patch: hex::encode(&patch_c),
                blob_ref,
                salt: hex::encode(salt),
                commitment: hex::encode(commitment),
                commit_txhash: None,
                commit_height: None,
            };
            let pending = pending_path(home, &saved.commitment);
            save(&pending, &saved)?;

            let (key, _) = Keyring::open(home)?.signer(&sign.from)?;
            let commit = bounty::MsgCommitSubmission {
                submitter: submitter.to_string(),
                bounty_id,
                commitment: commitment.to_vec(),
            };
            let r = match tx::broadcast(ep, &key, &submitter, vec![any(&commit)], &opts).await {
                Ok(r) => r,
                Err(e) => {
                    return Err(e.context(format!(
                        "committing the submission (the salt is saved in {}; if the commit landed, finish with `kaizen bounty reveal ID --from {}`)",
                        pending.display(),
                        sign.from
                    )))
                }
            };
            if r.code != 0 {
                // Not committed: nothing to reveal later.
                std::fs::remove_file(&pending).ok();
                bail!(
                    "committing the submission: the transaction {} failed in block {}: {} (codespace {}, code {})",
                    r.txhash, r.height, r.raw_log, r.codespace, r.code
                );
            }
            let id = event_u64(
                &r,
                &bounty::EventSubmissionCommitted::full_name(),
                "submission_id",
            )
            .with_context(|| {
                format!(
                    "the commit landed in block {} but carries no submission id; the salt is in {}",
                    r.height,
                    pending.display()
                )
            })?;
            saved.submission_id = Some(id);
            saved.commit_txhash = Some(r.txhash.clone());
            saved.commit_height = Some(r.height.max(0) as u64);
            save(&saved_path(home, id), &saved)?;
            std::fs::remove_file(&pending).ok();
            eprintln!(
                "committed submission {id} at height {} (salt saved in {})",
                r.height,
                saved_path(home, id).display()
            );
            reveal_and_wait(ep, home, out, &saved, id, &sign, &wait).await
        }
        BountyCmd::Reveal {
            submission_id,
            sign,
            wait,
        } => {
            let saved = find_saved(ep, home, submission_id).await?;
            let (_, address) = Keyring::open(home)?.signer(&sign.from)?;
            anyhow::ensure!(
                saved.submitter == address.to_string(),
                "submission {submission_id} was committed by {}, not by --from {} ({address})",
                saved.submitter,
                sign.from
            );
            reveal_and_wait(ep, home, out, &saved, submission_id, &sign, &wait).await
        }
    }
}

async fn reveal_and_wait(
    ep: &Endpoints,
    home: &Path,
    out: Output,
    saved: &SavedSubmission,
    id: u64,
    sign: &SignFlags,
    wait: &WaitFlags,
) -> anyhow::Result<()> {
    let sub = get_submission(ep, id).await?;
    let mut reveal_tx = Value::Null;
    if sub.status == bounty::SubmissionStatus::Committed as i32 {
        anyhow::ensure!(
            saved.opens(&sub.commitment)?,
            "the file saved for submission {id} does not open its commitment on chain (another chain, or another submission?)"
        );
        let (key, from) = Keyring::open(home)?.signer(&sign.from)?;
        let r = send(
            ep,
            &key,
            &from,
            vec![any(&saved.reveal_msg(id)?)],
            &sign_flags_options(sign)?,
            "revealing the submission",
        )
        .await
        .with_context(|| {
            format!(
                "retry with `kaizen bounty reveal {id} --from {}` before height {}",
                sign.from, sub.reveal_deadline_height
            )
        })?;
        let job = event_u64(&r, &bounty::EventSubmissionRevealed::full_name(), "job_id");
        eprintln!(
            "revealed submission {id} at height {}{}",
            r.height,
            job.map(|j| format!(", evaluation job {j}"))
                .unwrap_or_default()
        );
        reveal_tx = tx_response_json(&r);
    } else {
        eprintln!(
            "submission {id} is already revealed ({})",
            submission_status(sub.status)
        );
    }

    if wait.no_wait {
        let sub = get_submission(ep, id).await?;
        print(
            out,
            json!({"submission": submission_json(&sub), "reveal_tx": reveal_tx}),
            || {
                format!(
                    "submission {id} on bounty {}: {} (job {}); `kaizen query bounty submissions {}` for the verdict",
                    sub.bounty_id,
                    submission_status(sub.status),
                    sub.job_id,
                    sub.bounty_id
                )
            },
        );
        return Ok(());
    }

    let sub = wait_verdict(
        ep,
        id,
        Duration::from_secs(wait.timeout_secs),
        &format!(
            "wait again with `kaizen bounty reveal {id} --from {}`, or see `kaizen query bounty submissions {}`",
            sign.from, saved.bounty_id
        ),
    )
    .await?;
    let b = get_bounty(ep, sub.bounty_id).await?;
    let paid = if sub.status == bounty::SubmissionStatus::Won as i32 {
        settlement(ep, &b).await
    } else {
        None
    };
    let v = json!({
        "submission": submission_json(&sub),
        "score": match bounty::SubmissionStatus::try_from(sub.status) {
            Ok(bounty::SubmissionStatus::Scored | bounty::SubmissionStatus::Won) => {
                json!(format_score(sub.score_ppm, &b.metric))
            }
            _ => Value::Null,
        },
        "target_ppm": b.effective_target_ppm,
        "paid": paid.as_ref().map(|p| json!({"submitter_amount": p.0, "verifier_amount": p.1, "model_id": p.2})),
        "reveal_tx": reveal_tx,
    });
    print(out, v, || verdict_text(&sub, &b, paid.as_ref()));
    match bounty::SubmissionStatus::try_from(sub.status) {
        Ok(bounty::SubmissionStatus::Failed) => bail!(
            "submission {id} failed: code {} ({})",
            sub.failure_code,
            failure_meaning(sub.failure_code)
        ),
        Ok(bounty::SubmissionStatus::Expired) => {
            bail!("submission {id} expired without a reveal")
        }
        _ => Ok(()),
    }
}

async fn wait_verdict(
    ep: &Endpoints,
    id: u64,
    timeout: Duration,
    hint: &str,
) -> anyhow::Result<bounty::Submission> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last: Option<i32> = None;
    let mut client = bounty_client(ep).await?;
    loop {
        match client
            .submission(bounty::QuerySubmissionRequest { id })
            .await
        {
            Ok(r) => {
                if let Some(s) = r.into_inner().submission {
                    if last != Some(s.status) {
                        eprintln!("submission {id}: {}", submission_status(s.status));
                        last = Some(s.status);
                    }
                    if is_decided(s.status) {
                        return Ok(s);
                    }
                }
            }
            Err(e) => eprintln!("querying submission {id}: {} (retrying)", e.message()),
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "submission {id} has no verdict after {} s: {hint}",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// `(submitter_amount, verifier_amount, model_id)` from the settlement event in the
/// block that closed the bounty.
async fn settlement(ep: &Endpoints, b: &bounty::Bounty) -> Option<(String, String, u64)> {
    use tendermint_rpc::Client;
    if b.closed_height == 0 {
        return None;
    }
    let height = tendermint::block::Height::try_from(b.closed_height).ok()?;
    let r = ep.rpc().ok()?.block_results(height).await.ok()?;
    let ty = bounty::EventBountySettled::full_name();
    let id = b.id.to_string();
    r.finalize_block_events
        .iter()
        .chain(r.end_block_events.iter().flatten())
        .filter(|e| e.kind == ty)
        .find(|e| kaizen_framework::event::attribute(e, "bounty_id") == Some(id.as_str()))
        .map(|e| {
            let a = |k| {
                kaizen_framework::event::attribute(e, k)
                    .unwrap_or_default()
                    .to_string()
            };
            (
                a("submitter_amount"),
                a("verifier_amount"),
                a("model_id").parse().unwrap_or(0),
            )
        })
}

pub fn verdict_text(
    s: &bounty::Submission,
    b: &bounty::Bounty,
    paid: Option<&(String, String, u64)>,
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
                    Some((sub, ver, model)) => format!(
                        "\npaid {sub}ukzn to {} ({ver}ukzn to the verifiers); registered as model {model}",
                        s.submitter
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

// ---------------------------------------------------------------------------------------
// Queries

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

/// An address, or a key name in the keyring.
fn resolve_address(ep: &Endpoints, s: &str) -> anyhow::Result<String> {
    if s.starts_with("kaizen1") {
        return Ok(s
            .parse::<Address>()
            .map_err(|e| anyhow::anyhow!("{s:?}: {e}"))?
            .to_string());
    }
    Ok(Keyring::open(&ep.home)?.resolve(s)?.to_string())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(subcommand)]
        cmd: Top,
    }

    #[derive(Subcommand)]
    enum Top {
        #[command(subcommand)]
        Tx(BountyTx),
        #[command(subcommand)]
        Bounty(BountyCmd),
        #[command(subcommand)]
        Query(BountyQuery),
        #[command(subcommand)]
        Staking(StakingTx),
    }

    const HEX: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    fn create_args(extra: &[&str]) -> Result<Box<CreateArgs>, clap::Error> {
        let mut argv = vec![
            "t",
            "tx",
            "create",
            "--from",
            "alice",
            "--title",
            "Better recall",
            "--test-set",
            HEX,
            "--baseline-file",
            "base.onnx",
            "--reward",
            "10000000ukzn",
            "--deadline-blocks",
            "100",
        ];
        if !extra.contains(&"--metric") {
            argv.extend_from_slice(&["--metric", "recall:1"]);
        }
        argv.extend_from_slice(extra);
        match T::try_parse_from(argv)?.cmd {
            Top::Tx(BountyTx::Create(a)) => Ok(a),
            _ => panic!("not a create"),
        }
    }

    #[test]
    fn create_parses_with_defaults_and_builds_the_message() {
        let a = create_args(&["--min-improvement-ppm", "20000"]).unwrap();
        assert_eq!(a.mode, Mode::FirstToBeat);
        assert_eq!((a.committee, a.quorum), (3, 2));
        assert_eq!(a.baseline_file.as_deref(), Some(Path::new("base.onnx")));
        let m = create_msg(&a, "kaizen1x", 40, vec![1; 32], vec![2; 32], vec![]).unwrap();
        assert_eq!(m.deadline_height, 140);
        assert_eq!(m.reward, "10000000");
        assert_eq!(
            (m.submitter_share_ppm, m.verifier_share_ppm),
            (800_000, 200_000)
        );
        assert!(m.target_is_improvement);
        assert_eq!((m.target_score_ppm, m.min_improvement_ppm), (0, 20_000));
        assert_eq!(m.mode, bounty::BountyMode::FirstToBeat as i32);
        assert_eq!(m.submission_fee, "0");
    }

    #[test]
    fn create_flags_are_checked_with_clear_messages() {
        let a = create_args(&[]).unwrap();
        let e = create_msg(&a, "k", 1, vec![], vec![], vec![]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--target-ppm or --min-improvement-ppm is required"
        );
        let a = create_args(&["--target-ppm", "1", "--min-improvement-ppm", "2"]).unwrap();
        assert!(create_msg(&a, "k", 1, vec![], vec![], vec![]).is_err());
        let a = create_args(&["--target-ppm", "850000", "--metric", "recall"]).unwrap();
        assert!(create_msg(&a, "k", 1, vec![], vec![], vec![])
            .unwrap_err()
            .to_string()
            .contains("--metric"));
        let a = create_args(&["--target-ppm", "850000", "--quorum", "4"]).unwrap();
        assert!(create_msg(&a, "k", 1, vec![], vec![], vec![]).is_err());
        let a =
            create_args(&["--target-ppm", "850000", "--submitter-share-ppm", "1000001"]).unwrap();
        assert!(create_msg(&a, "k", 1, vec![], vec![], vec![]).is_err());
        let a = create_args(&["--target-ppm", "850000", "--metric", "wasm"]).unwrap();
        assert!(create_msg(&a, "k", 1, vec![], vec![], vec![]).is_err());
        assert!(create_msg(&a, "k", 1, vec![], vec![], vec![3; 32]).is_ok());
        let a = create_args(&["--target-ppm", "850000", "--mode", "best-by-deadline"]).unwrap();
        let m = create_msg(&a, "k", 1, vec![], vec![], vec![]).unwrap();
        assert_eq!(m.mode, bounty::BountyMode::BestByDeadline as i32);
        assert!(!m.target_is_improvement);
        assert!(create_args(&["--mode", "fastest"]).is_err());
    }

    #[test]
    fn amounts_take_bare_numbers_or_ukzn() {
        assert_eq!(parse_ukzn("--reward", "10000000").unwrap(), 10_000_000);
        assert_eq!(parse_ukzn("--reward", "10000000ukzn").unwrap(), 10_000_000);
        assert!(parse_ukzn("--reward", "10kzn").is_err());
        assert!(parse_ukzn("--reward", "").is_err());
        assert!(parse_ukzn("--reward", "-1").is_err());
        assert!(parse_ukzn("--reward", "1.5").is_err());
        assert!(parse_ukzn("--reward", &"9".repeat(50)).is_err());
    }

    #[test]
    fn refs_are_blob_refs_or_hex_commitments() {
        assert_eq!(parse_ref("--test-set", HEX).unwrap(), vec![1; 32]);
        assert_eq!(
            parse_ref("--test-set", &format!("0x{HEX}")).unwrap(),
            vec![1; 32]
        );
        let blob_ref = format!("p0/{}/1234/4+4/rs16", "ab".repeat(32));
        assert_eq!(parse_ref("--baseline", &blob_ref).unwrap(), vec![0xab; 32]);
        assert!(parse_ref("--test-set", "abcd").is_err());
        assert!(parse_ref("--test-set", "not a ref")
            .unwrap_err()
            .to_string()
            .contains("--test-set"));
        assert_eq!(
            source_of("test-set", Some(HEX), None, false).unwrap(),
            Some(Source::Ref(vec![1; 32]))
        );
        assert!(source_of("test-set", Some(HEX), Some(Path::new("f")), false).is_err());
        assert_eq!(
            source_of("test-set", None, None, false)
                .unwrap_err()
                .to_string(),
            "--test-set REF or --test-set-file FILE is required"
        );
        assert_eq!(source_of("wasm-metric", None, None, true).unwrap(), None);
        assert_eq!(file_or_ref("MODEL", HEX).unwrap(), Source::Ref(vec![1; 32]));
        assert!(file_or_ref("MODEL", "/no/such/model.onnx").is_err());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.onnx");
        std::fs::write(&f, b"x").unwrap();
        assert_eq!(
            file_or_ref("MODEL", f.to_str().unwrap()).unwrap(),
            Source::File(f)
        );
    }

    #[test]
    fn scores_print_as_percentages_with_four_decimals() {
        assert_eq!(format_percent(871_234), "87.1234%");
        assert_eq!(format_percent(0), "0.0000%");
        assert_eq!(format_percent(1_000_000), "100.0000%");
        assert_eq!(format_percent(5), "0.0005%");
        assert_eq!(format_score(871_234, "recall:1"), "87.1234% (871234 ppm)");
        assert_eq!(format_score(12_345, "mse"), "0.012345 (12345 ppm)");
    }

    #[test]
    fn statuses_and_failures_have_short_names() {
        assert_eq!(bounty_status(2), "open");
        assert_eq!(bounty_status(6), "baseline_failed");
        assert_eq!(bounty_status(99), "unknown");
        assert_eq!(submission_status(6), "won");
        assert_eq!(bounty_mode(2), "best_by_deadline");
        assert_eq!(job_status(5), "no_quorum");
        assert_eq!(failure_meaning(2), "wrong input shape");
        assert!(failure_meaning(1000).starts_with("no quorum"));
        assert!(is_decided(bounty::SubmissionStatus::Failed as i32));
        assert!(!is_decided(bounty::SubmissionStatus::Evaluating as i32));
    }

    #[test]
    fn submit_takes_a_model_or_a_parent_and_a_patch() {
        let parse = |args: &[&str]| {
            let mut argv = vec!["t", "bounty", "submit", "--bounty", "3", "--from", "bob"];
            argv.extend_from_slice(args);
            T::try_parse_from(argv).map(|t| match t.cmd {
                Top::Bounty(BountyCmd::Submit {
                    model,
                    parent,
                    patch,
                    wait,
                    ..
                }) => (model, parent, patch, wait.no_wait, wait.timeout_secs),
                _ => panic!("not a submit"),
            })
        };
        assert_eq!(
            parse(&["m.onnx"]).unwrap(),
            (Some("m.onnx".into()), None, None, false, 300)
        );
        assert_eq!(
            parse(&["--parent", "4", "--patch", "p.bin", "--no-wait"]).unwrap(),
            (None, Some(4), Some("p.bin".into()), true, 300)
        );
        assert!(parse(&["--parent", "4"]).is_err());
        assert!(parse(&["--patch", "p.bin"]).is_err());
        assert!(T::try_parse_from(["t", "bounty", "reveal", "7", "--from", "bob"]).is_ok());
        assert!(
            T::try_parse_from(["t", "query", "list", "--start-after", "5", "--limit", "3"]).is_ok()
        );
        assert!(T::try_parse_from([
            "t",
            "staking",
            "register-evaluator",
            "--from",
            "e",
            "--bond",
            "2000000"
        ])
        .is_ok());
        assert!(T::try_parse_from(["t", "staking", "unjail-evaluator", "--from", "e"]).is_ok());
    }

    #[test]
    fn saved_submissions_round_trip_and_open_their_commitment() {
        let dir = tempfile::tempdir().unwrap();
        let salt = [9u8; 32];
        let c = kaizen_bounty::submission_commitment(3, "kaizen1abc", &[1; 32], 0, &[], &salt);
        let s = SavedSubmission {
            chain_id: "kaizen-devnet".into(),
            bounty_id: 3,
            submission_id: None,
            submitter: "kaizen1abc".into(),
            model: hex::encode([1u8; 32]),
            parent_model_id: 0,
            patch: String::new(),
            blob_ref: None,
            salt: hex::encode(salt),
            commitment: hex::encode(c),
            commit_txhash: None,
            commit_height: None,
        };
        let p = pending_path(dir.path(), &s.commitment);
        save(&p, &s).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let back = load(&p).unwrap();
        assert_eq!(back, s);
        assert!(back.opens(&c).unwrap());
        assert!(!back.opens(&[0; 32]).unwrap());
        let m = back.reveal_msg(11).unwrap();
        assert_eq!((m.submission_id, m.salt.len(), m.model.len()), (11, 32, 32));
        assert!(m.patch.is_empty());
    }

    #[test]
    fn blobs_already_on_da_are_recognised() {
        let e = format!("paying for the blob: simulation refused the transaction: simulation failed: message 0: blob {HEX} is already paid for and not expired (codespace da, code 3)");
        assert_eq!(already_paid(&e), Some(vec![1; 32]));
        assert_eq!(already_paid("blob abc is already paid for"), None);
        assert_eq!(already_paid(&format!("blob {HEX} is not on chain")), None);
    }

    #[test]
    fn tables_align_columns() {
        let t = table(
            &["ID", "STATUS", "TITLE"],
            &[
                vec!["1".into(), "open".into(), "a".into()],
                vec!["12".into(), "settled".into(), "b c".into()],
            ],
        );
        assert_eq!(t, "ID  STATUS   TITLE\n1   open     a\n12  settled  b c");
    }

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
        let paid = ("8000000".to_string(), "2000000".to_string(), 5);
        let t = verdict_text(&s, &b, Some(&paid));
        assert!(t.contains("87.1234% (871234 ppm)"), "{t}");
        assert!(t.contains("85.0000%") && t.contains("beaten"), "{t}");
        assert!(t.contains("paid 8000000ukzn"), "{t}");
    }
}
