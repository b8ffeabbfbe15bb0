//! Bounties from the command line: `kaizen tx bounty create|cancel` (`tx.rs`), `kaizen
//! bounty submit|reveal` (`submit.rs`, with the salt journal in `journal.rs`), `kaizen
//! query bounty ...` (`query.rs`). Artifacts are uploaded through [`crate::upload`].
//!
//! A submission is a commit then a reveal (DESIGN.md §1 step 3). `kaizen bounty submit`
//! draws the salt and writes it, with the model reference, to
//! `<home>/submissions/pending-<commitment>.json` *before* the commit is broadcast, and
//! renames it to `<home>/submissions/<id>.json` once the commit is in a block: a CLI that
//! dies between the two transactions loses nothing, `kaizen bounty reveal ID` finishes.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use kaizen_proto::kaizen::bounty::v1 as bounty;

use crate::chain::{SignFlags, TxFlags};

mod artifact;
mod display;
mod journal;
mod query;
mod submit;
mod tx;

pub use query::bounty_query;
pub use submit::bounty_cmd;
pub use tx::bounty_tx;

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
    /// Paid with each commit (ukzn); it pays the evaluators of that submission (and the
    /// sponsor pays it once for the baseline). At least the chain's `attest.min_job_fee`
    /// (1000 by default).
    #[arg(long, default_value = "1000")]
    submission_fee: String,
    #[command(flatten)]
    upload: UploadFlags,
    #[command(flatten)]
    common: TxFlags,
}

#[derive(Subcommand)]
pub enum BountyTx {
    /// Post a bounty and escrow its reward; the baseline is evaluated at once.
    ///
    /// `--output json` prints the `TxResponse` with two more keys once the transaction is
    /// in a block: `bounty_id` and `baseline_job_id` (from its `EventBountyCreated`).
    Create(Box<CreateArgs>),
    /// Cancel a bounty (only its sponsor, only before any commit); refunds the reward.
    ///
    /// `--output json` prints the `TxResponse` with one more key once the transaction is
    /// in a block: `refunded`, the ukzn returned (from its `EventBountyClosed`).
    Cancel {
        id: u64,
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
    ///
    /// `--output json` prints `submission` (the `Submission`, as `QuerySubmissionResponse`
    /// has it), `reveal_tx` (the reveal's `TxResponse`, null if it was revealed before)
    /// and, without --no-wait, `paid` (the `EventBountySettled` of a win, else null).
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
    ///
    /// `--output json` prints what `kaizen bounty submit` does.
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
    /// The submissions of a bounty, by id (a page; the next page's `--start-after` is
    /// printed when there is one).
    Submissions {
        id: u64,
        /// Start after this submission id.
        #[arg(long, default_value_t = 0)]
        start_after: u64,
        /// At most this many (the chain caps it at 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// The scored submissions of a bounty, best first (ties: the earlier commit).
    Leaderboard {
        id: u64,
        /// The best this many (the chain caps it at 100).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// A registered model and its lineage.
    Model { id: u64 },
    /// The bounty module's parameters.
    Params,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::Parser;

    use super::{display::*, submit::is_decided, tx::create_msg, *};
    use crate::{attest::job_status, output::failure_meaning, staking::StakingTx};

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
        assert_eq!(m.submission_fee, "1000");
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
}
