//! `kaizen-evaluator`: a Kaizen evaluator node. `init` makes its account key, `register`
//! bonds it as an evaluator, `start` follows its committee assignments and attests;
//! `eval` scores one model locally (also what the sandbox runs).

// A daemon, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use kaizen_client::{
    keys::Keyring,
    tx::{broadcast_checked, parse_coin},
    Endpoints,
};
use kaizen_evaluator::{
    node::{EvaluatorNode, NodeConfig},
    sandbox::{self, EvalFiles, SandboxLimits},
};
use kaizen_proto::kaizen::staking::v1::MsgRegisterEvaluator;
use prost::{Message, Name};

const KEY_NAME: &str = "evaluator";

#[derive(Parser)]
#[command(name = "kaizen-evaluator", version, about = "A Kaizen evaluator node")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create the evaluator's account key in --home; print its address as JSON.
    Init {
        #[arg(long)]
        home: PathBuf,
        #[arg(long, default_value = "")]
        moniker: String,
    },
    /// Register as an evaluator on chain, bonding --bond.
    Register {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        chain_grpc: String,
        #[arg(long)]
        chain_id: String,
        #[arg(long, default_value = "2000000ukzn")]
        bond: String,
        /// Where this evaluator's metrics are served (informational, on chain).
        #[arg(long, default_value = "")]
        endpoint: String,
    },
    /// Follow committee assignments: fetch, evaluate, commit, reveal.
    Start {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        chain_grpc: String,
        #[arg(long)]
        chain_id: String,
        /// Prometheus metrics listen address (loopback by default); "off" to disable.
        #[arg(long, default_value = "127.0.0.1:9464")]
        metrics: String,
        #[arg(long, default_value_t = 500)]
        poll_ms: u64,
        /// Wall clock for one evaluation (loading, inference, metric).
        #[arg(long, default_value_t = 60)]
        eval_timeout_secs: u64,
        /// Address-space cap of the evaluation process, in MiB.
        #[arg(long, default_value_t = 4096)]
        eval_memory_mib: u64,
        /// Largest artifact fetched from DA, in MiB.
        #[arg(long, default_value_t = 512)]
        max_artifact_mib: u64,
        /// Evaluations run at once (each in its own sandboxed process), earliest
        /// commit deadline first.
        #[arg(long, default_value_t = 2)]
        concurrent_jobs: usize,
        /// TEST ONLY: attest wrong scores (to watch the chain slash this evaluator).
        /// Exists only in a build with the `test-switches` feature.
        #[cfg(feature = "test-switches")]
        #[arg(long, hide = true)]
        test_byzantine: bool,
    },
    /// Evaluate one model on one test set locally and print the verdict as JSON.
    Eval {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        test_set: PathBuf,
        /// `accuracy`, `recall:1`, `roc_auc:1`, `mse`, `wasm:<sha256>`...
        #[arg(long)]
        metric: String,
        #[arg(long)]
        wasm: Option<PathBuf>,
        #[arg(long, default_value_t = 60_000)]
        timeout_ms: u64,
        /// Fuel of the WASM metric (a job's `EvalLimits.wasm_fuel`).
        #[arg(long)]
        wasm_fuel: Option<u64>,
        /// Most static model cost (a job's `EvalLimits.max_model_cost`).
        #[arg(long)]
        max_model_cost: Option<u64>,
    },
}

fn init(home: &std::path::Path, moniker: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(home)?;
    if Keyring::path(home).exists() {
        bail!(
            "{} already holds keys; refusing to overwrite them",
            home.display()
        );
    }
    let mut ring = Keyring::open(home)?;
    let entry = ring.add(KEY_NAME, &kaizen_client::keys::new_mnemonic())?;
    println!(
        "{}",
        serde_json::json!({ "address": entry.address, "moniker": moniker })
    );
    Ok(())
}

async fn register(
    home: &std::path::Path,
    grpc: &str,
    chain_id: &str,
    bond: &str,
    endpoint: &str,
) -> anyhow::Result<()> {
    let (key, address) = Keyring::open(home)?.signer(KEY_NAME)?;
    let (amount, denom) = parse_coin(bond)?;
    anyhow::ensure!(denom == "ukzn", "the bond is in ukzn");
    let msg = MsgRegisterEvaluator {
        evaluator: address.to_string(),
        bond: amount.to_string(),
        endpoint: endpoint.to_string(),
    };
    let ep = Endpoints {
        home: home.to_path_buf(),
        node: String::new(),
        grpc: grpc.to_string(),
        chain_id: Some(chain_id.to_string()),
    };
    let r = broadcast_checked(
        &ep,
        &key,
        &address,
        vec![cosmrs::proto::Any {
            type_url: MsgRegisterEvaluator::type_url(),
            value: msg.encode_to_vec(),
        }],
        "registration",
    )
    .await?;
    println!("registered {address} as an evaluator in block {}", r.height);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Cmd::Eval {
        model,
        test_set,
        metric,
        wasm,
        timeout_ms,
        wasm_fuel,
        max_model_cost,
    } = &cli.command
    {
        // The sandbox's child: stdout carries exactly one JSON verdict.
        let verdict = sandbox::child_main(
            &EvalFiles {
                model: model.clone(),
                test_set: test_set.clone(),
                metric: metric.clone(),
                wasm: wasm.clone(),
                wasm_fuel: *wasm_fuel,
                max_model_cost: *max_model_cost,
            },
            Duration::from_millis(*timeout_ms),
        );
        println!("{}", serde_json::to_string(&verdict)?);
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Cmd::Init { home, moniker } => init(&home, &moniker),
        Cmd::Register {
            home,
            chain_grpc,
            chain_id,
            bond,
            endpoint,
        } => register(&home, &chain_grpc, &chain_id, &bond, &endpoint).await,
        Cmd::Start {
            home,
            chain_grpc,
            chain_id,
            metrics,
            poll_ms,
            eval_timeout_secs,
            eval_memory_mib,
            max_artifact_mib,
            concurrent_jobs,
            #[cfg(feature = "test-switches")]
            test_byzantine,
        } => {
            #[cfg(not(feature = "test-switches"))]
            let test_byzantine = false;
            if metrics != "off" {
                let listen: SocketAddr = metrics
                    .parse()
                    .with_context(|| format!("--metrics {metrics:?} is not an address"))?;
                metrics_exporter_prometheus::PrometheusBuilder::new()
                    .with_http_listener(listen)
                    .install()
                    .context("starting the metrics listener")?;
                tracing::info!(%listen, "metrics at /metrics");
            }
            if test_byzantine {
                tracing::warn!("TEST MODE: this evaluator attests wrong scores");
            }
            let cfg = NodeConfig {
                home: home.clone(),
                chain_grpc,
                chain_id,
                poll: Duration::from_millis(poll_ms.max(50)),
                sandbox: SandboxLimits {
                    timeout: Duration::from_secs(eval_timeout_secs.max(1)),
                    memory_bytes: eval_memory_mib.saturating_mul(1 << 20),
                },
                exe: std::env::current_exe().context("locating this executable")?,
                max_artifact_bytes: max_artifact_mib.saturating_mul(1 << 20),
                concurrent_jobs: concurrent_jobs.clamp(1, 64),
                byzantine: test_byzantine,
            };
            let node = EvaluatorNode::connect(cfg, KEY_NAME).await?;
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .context("installing a SIGTERM handler")?;
            tracing::info!(home = %home.display(), "kaizen-evaluator started");
            tokio::select! {
                () = node.run() => {}
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            tracing::info!("stopped");
            Ok(())
        }
        Cmd::Eval { .. } => Ok(()),
    }
}
