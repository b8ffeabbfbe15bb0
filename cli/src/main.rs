//! `kaizen`: the Kaizen command line, in Cosmos style.

// Client code, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{io::Read, path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use cosmrs::proto::cosmos::{
    auth::v1beta1::BaseAccount, bank::v1beta1::QueryAllBalancesRequest, tx::v1beta1::GetTxRequest,
};
use serde_json::json;

mod bounty_cmd;
mod da_cmd;

use kaizen_cli::{
    client::{ClientConfig, Endpoints},
    devnet, keys,
    keys::Keyring,
    tx,
    tx::{Gas, TxOptions},
};

#[derive(Parser)]
#[command(
    name = "kaizen",
    version,
    about = "Keys, transactions, queries and local devnets for Kaizen"
)]
struct Cli {
    /// Client home: keyring.json, client.toml and, for a devnet, devnet.json.
    #[arg(long, global = true, env = "KAIZEN_HOME")]
    home: Option<PathBuf>,
    /// CometBFT RPC of a node.
    #[arg(long, global = true)]
    node: Option<String>,
    /// gRPC of a kaizend.
    #[arg(long, global = true)]
    grpc: Option<String>,
    #[arg(long, global = true)]
    chain_id: Option<String>,
    #[arg(long, global = true, value_enum, default_value = "text")]
    output: Output,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Cmd {
    /// Manage keys (BIP-39 mnemonics, path m/44'/118'/0'/0/0).
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Sign and broadcast transactions.
    #[command(subcommand)]
    Tx(TxCmd),
    /// Read chain state.
    #[command(subcommand, alias = "q")]
    Query(QueryCmd),
    /// The node's status (CometBFT RPC).
    Status,
    /// Local multi-validator networks on loopback.
    #[command(subcommand)]
    Devnet(DevnetCmd),
    /// Blobs on the data-availability network.
    #[command(subcommand)]
    Da(da_cmd::DaCmd),
    /// Submit models to bounties (commit, reveal, wait for the verdict).
    #[command(subcommand)]
    Bounty(bounty_cmd::BountyCmd),
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Create a key (prints its mnemonic once) or, with --recover, import one from stdin.
    Add {
        name: String,
        #[arg(long)]
        recover: bool,
    },
    List,
    Show {
        name: String,
        /// Print only the address.
        #[arg(long, short = 'a')]
        address: bool,
    },
    /// Print a key's mnemonic (keep it secret).
    Export {
        name: String,
    },
    /// Import a key from a mnemonic read on stdin.
    Import {
        name: String,
    },
    Delete {
        name: String,
    },
}

#[derive(Subcommand)]
enum TxCmd {
    #[command(subcommand)]
    Bank(BankTx),
    /// Create and cancel bounties.
    #[command(subcommand)]
    Bounty(bounty_cmd::BountyTx),
    /// Evaluator registration.
    #[command(subcommand)]
    Staking(bounty_cmd::StakingTx),
}

#[derive(Subcommand)]
enum BankTx {
    /// Send coins: `kaizen tx bank send TO AMOUNT --from NAME`.
    Send {
        to: String,
        amount: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

#[derive(clap::Args)]
struct TxFlags {
    /// Key name that signs and pays.
    #[arg(long)]
    from: String,
    /// Fee, e.g. 500ukzn (default: the minimum for the gas).
    #[arg(long)]
    fees: Option<String>,
    /// Gas limit, or `auto` to simulate first.
    #[arg(long, default_value = "auto")]
    gas: String,
    /// Multiplier on simulated gas with --gas auto.
    #[arg(long, default_value = "1.5")]
    gas_adjustment: String,
    #[arg(long, default_value = "")]
    memo: String,
    /// Return after the node accepts the tx, without waiting for the block.
    #[arg(long)]
    no_wait: bool,
}

#[derive(Subcommand)]
enum QueryCmd {
    #[command(subcommand)]
    Bank(BankQuery),
    /// An account's number, sequence and public key.
    Account { address: String },
    /// A transaction's result and events.
    Tx { hash: String },
    /// Blobs, quorums and storage challenges.
    #[command(subcommand)]
    Da(da_cmd::DaQuery),
    /// DA operator and evaluator registrations, and epochs.
    #[command(subcommand)]
    Staking(da_cmd::StakingQuery),
    /// Bounties, submissions, leaderboards and registered models.
    #[command(subcommand)]
    Bounty(bounty_cmd::BountyQuery),
    /// Evaluation jobs.
    #[command(subcommand)]
    Attest(bounty_cmd::AttestQuery),
}

#[derive(Subcommand)]
enum BankQuery {
    /// All balances of an address (or key name).
    Balances { address: String },
}

#[derive(Subcommand)]
enum DevnetCmd {
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

fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".kaizen")
}

fn print(output: Output, value: serde_json::Value, text: impl FnOnce() -> String) {
    match output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ),
        Output::Text => println!("{}", text()),
    }
}

fn percent(adjustment: &str) -> anyhow::Result<u64> {
    // "1.5" → 150, without floats.
    let (int, frac) = adjustment.split_once('.').unwrap_or((adjustment, ""));
    let frac = format!("{frac:0<2}");
    anyhow::ensure!(
        frac.len() == 2,
        "--gas-adjustment takes at most two decimals"
    );
    Ok(int.parse::<u64>()? * 100 + frac.parse::<u64>()?)
}

fn tx_response_json(
    r: &cosmrs::proto::cosmos::base::abci::v1beta1::TxResponse,
) -> serde_json::Value {
    json!({
        "txhash": r.txhash, "height": r.height, "code": r.code, "codespace": r.codespace,
        "raw_log": r.raw_log, "gas_wanted": r.gas_wanted, "gas_used": r.gas_used, "timestamp": r.timestamp,
        "events": r.events.iter().map(|e| json!({
            "type": e.r#type,
            "attributes": e.attributes.iter().map(|a| json!({"key": a.key, "value": a.value})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let home = cli.home.clone().unwrap_or_else(default_home);
    let cfg = ClientConfig::load(&home)?;
    let ep = Endpoints {
        home: home.clone(),
        node: cli
            .node
            .clone()
            .or(cfg.node)
            .unwrap_or_else(|| "http://127.0.0.1:26657".into()),
        grpc: cli
            .grpc
            .clone()
            .or(cfg.grpc)
            .unwrap_or_else(|| "http://127.0.0.1:9090".into()),
        chain_id: cli.chain_id.clone().or(cfg.chain_id),
    };
    let out = cli.output;
    match cli.command {
        Cmd::Keys(k) => keys_cmd(&home, out, k),
        Cmd::Tx(TxCmd::Bank(BankTx::Send { to, amount, common })) => {
            let ring = Keyring::open(&home)?;
            let (key, from) = ring.signer(&common.from)?;
            let to = ring.resolve(&to)?;
            let (amount, denom) = tx::parse_coin(&amount)?;
            let opts = TxOptions {
                gas: if common.gas == "auto" {
                    Gas::Auto {
                        adjustment_percent: percent(&common.gas_adjustment)?,
                    }
                } else {
                    Gas::Fixed(
                        common
                            .gas
                            .parse()
                            .context("--gas takes a number or `auto`")?,
                    )
                },
                fees: common.fees.as_deref().map(tx::parse_coin).transpose()?,
                memo: common.memo,
                wait: !common.no_wait,
            };
            let r = tx::broadcast(
                &ep,
                &key,
                &from,
                vec![tx::msg_send(&from, &to, amount, &denom)],
                &opts,
            )
            .await?;
            print(out, tx_response_json(&r), || {
                if r.height == 0 {
                    format!("txhash: {}\naccepted into the mempool", r.txhash)
                } else if r.code == 0 {
                    format!("txhash: {}\nheight: {}\ngas used: {} of {}\nsent {amount}{denom} from {from} to {to}", r.txhash, r.height, r.gas_used, r.gas_wanted)
                } else {
                    format!(
                        "txhash: {}\nheight: {}\nFAILED: {} (codespace {}, code {})",
                        r.txhash, r.height, r.raw_log, r.codespace, r.code
                    )
                }
            });
            anyhow::ensure!(
                r.code == 0,
                "the transaction failed in block {}: {}",
                r.height,
                r.raw_log
            );
            Ok(())
        }
        Cmd::Query(QueryCmd::Bank(BankQuery::Balances { address })) => {
            let address = Keyring::open(&home)?.resolve(&address)?;
            let r = ep
                .bank()
                .await?
                .all_balances(QueryAllBalancesRequest {
                    address: address.to_string(),
                    pagination: None,
                    resolve_denom: false,
                })
                .await
                .map_err(|s| anyhow::anyhow!("{}", s.message()))?
                .into_inner();
            let balances: Vec<_> = r
                .balances
                .iter()
                .map(|c| json!({"denom": c.denom, "amount": c.amount}))
                .collect();
            print(
                out,
                json!({ "address": address.to_string(), "balances": balances }),
                || {
                    if r.balances.is_empty() {
                        format!("{address}: no balances")
                    } else {
                        r.balances
                            .iter()
                            .map(|c| format!("{}{}", c.amount, c.denom))
                            .collect::<Vec<_>>()
                            .join("\n")
                    }
                },
            );
            Ok(())
        }
        Cmd::Query(QueryCmd::Account { address }) => {
            let address = Keyring::open(&home)?.resolve(&address)?;
            let acc: BaseAccount = ep.account(&address).await?.with_context(|| {
                format!("{address} has no account: it has never held funds on this chain")
            })?;
            let pk = acc
                .pub_key
                .as_ref()
                .map(|a| hex::encode(&a.value))
                .unwrap_or_default();
            print(
                out,
                json!({"address": acc.address, "account_number": acc.account_number, "sequence": acc.sequence, "pub_key": pk}),
                || {
                    format!(
                        "address: {}\naccount_number: {}\nsequence: {}",
                        acc.address, acc.account_number, acc.sequence
                    )
                },
            );
            Ok(())
        }
        Cmd::Query(QueryCmd::Tx { hash }) => {
            let r = ep
                .tx()
                .await?
                .get_tx(GetTxRequest { hash: hash.clone() })
                .await
                .map_err(|s| anyhow::anyhow!("{}", s.message()))?
                .into_inner()
                .tx_response
                .context("no tx_response")?;
            print(out, tx_response_json(&r), || {
                let events: Vec<String> = r
                    .events
                    .iter()
                    .map(|e| {
                        format!(
                            "  {} {}",
                            e.r#type,
                            e.attributes
                                .iter()
                                .map(|a| format!("{}={}", a.key, a.value))
                                .collect::<Vec<_>>()
                                .join(" ")
                        )
                    })
                    .collect();
                format!(
                    "txhash: {}\nheight: {}\ncode: {} {}\ngas used: {} of {}\nevents:\n{}",
                    r.txhash,
                    r.height,
                    r.code,
                    r.raw_log,
                    r.gas_used,
                    r.gas_wanted,
                    events.join("\n")
                )
            });
            Ok(())
        }
        Cmd::Status => {
            use tendermint_rpc::Client;
            let s = ep.rpc()?.status().await.with_context(|| {
                format!("cannot reach CometBFT RPC at {} (set --node)", ep.node)
            })?;
            print(
                out,
                json!({"network": s.node_info.network.to_string(), "moniker": s.node_info.moniker.to_string(),
                       "latest_block_height": s.sync_info.latest_block_height.value(),
                       "latest_app_hash": s.sync_info.latest_app_hash.to_string(),
                       "catching_up": s.sync_info.catching_up}),
                || {
                    format!(
                        "network: {}\nheight: {}\napp hash: {}\ncatching up: {}",
                        s.node_info.network,
                        s.sync_info.latest_block_height,
                        s.sync_info.latest_app_hash,
                        s.sync_info.catching_up
                    )
                },
            );
            Ok(())
        }
        Cmd::Query(QueryCmd::Da(q)) => {
            let (v, text) = da_cmd::da_query(&ep, q).await?;
            print(out, v, || text);
            Ok(())
        }
        Cmd::Query(QueryCmd::Staking(q)) => {
            let (v, text) = da_cmd::staking_query(&ep, q).await?;
            print(out, v, || text);
            Ok(())
        }
        Cmd::Query(QueryCmd::Bounty(q)) => {
            let (v, text) = bounty_cmd::bounty_query(&ep, q).await?;
            print(out, v, || text);
            Ok(())
        }
        Cmd::Query(QueryCmd::Attest(q)) => {
            let (v, text) = bounty_cmd::attest_query(&ep, q).await?;
            print(out, v, || text);
            Ok(())
        }
        Cmd::Tx(TxCmd::Bounty(t)) => bounty_cmd::bounty_tx(&ep, &home, out, t).await,
        Cmd::Tx(TxCmd::Staking(t)) => bounty_cmd::staking_tx(&ep, &home, out, t).await,
        Cmd::Bounty(b) => bounty_cmd::bounty_cmd(&ep, &home, out, b).await,
        Cmd::Devnet(d) => devnet_cmd(&home, out, d).await,
        Cmd::Da(d) => {
            let (v, text) = da_cmd::da_cmd(&ep, &home, d).await?;
            print(out, v, || text);
            Ok(())
        }
    }
}

fn keys_cmd(home: &std::path::Path, out: Output, cmd: KeysCmd) -> anyhow::Result<()> {
    let mut ring = Keyring::open(home)?;
    match cmd {
        KeysCmd::Add { name, recover } => {
            let mnemonic = if recover {
                read_stdin()?
            } else {
                keys::new_mnemonic()
            };
            let e = ring.add(&name, &mnemonic)?;
            print(
                out,
                json!({"name": e.name, "address": e.address, "mnemonic": if recover { None } else { Some(&mnemonic) }}),
                || {
                    if recover {
                        format!("{}: {}", e.name, e.address)
                    } else {
                        format!("{}: {}\n\nWrite this mnemonic down; it is the only way to recover the key:\n\n{mnemonic}", e.name, e.address)
                    }
                },
            );
        }
        KeysCmd::Import { name } => {
            let e = ring.add(&name, &read_stdin()?)?;
            print(out, json!({"name": e.name, "address": e.address}), || {
                format!("{}: {}", e.name, e.address)
            });
        }
        KeysCmd::List => {
            let list: Vec<_> = ring
                .list()
                .iter()
                .map(|k| json!({"name": k.name, "address": k.address, "pubkey": k.pubkey}))
                .collect();
            print(out, json!(list), || {
                ring.list()
                    .iter()
                    .map(|k| format!("{}\t{}", k.name, k.address))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        KeysCmd::Show { name, address } => {
            let k = ring.get(&name)?;
            print(
                out,
                json!({"name": k.name, "address": k.address, "pubkey": k.pubkey}),
                || {
                    if address {
                        k.address.clone()
                    } else {
                        format!(
                            "name: {}\naddress: {}\npubkey: {}",
                            k.name, k.address, k.pubkey
                        )
                    }
                },
            );
        }
        KeysCmd::Export { name } => {
            let k = ring.get(&name)?;
            print(out, json!({"name": k.name, "mnemonic": k.mnemonic}), || {
                k.mnemonic.clone()
            });
        }
        KeysCmd::Delete { name } => {
            ring.delete(&name)?;
            print(out, json!({"deleted": name}), || format!("deleted {name}"));
        }
    }
    Ok(())
}

fn read_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().take(4096).read_to_string(&mut s)?;
    anyhow::ensure!(!s.trim().is_empty(), "expected a mnemonic on stdin");
    Ok(s.trim().to_string())
}

async fn devnet_cmd(home: &std::path::Path, out: Output, cmd: DevnetCmd) -> anyhow::Result<()> {
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
