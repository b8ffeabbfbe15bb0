//! `kaizend`: the Kaizen node.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kaizen_app::config::NodeConfig;

// The state store allocates a small buffer per key and value it touches; glibc's
// allocator spent about a third of a block's time on them (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kaizend",
    version,
    about = "The Kaizen node: the ABCI application CometBFT runs, with gRPC and metrics"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write `<home>/config/kaizend.toml` with every default (refuses to overwrite).
    Init {
        #[arg(long, env = "KAIZEND_HOME")]
        home: PathBuf,
        /// ABCI listen address (where CometBFT's proxy_app points).
        #[arg(long)]
        abci: Option<std::net::SocketAddr>,
        #[arg(long)]
        grpc: Option<std::net::SocketAddr>,
        #[arg(long)]
        metrics: Option<std::net::SocketAddr>,
        /// The RPC address of this node's CometBFT.
        #[arg(long)]
        cometbft_rpc: Option<String>,
    },
    /// Run the node until SIGINT or SIGTERM.
    Start {
        #[arg(long, env = "KAIZEND_HOME")]
        home: PathBuf,
    },
    /// Print the last committed height and app hash of a home's store.
    Info {
        #[arg(long, env = "KAIZEND_HOME")]
        home: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Init {
            home,
            abci,
            grpc,
            metrics,
            cometbft_rpc,
        } => {
            let path = NodeConfig::path(&home);
            anyhow::ensure!(!path.exists(), "{} already exists", path.display());
            let mut config = NodeConfig::default();
            if let Some(a) = abci {
                config.abci.listen = a;
            }
            if let Some(a) = grpc {
                config.grpc.listen = a;
            }
            if let Some(a) = metrics {
                config.metrics.listen = a;
            }
            if let Some(r) = cometbft_rpc {
                config.cometbft.rpc = r;
            }
            std::fs::create_dir_all(path.parent().context("config dir")?)?;
            std::fs::write(&path, config.to_toml()?)?;
            println!("wrote {}", path.display());
            Ok(())
        }
        Command::Start { home } => kaizen_app::node::start(&home).await,
        Command::Info { home } => {
            let config = NodeConfig::load(&home)?;
            let app = kaizen_app::App::open(&config.data_dir(&home)).await?;
            println!(
                "height {} app_hash {} chain_id {}",
                app.last_committed_height(),
                hex::encode_upper(app.last_app_hash().await?),
                app.chain_id().unwrap_or("(no genesis)")
            );
            app.close().await;
            Ok(())
        }
    }
}
