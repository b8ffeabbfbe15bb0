//! `kaizen devnet`: a local multi-validator network on loopback, with real `cometbft` and
//! `kaizend` processes, funded demo accounts, and `devnet.json` describing all of it.
//!
//! Ports: node `i` uses `base_port + 10*i + k` for k = 0 p2p, 1 CometBFT RPC, 2 ABCI,
//! 3 gRPC, 4 metrics; DA node `j` (`--da-nodes`) serves gRPC on `base_port + 500 + j`.
//! Everything binds 127.0.0.1.

use std::{
    fs,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::{
    client::ClientConfig,
    keys::{new_mnemonic, Keyring},
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

/// A mnemonic derived from `seed` and `name`: the same on every run.
fn seeded_mnemonic(seed: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let entropy: [u8; 32] =
        Sha256::digest(format!("kaizen-devnet/{seed}/{name}").as_bytes()).into();
    bip32::Mnemonic::from_entropy(entropy, bip32::Language::English)
        .phrase()
        .to_string()
}

/// Whether a process is running. A killed process stays a zombie until its parent (here
/// often init, which reaps lazily) collects it; a zombie counts as gone, or a restart
/// right after a kill would skip the process it must start again.
pub fn alive(pid: Option<u32>) -> bool {
    let Some(p) = pid else { return false };
    // SAFETY: kill with signal 0 only checks that the process exists.
    if unsafe { libc::kill(p as libc::pid_t, 0) } != 0 {
        return false;
    }
    match fs::read_to_string(format!("/proc/{p}/stat")) {
        // The state is the first field after the parenthesised command name.
        Ok(stat) => !matches!(
            stat.rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next()),
            Some('Z') | Some('X')
        ),
        Err(_) => true,
    }
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: sending a signal to a pid we started; failure (already gone) is fine.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

/// Stops a process: SIGTERM, then SIGKILL if it is still there after `grace`.
pub fn stop_pid(pid: u32, grace: Duration) {
    signal(pid, libc::SIGTERM);
    let deadline = std::time::Instant::now() + grace;
    while std::time::Instant::now() < deadline {
        if !alive(Some(pid)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(pid, libc::SIGKILL);
}

/// `cometbft` on PATH, in `$(go env GOPATH)/bin`, or installed there with `go install`.
pub fn find_cometbft() -> anyhow::Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("cometbft"))
                .collect()
        })
        .unwrap_or_default();
    let gopath = Command::new("go")
        .args(["env", "GOPATH"])
        .output()
        .ok()
        .and_then(|o| {
            let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
            (!s.is_empty()).then(|| PathBuf::from(s).join("bin"))
        });
    if let Some(g) = &gopath {
        candidates.push(g.join("cometbft"));
    }
    let want = COMETBFT_VERSION.trim_start_matches('v');
    for c in &candidates {
        if let Ok(out) = Command::new(c).arg("version").output() {
            if String::from_utf8_lossy(&out.stdout).trim() == want {
                return Ok(c.clone());
            }
        }
    }
    let gobin =
        gopath.context("cometbft is not installed and `go` is not available to install it")?;
    eprintln!("installing cometbft {COMETBFT_VERSION} with go install ...");
    let status = Command::new("go")
        .args([
            "install",
            &format!("github.com/cometbft/cometbft/cmd/cometbft@{COMETBFT_VERSION}"),
        ])
        .env("GOFLAGS", "-mod=mod")
        .status()?;
    anyhow::ensure!(
        status.success(),
        "go install cometbft@{COMETBFT_VERSION} failed"
    );
    Ok(gobin.join("cometbft"))
}

/// A sibling binary: next to this one, or on PATH.
fn find_binary(name: &str, build_hint: &str) -> anyhow::Result<PathBuf> {
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            let p = dir.join(name);
            if p.exists() {
                return Ok(p);
            }
        }
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.exists())
        })
        .with_context(|| format!("{name} not found next to kaizen or on PATH ({build_hint})"))
}

/// `kaizend` next to this binary, or on PATH.
pub fn find_kaizend() -> anyhow::Result<PathBuf> {
    find_binary("kaizend", "cargo build --release -p kaizen-app")
}

/// `kaizen-da` next to this binary, or on PATH.
pub fn find_kaizen_da() -> anyhow::Result<PathBuf> {
    find_binary("kaizen-da", "cargo build --release -p kaizen-da")
}

/// `kaizen-evaluator` next to this binary, or on PATH.
pub fn find_kaizen_evaluator() -> anyhow::Result<PathBuf> {
    find_binary(
        "kaizen-evaluator",
        "cargo build --release -p kaizen-evaluator",
    )
}

/// What `kaizen-evaluator init` prints.
#[derive(Debug, Deserialize)]
struct EvaluatorInit {
    address: String,
}

/// What `kaizen-da init` prints.
#[derive(Debug, Deserialize)]
struct DaInit {
    address: String,
    bls_public_key: String,
    proof_of_possession: String,
}

fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn set(
    table: &mut toml::Table,
    section: &str,
    key: &str,
    value: toml::Value,
) -> anyhow::Result<()> {
    let target = if section.is_empty() {
        table
    } else {
        table
            .get_mut(section)
            .and_then(|v| v.as_table_mut())
            .with_context(|| format!("config.toml has no [{section}]"))?
    };
    target.insert(key.to_string(), value);
    Ok(())
}

fn port(base: u16, index: usize, k: u16) -> anyhow::Result<u16> {
    u16::try_from(usize::from(base) + 10 * index + usize::from(k))
        .context("ports past 65535: lower --base-port")
}

/// Generates and starts a devnet; returns its description.
pub async fn up(home: &Path, opts: &UpOptions) -> anyhow::Result<DevnetInfo> {
    anyhow::ensure!(
        (1..=16).contains(&opts.validators),
        "--validators must be 1 to 16"
    );
    anyhow::ensure!(
        opts.app == "kaizen" || opts.app == "kvstore",
        "--app is kaizen or kvstore"
    );
    let kvstore = opts.app == "kvstore";
    anyhow::ensure!(
        opts.da_nodes <= 64 && (opts.da_nodes == 0 || !kvstore),
        "--da-nodes is 0 to 64, and needs --app kaizen"
    );
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
    for sub in ["nodes", "logs"] {
        let p = home.join(sub);
        if p.exists() {
            fs::remove_dir_all(&p)?;
        }
    }
    let _ = fs::remove_file(Keyring::path(home));
    fs::create_dir_all(home.join("logs"))?;
    let home = fs::canonicalize(home)?;

    let cometbft = find_cometbft()?;
    let kaizend = find_kaizend()?;
    let chain_id = format!("{}-p0", opts.network);
    let nodes_dir = home.join("nodes");
    run(Command::new(&cometbft)
        .args([
            "testnet",
            "--v",
            &opts.validators.to_string(),
            "--n",
            "0",
            "--o",
        ])
        .arg(&nodes_dir)
        .args([
            "--starting-ip-address",
            "127.0.0.1",
            "--populate-persistent-peers=false",
        ]))?;

    // Demo accounts, funded in genesis.
    let mut keyring = Keyring::open(&home)?;
    let mut accounts = Vec::new();
    for name in &opts.accounts {
        let mnemonic = match &opts.demo_seed {
            Some(seed) => seeded_mnemonic(seed, name),
            None => new_mnemonic(),
        };
        let entry = keyring.add(name, &mnemonic)?;
        accounts.push(DemoAccount {
            name: name.clone(),
            address: entry.address,
            mnemonic,
            initial_balance: format!("{DEMO_BALANCE}ukzn"),
        });
    }

    let mut nodes = Vec::new();
    for i in 0..opts.validators {
        let dir = nodes_dir.join(format!("node{i}"));
        let node_id = run(Command::new(&cometbft)
            .arg("show-node-id")
            .arg("--home")
            .arg(&dir))?;
        nodes.push(NodeInfo {
            index: i,
            moniker: format!("node{i}"),
            node_id,
            p2p: format!("tcp://127.0.0.1:{}", port(opts.base_port, i, 0)?),
            rpc: format!("http://127.0.0.1:{}", port(opts.base_port, i, 1)?),
            abci: format!("tcp://127.0.0.1:{}", port(opts.base_port, i, 2)?),
            grpc: format!("http://127.0.0.1:{}", port(opts.base_port, i, 3)?),
            metrics: format!("http://127.0.0.1:{}/metrics", port(opts.base_port, i, 4)?),
            cometbft_pid: None,
            kaizend_pid: None,
            cometbft_log: home.join("logs").join(format!("node{i}-cometbft.log")),
            kaizend_log: home.join("logs").join(format!("node{i}-kaizend.log")),
            home: dir,
        });
    }

    // DA nodes: keys made by `kaizen-da init`, registered and funded in genesis.
    let kaizen_da = if opts.da_nodes > 0 {
        Some(find_kaizen_da()?)
    } else {
        None
    };
    let da_dir = home.join("da");
    if da_dir.exists() {
        fs::remove_dir_all(&da_dir)?;
    }
    let mut da_nodes = Vec::new();
    let mut da_genesis = Vec::new();
    for j in 0..opts.da_nodes {
        let dir = da_dir.join(format!("da{j}"));
        fs::create_dir_all(&dir)?;
        let printed = run(Command::new(kaizen_da.as_ref().context("kaizen-da")?)
            .arg("init")
            .arg("--home")
            .arg(&dir))?;
        let init: DaInit = serde_json::from_str(&printed)
            .with_context(|| format!("kaizen-da init printed {printed:?}"))?;
        let endpoint = format!(
            "http://127.0.0.1:{}",
            u16::try_from(usize::from(opts.base_port) + 500 + j)
                .context("ports past 65535: lower --base-port")?
        );
        da_genesis.push((init, endpoint.clone()));
        da_nodes.push(DaNodeInfo {
            index: j,
            home: dir,
            operator: da_genesis[j].0.address.clone(),
            endpoint,
            chain_grpc: nodes[j % nodes.len()].grpc.clone(),
            coder: opts.da_coder.clone(),
            pid: None,
            log: home.join("logs").join(format!("da{j}.log")),
        });
    }

    // Evaluators: keys made by `kaizen-evaluator init`, registered and funded in genesis.
    let kaizen_evaluator = if opts.evaluators > 0 {
        Some(find_kaizen_evaluator()?)
    } else {
        None
    };
    let ev_dir = home.join("evaluators");
    if ev_dir.exists() {
        fs::remove_dir_all(&ev_dir)?;
    }
    let mut evaluators = Vec::new();
    for j in 0..opts.evaluators {
        let dir = ev_dir.join(format!("evaluator{j}"));
        fs::create_dir_all(&dir)?;
        let printed = run(
            Command::new(kaizen_evaluator.as_ref().context("kaizen-evaluator")?)
                .arg("init")
                .arg("--home")
                .arg(&dir),
        )?;
        let init: EvaluatorInit = serde_json::from_str(&printed)
            .with_context(|| format!("kaizen-evaluator init printed {printed:?}"))?;
        let metrics_port = u16::try_from(usize::from(opts.base_port) + 600 + j)
            .context("ports past 65535: lower --base-port")?;
        evaluators.push(EvaluatorInfo {
            index: j,
            home: dir,
            address: init.address,
            metrics: format!("http://127.0.0.1:{metrics_port}/metrics"),
            chain_grpc: nodes[j % nodes.len()].grpc.clone(),
            pid: None,
            log: home.join("logs").join(format!("evaluator{j}.log")),
            extra_args: Vec::new(),
        });
    }

    // One genesis for all: chain id, app state, a block gas cap.
    let genesis_path = nodes[0].home.join("config/genesis.json");
    let mut genesis: serde_json::Value = serde_json::from_slice(&fs::read(&genesis_path)?)?;
    genesis["chain_id"] = chain_id.clone().into();
    genesis["consensus_params"]["block"]["max_gas"] = "1000000000".into();
    let mut balances: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| {
            serde_json::json!({
                "address": a.address,
                "coins": [{ "denom": "ukzn", "amount": DEMO_BALANCE.to_string() }],
            })
        })
        .collect();
    for (init, _) in &da_genesis {
        balances.push(serde_json::json!({
            "address": init.address,
            "coins": [{ "denom": "ukzn", "amount": DA_OPERATOR_BALANCE.to_string() }],
        }));
    }
    for e in &evaluators {
        balances.push(serde_json::json!({
            "address": e.address,
            "coins": [{ "denom": "ukzn", "amount": EVALUATOR_BALANCE.to_string() }],
        }));
    }
    genesis["app_state"] = serde_json::json!({
        "partition": 0,
        "bank": { "balances": balances },
        "staking": {
            "params": {
                "min_da_bond": "1000000",
                "epoch_blocks": DEVNET_EPOCH_BLOCKS,
                "max_consecutive_misses": 3,
                "jail_blocks": 100,
                "max_da_operators": 256,
            },
            "da_operators": da_genesis.iter().map(|(init, endpoint)| serde_json::json!({
                "address": init.address,
                "bls_public_key": init.bls_public_key,
                "proof_of_possession": init.proof_of_possession,
                "endpoint": endpoint,
                "bond": DA_OPERATOR_BOND.to_string(),
            })).collect::<Vec<_>>(),
            "evaluators": evaluators.iter().map(|e| serde_json::json!({
                "address": e.address,
                "bond": EVALUATOR_BOND.to_string(),
            })).collect::<Vec<_>>(),
        },
        // Windows sized for ~0.6 s blocks: an evaluator fetches, evaluates and gets a
        // transaction in well within them.
        "attest": { "params": {
            "commit_window_blocks": 30,
            "reveal_window_blocks": 30,
            "max_rounds": 3,
            "slash_ppm": 100000,
            "jail_blocks": 200,
            "min_evaluator_bond": "1000000",
            "max_committee_size": 16,
            "max_queue_items_per_block": 64,
        } },
        "bounty": { "params": {
            "max_submissions_per_bounty": 64,
            "reveal_window_blocks": 40,
            "max_deadline_blocks": 1000000,
            "max_title_bytes": 128,
            "max_queue_items_per_block": 64,
        } },
    });
    let genesis_bytes = serde_json::to_vec_pretty(&genesis)?;

    for n in &nodes {
        fs::write(n.home.join("config/genesis.json"), &genesis_bytes)?;
        let cfg_path = n.home.join("config/config.toml");
        let mut cfg: toml::Table = toml::from_str(&fs::read_to_string(&cfg_path)?)?;
        let peers: Vec<String> = nodes
            .iter()
            .filter(|m| m.index != n.index)
            .map(|m| format!("{}@{}", m.node_id, m.p2p.trim_start_matches("tcp://")))
            .collect();
        set(&mut cfg, "", "moniker", n.moniker.clone().into())?;
        let proxy_app = if kvstore {
            "kvstore".to_string()
        } else {
            n.abci.clone()
        };
        set(&mut cfg, "", "proxy_app", proxy_app.into())?;
        set(
            &mut cfg,
            "rpc",
            "laddr",
            n.rpc.replace("http://", "tcp://").into(),
        )?;
        set(&mut cfg, "rpc", "pprof_laddr", "".into())?;
        set(&mut cfg, "p2p", "laddr", n.p2p.clone().into())?;
        set(&mut cfg, "p2p", "persistent_peers", peers.join(",").into())?;
        set(&mut cfg, "p2p", "allow_duplicate_ip", true.into())?;
        set(&mut cfg, "p2p", "addr_book_strict", false.into())?;
        set(&mut cfg, "p2p", "external_address", "".into())?;
        set(&mut cfg, "consensus", "timeout_commit", "500ms".into())?;
        set(&mut cfg, "consensus", "timeout_propose", "1s".into())?;
        set(&mut cfg, "instrumentation", "prometheus", false.into())?;
        // Room for load tests: CometBFT's default mempool holds 5,000 transactions.
        set(&mut cfg, "mempool", "size", 50_000i64.into())?;
        set(&mut cfg, "mempool", "cache_size", 100_000i64.into())?;
        fs::write(&cfg_path, toml::to_string(&cfg)?)?;

        if kvstore {
            continue;
        }
        let kz_cfg = n.home.join("config/kaizend.toml");
        let _ = fs::remove_file(&kz_cfg);
        run(Command::new(&kaizend)
            .arg("init")
            .arg("--home")
            .arg(&n.home)
            .args(["--abci", n.abci.trim_start_matches("tcp://")])
            .args(["--grpc", n.grpc.trim_start_matches("http://")])
            .args([
                "--metrics",
                n.metrics
                    .trim_start_matches("http://")
                    .trim_end_matches("/metrics"),
            ])
            .args(["--cometbft-rpc", &n.rpc]))?;
    }

    let mut info = DevnetInfo {
        app: opts.app.clone(),
        chain_id: chain_id.clone(),
        home: home.clone(),
        cometbft,
        kaizend,
        nodes,
        accounts,
        kaizen_da,
        da_nodes,
        kaizen_evaluator,
        evaluators,
    };
    ClientConfig {
        chain_id: Some(chain_id),
        node: Some(info.nodes[0].rpc.clone()),
        grpc: Some(info.nodes[0].grpc.clone()),
    }
    .save(&home)?;
    for i in 0..info.nodes.len() {
        start_node(&mut info, i)?;
    }
    info.save()?;
    if let Err(e) = wait_for_blocks(&info, 2, opts.timeout).await {
        let _ = down(&home);
        return Err(e);
    }
    for j in 0..info.da_nodes.len() {
        if let Err(e) = start_da_node(&mut info, j) {
            info.save()?;
            let _ = down(&home);
            return Err(e);
        }
    }
    for j in 0..info.evaluators.len() {
        if let Err(e) = start_evaluator(&mut info, j) {
            info.save()?;
            let _ = down(&home);
            return Err(e);
        }
    }
    info.save()?;
    Ok(info)
}

/// Starts evaluator `index` and waits until its metrics port accepts connections.
pub fn start_evaluator(info: &mut DevnetInfo, index: usize) -> anyhow::Result<()> {
    let program = info
        .kaizen_evaluator
        .clone()
        .context("this devnet has no evaluators")?;
    let e = info
        .evaluators
        .get(index)
        .with_context(|| format!("no evaluator {index}"))?
        .clone();
    if alive(e.pid) {
        bail!("evaluator {index} is already running");
    }
    let listen = e
        .metrics
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_string();
    let mut args: Vec<&str> = vec![
        "start",
        "--chain-grpc",
        &e.chain_grpc,
        "--chain-id",
        &info.chain_id,
        "--metrics",
        &listen,
    ];
    args.extend(e.extra_args.iter().map(String::as_str));
    let pid = spawn(&program, &args, &e.home, &e.log)?;
    info.evaluators[index].pid = Some(pid);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&listen).is_err() {
        if !alive(Some(pid)) || std::time::Instant::now() > deadline {
            bail!("evaluator {index} did not start; see {}", e.log.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Stops evaluator `index`: gracefully, or with SIGKILL when `kill`.
pub fn stop_evaluator(info: &mut DevnetInfo, index: usize, kill: bool) -> anyhow::Result<()> {
    let e = info
        .evaluators
        .get_mut(index)
        .with_context(|| format!("no evaluator {index}"))?;
    if let Some(pid) = e.pid.take() {
        if kill {
            signal(pid, libc::SIGKILL);
        } else {
            stop_pid(pid, Duration::from_secs(10));
        }
    }
    Ok(())
}

/// Starts DA node `index` and waits until its gRPC port accepts connections.
pub fn start_da_node(info: &mut DevnetInfo, index: usize) -> anyhow::Result<()> {
    let program = info
        .kaizen_da
        .clone()
        .context("this devnet has no DA nodes")?;
    let n = info
        .da_nodes
        .get(index)
        .with_context(|| format!("no DA node {index}"))?
        .clone();
    if alive(n.pid) {
        bail!("DA node {index} is already running");
    }
    let listen = n.endpoint.trim_start_matches("http://").to_string();
    let pid = spawn(
        &program,
        &[
            "start",
            "--listen",
            &listen,
            "--chain-grpc",
            &n.chain_grpc,
            "--chain-id",
            &info.chain_id,
            "--coder",
            &n.coder,
        ],
        &n.home,
        &n.log,
    )?;
    info.da_nodes[index].pid = Some(pid);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(&listen).is_err() {
        if !alive(Some(pid)) || std::time::Instant::now() > deadline {
            bail!("DA node {index} did not start; see {}", n.log.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Stops DA node `index`: gracefully, or with SIGKILL when `kill`.
pub fn stop_da_node(info: &mut DevnetInfo, index: usize, kill: bool) -> anyhow::Result<()> {
    let n = info
        .da_nodes
        .get_mut(index)
        .with_context(|| format!("no DA node {index}"))?;
    if let Some(pid) = n.pid.take() {
        if kill {
            signal(pid, libc::SIGKILL);
        } else {
            stop_pid(pid, Duration::from_secs(10));
        }
    }
    Ok(())
}

fn spawn(program: &Path, args: &[&str], home: &Path, log: &Path) -> anyhow::Result<u32> {
    let out = fs::OpenOptions::new().create(true).append(true).open(log)?;
    let child = Command::new(program)
        .args(args)
        .arg("--home")
        .arg(home)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        // Its own process group: Ctrl-C in the terminal that ran `devnet up` does not
        // reach the nodes; `devnet down` stops them.
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    Ok(child.id())
}

/// Starts node `index`'s kaizend and cometbft (after a stop or a crash).
pub fn start_node(info: &mut DevnetInfo, index: usize) -> anyhow::Result<()> {
    let n = info
        .nodes
        .get(index)
        .with_context(|| format!("no node {index}"))?
        .clone();
    if (info.app != "kaizen" || alive(n.kaizend_pid)) && alive(n.cometbft_pid) {
        bail!("node {index} is already running");
    }
    if info.app == "kaizen" && !alive(n.kaizend_pid) {
        // A CometBFT whose app went away stops its services but may linger as a process:
        // stop it too, so that both start afresh and the handshake replays.
        if let Some(pid) = n.cometbft_pid.filter(|p| alive(Some(*p))) {
            stop_pid(pid, Duration::from_secs(10));
        }
        info.nodes[index].cometbft_pid = None;
        let kaizend_pid = spawn(&info.kaizend, &["start"], &n.home, &n.kaizend_log)?;
        info.nodes[index].kaizend_pid = Some(kaizend_pid);
        // kaizend must be listening before CometBFT dials it.
        let abci = n.abci.trim_start_matches("tcp://").to_string();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&abci).is_err() {
            if !alive(Some(kaizend_pid)) || std::time::Instant::now() > deadline {
                bail!(
                    "kaizend of node {index} did not start; see {}",
                    n.kaizend_log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    if !alive(info.nodes[index].cometbft_pid) {
        let cometbft_pid = spawn(&info.cometbft, &["start"], &n.home, &n.cometbft_log)?;
        info.nodes[index].cometbft_pid = Some(cometbft_pid);
    }
    Ok(())
}

/// Stops node `index`: gracefully, or with SIGKILL when `kill` (a crash).
pub fn stop_node(info: &mut DevnetInfo, index: usize, kill: bool) -> anyhow::Result<()> {
    let n = info
        .nodes
        .get_mut(index)
        .with_context(|| format!("no node {index}"))?;
    for pid in [n.cometbft_pid.take(), n.kaizend_pid.take()]
        .into_iter()
        .flatten()
    {
        if kill {
            signal(pid, libc::SIGKILL);
        } else {
            stop_pid(pid, Duration::from_secs(10));
        }
    }
    Ok(())
}

/// The latest height a node's RPC reports.
pub async fn height(rpc: &str) -> anyhow::Result<u64> {
    use tendermint_rpc::Client;
    let client = tendermint_rpc::HttpClient::new(rpc)?;
    Ok(client.status().await?.sync_info.latest_block_height.value())
}

pub async fn wait_for_blocks(
    info: &DevnetInfo,
    min_height: u64,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut ready = true;
        for n in &info.nodes {
            for (pid, log) in [
                (n.kaizend_pid, &n.kaizend_log),
                (n.cometbft_pid, &n.cometbft_log),
            ] {
                if pid.is_some() && !alive(pid) {
                    let text = fs::read_to_string(log).unwrap_or_default();
                    let tail: Vec<&str> = text.lines().rev().take(15).collect();
                    bail!(
                        "node {} exited; last lines of {}:\n{}",
                        n.index,
                        log.display(),
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    );
                }
            }
            if height(&n.rpc).await.unwrap_or(0) < min_height {
                ready = false;
            }
        }
        if ready {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "the devnet produced no block {min_height} within {timeout:?}; logs are in {}",
                info.home.join("logs").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Stops every process of the devnet; keeps its files (logs, data) for inspection.
pub fn down(home: &Path) -> anyhow::Result<DevnetInfo> {
    let mut info = DevnetInfo::load(home)?;
    for j in 0..info.evaluators.len() {
        stop_evaluator(&mut info, j, false)?;
    }
    for j in 0..info.da_nodes.len() {
        stop_da_node(&mut info, j, false)?;
    }
    for i in 0..info.nodes.len() {
        stop_node(&mut info, i, false)?;
    }
    info.save()?;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_killed_process_counts_as_gone_while_it_is_still_a_zombie() {
        let mut child = Command::new("sleep").arg("30").spawn().expect("sleep runs");
        let pid = child.id();
        assert!(alive(Some(pid)));
        signal(pid, libc::SIGKILL);
        // Not reaped yet: the kernel keeps a zombie until we wait for it.
        std::thread::sleep(Duration::from_millis(200));
        assert!(!alive(Some(pid)));
        let _ = child.wait();
        assert!(!alive(None));
    }
}
