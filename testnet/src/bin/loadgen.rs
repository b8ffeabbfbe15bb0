//! End-to-end throughput: the same load against a Kaizen devnet and against CometBFT's
//! built-in `kvstore` app on the same number of validators, in one run.
//!
//! `cargo run --release -p kaizen-testnet --bin loadgen -- --validators 1,4 --txs 4000`
//!
//! Load: `--lanes` concurrent senders, each submitting its transactions one after the
//! other with `broadcast_tx_sync` (which returns after `CheckTx`), spread over the nodes'
//! RPCs. For Kaizen each lane is a funded account sending signed `MsgSend`s with its own
//! sequence; for kvstore each tx is a `key=value` pair. A watcher reads every new block
//! and stamps each transaction's commit. Reported: committed tx/s (from the first
//! broadcast to the last commit) and broadcast-to-commit latency p50 and p99.

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Context;
use clap::Parser;
use kaizen_cli::{client::Endpoints, keys, tx};
use kaizen_testnet::Devnet;
use sha2::{Digest, Sha256};
use tendermint_rpc::{Client, HttpClient};

#[derive(Parser)]
struct Args {
    /// Validator counts to run, e.g. 1,4.
    #[arg(long, value_delimiter = ',', default_value = "1,4")]
    validators: Vec<usize>,
    /// Transactions per run.
    #[arg(long, default_value_t = 4000)]
    txs: usize,
    /// Concurrent senders.
    #[arg(long, default_value_t = 32)]
    lanes: usize,
    #[arg(long, default_value_t = 29000)]
    base_port: u16,
}

struct RunResult {
    sent: usize,
    accepted: usize,
    committed: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// Pre-builds each lane's transactions.
async fn build_txs(devnet: &Devnet, app: &str, args: &Args) -> anyhow::Result<Vec<Vec<Vec<u8>>>> {
    let per_lane = args.txs.div_ceil(args.lanes);
    let mut lanes = Vec::new();
    if app == "kvstore" {
        for l in 0..args.lanes {
            lanes.push(
                (0..per_lane)
                    .map(|i| format!("lane{l}-tx{i}=value{i}").into_bytes())
                    .collect(),
            );
        }
        return Ok(lanes);
    }
    let ep = Endpoints {
        home: devnet.home.path().to_path_buf(),
        node: devnet.rpc(0),
        grpc: devnet.grpc(0),
        chain_id: Some("kaizen-devnet-p0".into()),
    };
    let sink: kaizen_framework::Address = devnet
        .address("faucet")?
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for l in 0..args.lanes {
        let acct = devnet.account(&format!("lane{l}"))?;
        let (key, address) = keys::derive(acct["mnemonic"].as_str().unwrap_or_default())?;
        let on_chain = ep
            .account(&address)
            .await?
            .context("lane account missing")?;
        let mut txs = Vec::with_capacity(per_lane);
        for i in 0..per_lane {
            let msg = tx::msg_send(&address, &sink, 1, "ukzn");
            txs.push(tx::sign(
                &key,
                &[msg],
                "",
                tx::fee(100, "ukzn", 100_000)?,
                "kaizen-devnet-p0",
                on_chain.account_number,
                on_chain.sequence + i as u64,
            )?);
        }
        lanes.push(txs);
    }
    Ok(lanes)
}

async fn run_load(devnet: &Devnet, app: &str, args: &Args) -> anyhow::Result<RunResult> {
    let lanes = build_txs(devnet, app, args).await?;
    let sent: usize = lanes.iter().map(Vec::len).sum();
    let broadcast_at: Arc<Mutex<BTreeMap<[u8; 32], Instant>>> = Default::default();
    let committed_at: Arc<Mutex<BTreeMap<[u8; 32], Instant>>> = Default::default();
    let start_height = devnet.height(0).await?;
    let started = Instant::now();

    // The watcher: stamps every transaction of every new block.
    let watcher = {
        let rpc = HttpClient::new(devnet.rpc(0).as_str())?;
        let committed_at = committed_at.clone();
        tokio::spawn(async move {
            let mut next = start_height + 1;
            loop {
                let Ok(status) = rpc.status().await else {
                    continue;
                };
                let top = status.sync_info.latest_block_height.value();
                while next <= top {
                    if let Ok(b) = rpc
                        .block(tendermint::block::Height::try_from(next).unwrap_or_default())
                        .await
                    {
                        let now = Instant::now();
                        let mut map = committed_at.lock().unwrap_or_else(|e| e.into_inner());
                        for t in b.block.data.iter() {
                            map.insert(Sha256::digest(t).into(), now);
                        }
                        next += 1;
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    let nodes = devnet.nodes();
    let mut tasks = Vec::new();
    for (l, txs) in lanes.into_iter().enumerate() {
        let rpc = HttpClient::new(devnet.rpc(l % nodes).as_str())?;
        let broadcast_at = broadcast_at.clone();
        tasks.push(tokio::spawn(async move {
            let mut accepted = 0usize;
            for t in txs {
                let hash: [u8; 32] = Sha256::digest(&t).into();
                let at = Instant::now();
                match rpc.broadcast_tx_sync(t).await {
                    Ok(r) if r.code.is_ok() => {
                        accepted += 1;
                        broadcast_at
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(hash, at);
                    }
                    _ => {}
                }
            }
            accepted
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        accepted += t.await?;
    }
    // Wait for every accepted tx to be committed (or a minute without progress).
    let mut last_progress = Instant::now();
    let mut last_count = 0;
    loop {
        let count = {
            let b = broadcast_at.lock().unwrap_or_else(|e| e.into_inner());
            let c = committed_at.lock().unwrap_or_else(|e| e.into_inner());
            b.keys().filter(|h| c.contains_key(*h)).count()
        };
        if count >= accepted {
            break;
        }
        if count != last_count {
            last_count = count;
            last_progress = Instant::now();
        } else if last_progress.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    watcher.abort();
    let b = broadcast_at.lock().unwrap_or_else(|e| e.into_inner());
    let c = committed_at.lock().unwrap_or_else(|e| e.into_inner());
    let mut latencies: Vec<f64> = Vec::new();
    let mut last_commit = started;
    for (h, at) in b.iter() {
        if let Some(done) = c.get(h) {
            latencies.push(done.duration_since(*at).as_secs_f64() * 1e3);
            last_commit = last_commit.max(*done);
        }
    }
    latencies.sort_by(|x, y| x.total_cmp(y));
    Ok(RunResult {
        sent,
        accepted,
        committed: latencies.len(),
        seconds: last_commit.duration_since(started).as_secs_f64(),
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let lanes: Vec<String> = (0..args.lanes).map(|l| format!("lane{l}")).collect();
    let accounts = format!("alice,bob,faucet,{}", lanes.join(","));
    println!("| validators | app | txs sent | accepted | committed | seconds | committed tx/s | p50 latency | p99 latency |");
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut port = args.base_port;
    for &v in &args.validators {
        let mut tps = BTreeMap::new();
        for app in ["kvstore", "kaizen"] {
            let devnet = Devnet::up_with(v, port, &["--app", app, "--accounts", &accounts])?;
            port += 200;
            let r = run_load(&devnet, app, &args).await?;
            let rate = r.committed as f64 / r.seconds;
            tps.insert(app, rate);
            println!(
                "| {v} | {app} | {} | {} | {} | {:.1} | {rate:.0} | {:.0} ms | {:.0} ms |",
                r.sent, r.accepted, r.committed, r.seconds, r.p50_ms, r.p99_ms
            );
            drop(devnet);
        }
        println!(
            "| {v} | **Kaizen/kvstore** | | | | | **{:.2}** | | |",
            tps["kaizen"] / tps["kvstore"]
        );
    }
    Ok(())
}
