//! `kaizen`: the Kaizen command line, in Cosmos style.
//!
//! One module per chain module (`bank`, `staking`, `bounty`, `attest`, `da`), each with its
//! clap arguments, transactions and queries; shared `output` (text or JSON), `chain`
//! (signing flags, broadcast, events) and `upload` (the one path to the DA network).

// Client code, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kaizen_cli::client::{ClientConfig, Endpoints};

mod attest;
mod bank;
mod bounty;
mod chain;
mod da;
mod devnet_cmd;
mod keys_cmd;
mod node;
mod output;
mod staking;
mod upload;

use chain::Ctx;
use output::{print, Output};

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
    /// Say more on stderr: e.g. the whole reason the GPU erasure coder is not used.
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Manage keys (BIP-39 mnemonics, path m/44'/118'/0'/0/0).
    #[command(subcommand)]
    Keys(keys_cmd::KeysCmd),
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
    Devnet(devnet_cmd::DevnetCmd),
    /// Blobs on the data-availability network.
    #[command(subcommand)]
    Da(da::DaCmd),
    /// Submit models to bounties (commit, reveal, wait for the verdict).
    #[command(subcommand)]
    Bounty(bounty::BountyCmd),
}

#[derive(Subcommand)]
enum TxCmd {
    #[command(subcommand)]
    Bank(bank::BankTx),
    /// Create and cancel bounties.
    #[command(subcommand)]
    Bounty(bounty::BountyTx),
    /// Evaluator registration.
    #[command(subcommand)]
    Staking(staking::StakingTx),
}

#[derive(Subcommand)]
enum QueryCmd {
    #[command(subcommand)]
    Bank(bank::BankQuery),
    /// An account's number, sequence and public key.
    Account { address: String },
    /// A transaction's result and events.
    Tx { hash: String },
    /// Blobs, quorums and storage challenges.
    #[command(subcommand)]
    Da(da::DaQuery),
    /// DA operator and evaluator registrations, and epochs.
    #[command(subcommand)]
    Staking(staking::StakingQuery),
    /// Bounties, submissions, leaderboards and registered models.
    #[command(subcommand)]
    Bounty(bounty::BountyQuery),
    /// Evaluation jobs.
    #[command(subcommand)]
    Attest(attest::AttestQuery),
}

fn default_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".kaizen")
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}

/// The global flags over `client.toml` over the defaults.
fn context(cli: &Cli) -> anyhow::Result<Ctx> {
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
    Ok(Ctx {
        ep,
        home,
        out: cli.output,
        verbose: cli.verbose,
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = context(&cli)?;
    let (value, text) = match cli.command {
        Cmd::Keys(k) => return keys_cmd::keys_cmd(&ctx.home, ctx.out, k),
        Cmd::Devnet(d) => return devnet_cmd::devnet_cmd(&ctx.home, ctx.out, d).await,
        Cmd::Status => return node::status(&ctx).await,
        Cmd::Tx(TxCmd::Bank(t)) => return bank::bank_tx(&ctx, t).await,
        Cmd::Tx(TxCmd::Bounty(t)) => return bounty::bounty_tx(&ctx, t).await,
        Cmd::Tx(TxCmd::Staking(t)) => return staking::staking_tx(&ctx, t).await,
        Cmd::Bounty(b) => return bounty::bounty_cmd(&ctx, b).await,
        Cmd::Query(QueryCmd::Account { address }) => return node::account(&ctx, &address).await,
        Cmd::Query(QueryCmd::Tx { hash }) => return node::tx(&ctx, &hash).await,
        Cmd::Query(QueryCmd::Bank(q)) => bank::bank_query(&ctx, q).await?,
        Cmd::Query(QueryCmd::Da(q)) => da::da_query(&ctx.ep, q).await?,
        Cmd::Query(QueryCmd::Staking(q)) => staking::staking_query(&ctx.ep, q).await?,
        Cmd::Query(QueryCmd::Bounty(q)) => bounty::bounty_query(&ctx.ep, q).await?,
        Cmd::Query(QueryCmd::Attest(q)) => attest::attest_query(&ctx.ep, q).await?,
        Cmd::Da(d) => da::da_cmd(&ctx, d).await?,
    };
    print(ctx.out, value, || text);
    Ok(())
}
