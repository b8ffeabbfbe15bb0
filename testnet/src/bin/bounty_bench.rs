//! Reveal-to-settlement latency on a devnet: one validator, 4 DA nodes, `--evaluators`
//! `kaizen-evaluator` daemons. Each run creates a first-to-beat bounty on the demo's
//! breast-cancer test set (baseline `baseline.onnx`, target +5 points of malignant
//! recall), waits until its baseline is scored, then submits `submission_strong.onnx`
//! and times the reveal until the bounty is settled: blocks (settlement height minus
//! reveal height) and seconds. Prints a table with the median and p99.
//!
//! `cargo build --release --workspace --bins && target/release/bounty_bench --runs 20`

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::time::{Duration, Instant};

use clap::Parser;
use kaizen_proto::kaizen::bounty::v1 as bounty;
use kaizen_testnet::bounty::{demo, Net};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 20)]
    runs: usize,
    #[arg(long, default_value_t = 3)]
    evaluators: usize,
    /// Committee size (the quorum is a strict majority).
    #[arg(long, default_value_t = 3)]
    committee: u32,
    #[arg(long, default_value_t = 32000)]
    base_port: u16,
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let net = Net::up(args.base_port, args.evaluators).await?;
    let test_set = net.put(&demo("breast_cancer_test.npz"))?;
    let baseline = net.put(&demo("baseline.onnx"))?;
    let strong = net.put(&demo("submission_strong.onnx"))?;
    let quorum = args.committee / 2 + 1;
    let mut blocks = Vec::new();
    let mut seconds = Vec::new();
    for run in 0..args.runs {
        let id = net
            .create(
                &test_set,
                &baseline,
                "recall:1",
                &[],
                args.committee,
                quorum,
                5000,
            )
            .await?;
        net.wait_bounty(
            id,
            |b| b.status == bounty::BountyStatus::Open as i32,
            Duration::from_secs(120),
        )
        .await?;
        let who = ["alice", "bob", "carol"][run % 3];
        let started = Instant::now();
        let (_, reveal_height) = net.submit(who, id, &strong).await?;
        let b = net
            .wait_bounty(
                id,
                |b| b.status == bounty::BountyStatus::Settled as i32,
                Duration::from_secs(120),
            )
            .await?;
        let s = started.elapsed().as_secs_f64();
        let n = b.closed_height as f64 - reveal_height as f64;
        eprintln!("run {run}: {n} blocks, {s:.2} s");
        blocks.push(n);
        seconds.push(s);
    }
    println!(
        "bounty reveal -> settlement, {} runs, 1 validator, {} evaluators, committee {} (quorum {quorum})",
        args.runs, args.evaluators, args.committee
    );
    println!("| measure | median | p99 |");
    println!("|---|---|---|");
    println!(
        "| blocks | {:.0} | {:.0} |",
        percentile(&blocks, 50.0),
        percentile(&blocks, 99.0)
    );
    println!(
        "| seconds (reveal tx sent -> settled seen) | {:.2} | {:.2} |",
        percentile(&seconds, 50.0),
        percentile(&seconds, 99.0)
    );
    Ok(())
}
