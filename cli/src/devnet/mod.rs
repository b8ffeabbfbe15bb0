//! `kaizen devnet`: a local multi-validator network on loopback, with real `cometbft` and
//! `kaizend` processes, funded demo accounts, and `devnet.json` describing all of it.
//!
//! `up` generates the genesis (`genesis.rs`), writes the configurations (`config.rs`) and
//! starts the processes (`process.rs`). Ports are laid out in `ports.rs`; everything binds
//! 127.0.0.1, and `up` refuses to start while any of its ports is taken.

use std::{
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::keys::Keyring;

mod binaries;
mod config;
mod genesis;
mod ports;
mod process;

pub use binaries::{find_cometbft, find_kaizen_da, find_kaizen_evaluator, find_kaizend};
pub use process::{
    alive, down, height, start_da_node, start_evaluator, start_node, stop_da_node, stop_evaluator,
    stop_node, stop_pid, wait_for_blocks,
};

/// The CometBFT release the project is pinned to.
pub const COMETBFT_VERSION: &str = "v0.38.26";
/// Each demo account's starting balance, in ukzn.
pub const DEMO_BALANCE: u128 = 1_000_000_000_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfo {
    pub index: usize,
    pub moniker: String,
    pub home: PathBuf,
    pub node_id: String,
    pub p2p: String,
    pub rpc: String,
    pub abci: String,
    pub grpc: String,
    pub metrics: String,
    pub cometbft_pid: Option<u32>,
    pub kaizend_pid: Option<u32>,
    pub cometbft_log: PathBuf,
    pub kaizend_log: PathBuf,
}

/// A DA node (`kaizen-da`), registered as a DA operator in genesis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DaNodeInfo {
    pub index: usize,
    pub home: PathBuf,
    /// The operator's account.
    pub operator: String,
    /// Its gRPC endpoint, as registered on chain.
    pub endpoint: String,
    /// The validator node whose gRPC it follows.
    pub chain_grpc: String,
    pub coder: String,
    pub pid: Option<u32>,
    pub log: PathBuf,
}

/// An evaluator node (`kaizen-evaluator`), registered as an evaluator in genesis.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluatorInfo {
    pub index: usize,
    pub home: PathBuf,
    pub address: String,
    /// Its Prometheus metrics (`http://.../metrics`).
    pub metrics: String,
    pub chain_grpc: String,
    pub pid: Option<u32>,
    pub log: PathBuf,
    /// Extra arguments of `kaizen-evaluator start` (tests use `--test-byzantine`).
    #[serde(default)]
    pub extra_args: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoAccount {
    pub name: String,
    pub address: String,
    /// Devnet only: these keys guard play money.
    pub mnemonic: String,
    pub initial_balance: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevnetInfo {
    /// `kaizen`, or `kvstore` (CometBFT's built-in app, a baseline for benchmarks).
    #[serde(default = "default_app")]
    pub app: String,
    pub chain_id: String,
    pub home: PathBuf,
    pub cometbft: PathBuf,
    pub kaizend: PathBuf,
    pub nodes: Vec<NodeInfo>,
    pub accounts: Vec<DemoAccount>,
    #[serde(default)]
    pub kaizen_da: Option<PathBuf>,
    #[serde(default)]
    pub da_nodes: Vec<DaNodeInfo>,
    #[serde(default)]
    pub kaizen_evaluator: Option<PathBuf>,
    #[serde(default)]
    pub evaluators: Vec<EvaluatorInfo>,
}

fn default_app() -> String {
    "kaizen".into()
}

impl DevnetInfo {
    pub fn path(home: &Path) -> PathBuf {
        home.join("devnet.json")
    }

    pub fn load(home: &Path) -> anyhow::Result<Self> {
        let path = Self::path(home);
        let bytes = fs::read(&path).with_context(|| {
            format!(
                "no devnet at {} (`kaizen devnet up --home {}` starts one)",
                home.display(),
                home.display()
            )
        })?;
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
    }

    pub fn save(&self) -> anyhow::Result<()> {
        fs::write(Self::path(&self.home), serde_json::to_vec_pretty(self)?)?;
        Ok(())
    }
}

pub struct UpOptions {
    pub validators: usize,
    pub base_port: u16,
    pub network: String,
    pub accounts: Vec<String>,
    pub timeout: Duration,
    /// Derive the demo accounts' mnemonics from this seed instead of at random, so that
    /// two devnets start from the same state (tests compare their app hashes).
    pub demo_seed: Option<String>,
    /// `kaizen`, or `kvstore` to run CometBFT's built-in app instead of kaizend.
    pub app: String,
    /// DA nodes to start and register as DA operators in genesis.
    pub da_nodes: usize,
    /// `--coder` of the DA nodes: `auto`, `cpu` or `cuda`.
    pub da_coder: String,
    /// Evaluator nodes to start and register as evaluators in genesis.
    pub evaluators: usize,
}

/// Each evaluator's genesis balance and bond, in ukzn.
pub const EVALUATOR_BALANCE: u128 = 1_000_000_000;
pub const EVALUATOR_BOND: u128 = 5_000_000;

/// Each DA operator's genesis balance and bond, in ukzn.
pub const DA_OPERATOR_BALANCE: u128 = 1_000_000_000;
pub const DA_OPERATOR_BOND: u128 = 10_000_000;
/// Blocks per epoch on a devnet: about ten seconds.
pub const DEVNET_EPOCH_BLOCKS: u64 = 20;

impl UpOptions {
    /// The checks that need nothing but the options.
    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=16).contains(&self.validators),
            "--validators must be 1 to 16"
        );
        anyhow::ensure!(
            self.app == "kaizen" || self.app == "kvstore",
            "--app is kaizen or kvstore"
        );
        anyhow::ensure!(
            self.da_nodes <= 64 && (self.da_nodes == 0 || self.app != "kvstore"),
            "--da-nodes is 0 to 64, and needs --app kaizen"
        );
        Ok(())
    }
}

/// Generates and starts a devnet; returns its description.
pub async fn up(home: &Path, opts: &UpOptions) -> anyhow::Result<DevnetInfo> {
    opts.check()?;
    refuse_running(home)?;
    ports::check_free(&ports::planned(opts)?)?;
    let home = fresh_home(home)?;
    let mut info = genesis::generate(&home, opts)?;
    config::write(&info)?;
    process::start_all(&mut info, opts.timeout).await?;
    Ok(info)
}

/// An error if a devnet of `home` still has a process running.
fn refuse_running(home: &Path) -> anyhow::Result<()> {
    if let Ok(old) = DevnetInfo::load(home) {
        if old
            .nodes
            .iter()
            .any(|n| alive(n.cometbft_pid) || alive(n.kaizend_pid))
            || old.da_nodes.iter().any(|n| alive(n.pid))
            || old.evaluators.iter().any(|n| alive(n.pid))
        {
            bail!(
                "a devnet is already running in {}; `kaizen devnet down --home {}` first",
                home.display(),
                home.display()
            );
        }
    }
    Ok(())
}

/// Clears what an earlier devnet left in `home` (nodes, logs, keyring); returns the
/// canonical path.
fn fresh_home(home: &Path) -> anyhow::Result<PathBuf> {
    for sub in ["nodes", "logs"] {
        let p = home.join(sub);
        if p.exists() {
            fs::remove_dir_all(&p)?;
        }
    }
    let _ = fs::remove_file(Keyring::path(home));
    fs::create_dir_all(home.join("logs"))?;
    Ok(fs::canonicalize(home)?)
}
