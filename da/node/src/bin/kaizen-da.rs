//! `kaizen-da`: a Kaizen DA node. `init` makes its keys, `register` bonds it as a DA
//! operator, `start` serves shards, signs availability and does its duties on chain.

// A daemon, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{
    fs,
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use kaizen_client::{
    keys::Keyring,
    tx::{broadcast_checked, parse_coin},
    Endpoints,
};
use kaizen_da::{
    server::{serve, NodeConfig, NodeService},
    store::ShardStore,
    watcher::{ClientSender, Watcher},
};
use kaizen_da_client::chain::{ChainView, GrpcChain};
use kaizen_framework::bls::BlsKey;
use kaizen_proto::kaizen::staking::v1::MsgRegisterDaOperator;
use prost::{Message, Name};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(name = "kaizen-da", version, about = "A Kaizen data-availability node")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create the operator's account key and BLS key in --home; print them as JSON.
    Init {
        #[arg(long)]
        home: PathBuf,
        /// A name for this node, echoed in the JSON (devnets label operators with it).
        #[arg(long, default_value = "")]
        moniker: String,
    },
    /// Register as a DA operator on chain, bonding --bond.
    Register {
        #[arg(long)]
        home: PathBuf,
        #[arg(long)]
        chain_grpc: String,
        #[arg(long)]
        chain_id: String,
        /// The gRPC URL clients reach this node at.
        #[arg(long)]
        endpoint: String,
        #[arg(long, default_value = "10000000ukzn")]
        bond: String,
    },
    /// Serve shards and do the operator's duties.
    Start {
        #[arg(long)]
        home: PathBuf,
        #[arg(long, default_value = "127.0.0.1:7100")]
        listen: String,
        #[arg(long)]
        chain_grpc: String,
        #[arg(long)]
        chain_id: String,
        /// Erasure coder for repairs: auto (the GPU where one is usable, else the CPU),
        /// cpu or cuda (fails without a usable GPU). The node itself only checks and
        /// stores shards today.
        #[arg(long, default_value = "auto")]
        coder: String,
        /// Largest shard accepted, in bytes.
        #[arg(long, default_value_t = 64 << 20)]
        max_shard_bytes: usize,
        /// TEST ONLY: serve every shard with one byte flipped, so that end-to-end tests
        /// can check that clients detect and skip a corrupt node. Exists only in a build
        /// with the `test-switches` feature.
        #[cfg(feature = "test-switches")]
        #[arg(long, hide = true)]
        test_serve_corrupt_shards: bool,
    },
}

#[derive(Serialize, Deserialize)]
struct BlsKeyFile {
    secret: String,
}

const OPERATOR_KEY: &str = "operator";
/// How long requests in flight may run on after SIGTERM/SIGINT.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

fn bls_path(home: &Path) -> PathBuf {
    home.join("bls_key.json")
}

fn load_bls(home: &Path) -> anyhow::Result<BlsKey> {
    let path = bls_path(home);
    let file: BlsKeyFile = serde_json::from_slice(
        &fs::read(&path)
            .with_context(|| format!("reading {} (run kaizen-da init)", path.display()))?,
    )?;
    Ok(BlsKey::from_bytes(&hex::decode(file.secret)?)?)
}

fn init(home: &Path, moniker: &str) -> anyhow::Result<()> {
    fs::create_dir_all(home)?;
    if bls_path(home).exists() || Keyring::path(home).exists() {
        bail!(
            "{} already holds keys; refusing to overwrite them",
            home.display()
        );
    }
    let mut ring = Keyring::open(home)?;
    let entry = ring.add(OPERATOR_KEY, &kaizen_client::keys::new_mnemonic())?;
    let mut seed = [0u8; 32];
    getrandom(&mut seed)?;
    let key = BlsKey::from_seed(&seed)?;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(bls_path(home))?;
    f.write_all(&serde_json::to_vec_pretty(&BlsKeyFile {
        secret: hex::encode(key.to_bytes()),
    })?)?;
    println!(
        "{}",
        serde_json::json!({
            "address": entry.address,
            "bls_public_key": hex::encode(key.public_key()),
            "proof_of_possession": hex::encode(key.proof_of_possession()),
            "moniker": moniker,
        })
    );
    Ok(())
}

fn getrandom(buf: &mut [u8]) -> anyhow::Result<()> {
    use std::io::Read;
    fs::File::open("/dev/urandom")?.read_exact(buf)?;
    Ok(())
}

fn endpoints(home: &Path, grpc: &str, chain_id: &str) -> Endpoints {
    Endpoints {
        home: home.to_path_buf(),
        node: String::new(),
        grpc: grpc.to_string(),
        chain_id: Some(chain_id.to_string()),
    }
}

async fn register(
    home: &Path,
    grpc: &str,
    chain_id: &str,
    endpoint: &str,
    bond: &str,
) -> anyhow::Result<()> {
    let (key, address) = Keyring::open(home)?.signer(OPERATOR_KEY)?;
    let bls = load_bls(home)?;
    let (amount, denom) = parse_coin(bond)?;
    anyhow::ensure!(denom == "ukzn", "the bond is in ukzn");
    let msg = MsgRegisterDaOperator {
        operator: address.to_string(),
        bls_public_key: bls.public_key().to_vec(),
        proof_of_possession: bls.proof_of_possession().to_vec(),
        endpoint: endpoint.to_string(),
        bond: amount.to_string(),
    };
    let r = broadcast_checked(
        &endpoints(home, grpc, chain_id),
        &key,
        &address,
        vec![cosmrs::proto::Any {
            type_url: MsgRegisterDaOperator::type_url(),
            value: msg.encode_to_vec(),
        }],
        "registration",
    )
    .await?;
    println!(
        "registered {address} at {endpoint} in block {}; it joins the quorums from the next epoch",
        r.height
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn start(
    home: &Path,
    listen: &str,
    grpc: &str,
    chain_id: &str,
    coder: &str,
    max_shard_bytes: usize,
    corrupt: bool,
) -> anyhow::Result<()> {
    let (account_key, operator) = Keyring::open(home)?.signer(OPERATOR_KEY)?;
    let bls = load_bls(home)?;
    let chain: Arc<dyn ChainView> = Arc::new(GrpcChain::connect(grpc).await?);
    let store = Arc::new(ShardStore::open(&home.join("data/shards"))?);
    // The node checks and stores shards; encoding and decoding are the client's, so
    // the coder (chosen and logged here: `cuda` fails without a usable GPU) is only
    // reported until nodes repair lost shards themselves.
    let choice: kaizen_cuda::CoderChoice = coder.parse().map_err(anyhow::Error::msg)?;
    let coder_name = kaizen_cuda::select_coder(choice)
        .map_err(anyhow::Error::msg)?
        .name();
    if corrupt {
        tracing::warn!("TEST MODE: serving corrupted shards");
    }
    let service = NodeService::new(
        NodeConfig {
            chain_id: chain_id.to_string(),
            operator: operator.to_string(),
            max_shard_bytes,
            max_inflight_bytes: max_shard_bytes.saturating_mul(4).max(256 << 20),
            serve_corrupt_shards: corrupt,
            coder: coder_name.to_string(),
        },
        chain.clone(),
        store.clone(),
        bls.clone(),
    );
    let watcher = Watcher::new(
        chain,
        store,
        Arc::new(ClientSender {
            endpoints: endpoints(home, grpc, chain_id),
            account_key,
            address: operator,
        }),
        operator.to_string(),
        bls,
        chain_id.to_string(),
        Duration::from_millis(500),
    );
    let duties = tokio::spawn(watcher.run());
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen:?}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(%operator, %addr, "kaizen-da serving");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing a SIGTERM handler")?;
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
        let _ = signalled.send(());
    };
    // Requests in flight may finish; a connection still busy after the grace period is
    // dropped.
    let grace = async {
        if on_signal.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = serve(listener, service, shutdown) => served?,
        () = grace => tracing::warn!(?SHUTDOWN_GRACE, "requests still in flight; exiting"),
    }
    duties.abort();
    tracing::info!("stopped");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match Cli::parse().command {
        Cmd::Init { home, moniker } => init(&home, &moniker),
        Cmd::Register {
            home,
            chain_grpc,
            chain_id,
            endpoint,
            bond,
        } => register(&home, &chain_grpc, &chain_id, &endpoint, &bond).await,
        Cmd::Start {
            home,
            listen,
            chain_grpc,
            chain_id,
            coder,
            max_shard_bytes,
            #[cfg(feature = "test-switches")]
            test_serve_corrupt_shards,
        } => {
            #[cfg(not(feature = "test-switches"))]
            let test_serve_corrupt_shards = false;
            start(
                &home,
                &listen,
                &chain_grpc,
                &chain_id,
                &coder,
                max_shard_bytes,
                test_serve_corrupt_shards,
            )
            .await
        }
    }
}
