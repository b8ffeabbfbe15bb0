//! `kaizen devnet up|status|down|stop-node|...`: the command line of [`kaizen_cli::devnet`].

use std::{path::Path, time::Duration};

use clap::Subcommand;
use kaizen_cli::devnet;
use serde_json::json;

use crate::output::{print, Output};

#[derive(Subcommand)]
pub enum DevnetCmd {
    /// Generate and start a devnet in --home.
    Up {
        #[arg(long, default_value_t = 4)]
        validators: usize,
        #[arg(long, default_value_t = 26600)]
        base_port: u16,
        #[arg(long, default_value = "kaizen-devnet")]
        network: String,
        #[arg(long, value_delimiter = ',', default_value = "alice,bob,carol,faucet")]
        accounts: Vec<String>,
        /// Seconds to wait for the first blocks.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// Derive the demo mnemonics from this seed (reproducible devnets).
        #[arg(long)]
        demo_seed: Option<String>,
        /// `kaizen`, or `kvstore`: CometBFT's built-in app (a benchmark baseline).
        #[arg(long, default_value = "kaizen")]
        app: String,
        /// DA nodes (`kaizen-da`) to start, registered as DA operators in genesis.
        #[arg(long, default_value_t = 0)]
        da_nodes: usize,
        /// The DA nodes' erasure coder: auto (GPU when usable), cpu or cuda.
        #[arg(long, default_value = "auto")]
        da_coder: String,
        /// Evaluators (`kaizen-evaluator`) to start, registered as evaluators in genesis
        /// (they fetch artifacts from DA: use with --da-nodes).
        #[arg(long, default_value_t = 0)]
        evaluators: usize,
    },
    /// Heights and processes of every node.
    Status,
    /// Stop every node (files stay for inspection).
    Down,
    /// Stop one node (with --kill: SIGKILL, as a crash).
    StopNode {
        index: usize,
        #[arg(long)]
        kill: bool,
    },
    /// Start one stopped node again.
    StartNode { index: usize },
    /// Stop one DA node (with --kill: SIGKILL).
    StopDaNode {
        index: usize,
        #[arg(long)]
        kill: bool,
    },
    /// Start one stopped DA node again.
    StartDaNode { index: usize },
    /// Stop one evaluator (with --kill: SIGKILL).
    StopEvaluator {
        index: usize,
        #[arg(long)]
        kill: bool,
    },
    /// Start one stopped evaluator again.
    StartEvaluator { index: usize },
}

pub async fn devnet_cmd(home: &Path, out: Output, cmd: DevnetCmd) -> anyhow::Result<()> {
    match cmd {
        DevnetCmd::Up {
            validators,
            base_port,
            network,
            accounts,
            timeout,
            demo_seed,
            app,
            da_nodes,
            da_coder,
            evaluators,
        } => {
            std::fs::create_dir_all(home)?;
            let info = devnet::up(
                home,
                &devnet::UpOptions {
                    validators,
                    base_port,
                    network,
                    accounts,
                    timeout: Duration::from_secs(timeout),
                    demo_seed,
                    app,
                    da_nodes,
                    da_coder,
                    evaluators,
                },
            )
            .await?;
            print(out, serde_json::to_value(&info)?, || {
                let mut s = format!(
                    "devnet {} is up with {} validators (home {})\n",
                    info.chain_id,
                    info.nodes.len(),
                    info.home.display()
                );
                for n in &info.nodes {
                    s += &format!("  node{}: rpc {} grpc {}\n", n.index, n.rpc, n.grpc);
                }
                for n in &info.da_nodes {
                    s += &format!("  da{}: {} operator {}\n", n.index, n.endpoint, n.operator);
                }
                for e in &info.evaluators {
                    s += &format!(
                        "  evaluator{}: {} metrics {}\n",
                        e.index, e.address, e.metrics
                    );
                }
                for a in &info.accounts {
                    s += &format!(
                        "  account {}: {} ({})\n",
                        a.name, a.address, a.initial_balance
                    );
                }
                s += &format!(
                    "described in {}",
                    devnet::DevnetInfo::path(&info.home).display()
                );
                s
            });
        }
        DevnetCmd::Status => {
            let info = devnet::DevnetInfo::load(home)?;
            let mut rows = Vec::new();
            for n in &info.nodes {
                let h = devnet::height(&n.rpc).await.ok();
                rows.push(json!({"node": n.index, "height": h, "kaizend": devnet::alive(n.kaizend_pid), "cometbft": devnet::alive(n.cometbft_pid)}));
            }
            let da_rows: Vec<serde_json::Value> = info
                .da_nodes
                .iter()
                .map(|n| json!({"da_node": n.index, "endpoint": n.endpoint, "up": devnet::alive(n.pid)}))
                .collect();
            print(
                out,
                json!({"chain_id": info.chain_id, "nodes": rows, "da_nodes": da_rows}),
                || {
                    rows.iter()
                        .map(|r| {
                            format!(
                                "node{} height {} kaizend {} cometbft {}",
                                r["node"],
                                r["height"],
                                if r["kaizend"] == true { "up" } else { "down" },
                                if r["cometbft"] == true { "up" } else { "down" }
                            )
                        })
                        .chain(da_rows.iter().map(|r| {
                            format!(
                                "da{} {} {}",
                                r["da_node"],
                                r["endpoint"].as_str().unwrap_or_default(),
                                if r["up"] == true { "up" } else { "down" }
                            )
                        }))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            );
        }
        DevnetCmd::Down => {
            let info = devnet::down(home)?;
            print(out, json!({"stopped": info.nodes.len()}), || {
                format!("stopped {} nodes of {}", info.nodes.len(), info.chain_id)
            });
        }
        DevnetCmd::StopNode { index, kill } => {
            let mut info = devnet::DevnetInfo::load(home)?;
            devnet::stop_node(&mut info, index, kill)?;
            info.save()?;
            print(out, json!({"stopped": index}), || {
                format!("stopped node{index}")
            });
        }
        DevnetCmd::StartNode { index } => {
            let mut info = devnet::DevnetInfo::load(home)?;
            devnet::start_node(&mut info, index)?;
            info.save()?;
            print(out, json!({"started": index}), || {
                format!("started node{index}")
            });
        }
        DevnetCmd::StopDaNode { index, kill } => {
            let mut info = devnet::DevnetInfo::load(home)?;
            devnet::stop_da_node(&mut info, index, kill)?;
            info.save()?;
            print(out, json!({"stopped_da_node": index}), || {
                format!("stopped da{index}")
            });
        }
        DevnetCmd::StopEvaluator { index, kill } => {
            let mut info = devnet::DevnetInfo::load(home)?;
            devnet::stop_evaluator(&mut info, index, kill)?;
            info.save()?;
            print(out, json!({"stopped_evaluator": index}), || {
                format!("stopped evaluator{index}")
            });
        }
        DevnetCmd::StartEvaluator { index } => {
            let mut info = devnet::DevnetInfo::load(home)?;
            devnet::start_evaluator(&mut info, index)?;
            info.save()?;
            print(out, json!({"started_evaluator": index}), || {
                format!("started evaluator{index}")
            });
        }
        DevnetCmd::StartDaNode { index } => {
            let mut info = devnet::DevnetInfo::load(home)?;
            devnet::start_da_node(&mut info, index)?;
            info.save()?;
            print(out, json!({"started_da_node": index}), || {
                format!("started da{index}")
            });
        }
    }
    Ok(())
}
