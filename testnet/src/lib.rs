//! End-to-end test support: a devnet of real `cometbft` and `kaizend` processes on
//! loopback, started with the `kaizen` binary and always stopped by pid, also when a test
//! fails (see [`Devnet`]'s `Drop`).

// Test support, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

pub mod bounty;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::Duration,
};

use anyhow::{bail, Context};
use serde_json::Value;
use tendermint_rpc::{Client, HttpClient};

/// The directory holding `kaizen` and `kaizend` (the test binary's `target/<profile>`).
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // A test runs from target/<profile>/deps, a binary from target/<profile>.
    let candidates = [exe.parent(), exe.parent().and_then(Path::parent)];
    for dir in candidates.into_iter().flatten() {
        if dir.join("kaizen").exists() && dir.join("kaizend").exists() {
            return Ok(dir.to_path_buf());
        }
    }
    bail!(
        "kaizen and kaizend not found beside {}; build the binaries first (cargo build --workspace --bins)",
        exe.display()
    )
}

/// A running devnet in a temporary home.
pub struct Devnet {
    pub home: tempfile::TempDir,
    pub info: Value,
    bin: PathBuf,
}

impl Devnet {
    pub fn up(validators: usize, base_port: u16) -> anyhow::Result<Self> {
        Self::up_with(validators, base_port, &[])
    }

    pub fn up_with(validators: usize, base_port: u16, extra: &[&str]) -> anyhow::Result<Self> {
        let home = tempfile::Builder::new()
            .prefix("kaizen-devnet-")
            .tempdir()?;
        let bin = bin_dir()?;
        let mut devnet = Self {
            home,
            info: Value::Null,
            bin,
        };
        let v = validators.to_string();
        let p = base_port.to_string();
        let mut args = vec![
            "devnet",
            "up",
            "--validators",
            &v,
            "--base-port",
            &p,
            "--timeout",
            "90",
        ];
        args.extend_from_slice(extra);
        devnet.kaizen_ok(&args)?;
        devnet.reload()?;
        Ok(devnet)
    }

    /// Re-reads `devnet.json` (pids change when nodes restart).
    pub fn reload(&mut self) -> anyhow::Result<()> {
        self.info = serde_json::from_slice(&std::fs::read(self.home.path().join("devnet.json"))?)?;
        Ok(())
    }

    pub fn kaizen(&self, args: &[&str]) -> anyhow::Result<Output> {
        Ok(Command::new(self.bin.join("kaizen"))
            .arg("--home")
            .arg(self.home.path())
            .args(args)
            .output()?)
    }

    /// Runs `kaizen` and returns its stdout; fails with its stderr.
    pub fn kaizen_ok(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.kaizen(args)?;
        if !out.status.success() {
            bail!(
                "kaizen {} failed: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub fn kaizen_json(&self, args: &[&str]) -> anyhow::Result<Value> {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--output", "json"]);
        let text = self.kaizen_ok(&a)?;
        serde_json::from_str(&text)
            .with_context(|| format!("kaizen {} printed no JSON: {text}", args.join(" ")))
    }

    /// DA node `j`'s entry in devnet.json.
    pub fn da_node(&self, j: usize) -> &Value {
        &self.info["da_nodes"][j]
    }

    pub fn da_nodes(&self) -> usize {
        self.info["da_nodes"].as_array().map_or(0, Vec::len)
    }

    /// Starts DA node `j` (stopped first with `devnet stop-da-node`) by hand with extra
    /// flags; the returned guard kills it.
    pub fn start_da_node_with(&self, j: usize, extra: &[&str]) -> anyhow::Result<ProcessGuard> {
        let n = self.da_node(j);
        let endpoint = n["endpoint"].as_str().unwrap_or_default();
        let listen = endpoint.trim_start_matches("http://").to_string();
        let log = std::fs::File::create(self.home.path().join(format!("logs/da{j}-manual.log")))?;
        let child = Command::new(self.bin.join("kaizen-da"))
            .arg("start")
            .arg("--home")
            .arg(n["home"].as_str().unwrap_or_default())
            .args(["--listen", &listen])
            .args(["--chain-grpc", n["chain_grpc"].as_str().unwrap_or_default()])
            .args([
                "--chain-id",
                self.info["chain_id"].as_str().unwrap_or_default(),
            ])
            .args(["--coder", "cpu"])
            .args(extra)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let guard = ProcessGuard(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&listen).is_err() {
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "kaizen-da {j} did not listen on {listen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(guard)
    }

    /// Evaluator `j`'s entry in devnet.json.
    pub fn evaluator(&self, j: usize) -> &Value {
        &self.info["evaluators"][j]
    }

    pub fn evaluators(&self) -> usize {
        self.info["evaluators"].as_array().map_or(0, Vec::len)
    }

    /// Starts evaluator `j` (stopped first with `devnet stop-evaluator`) by hand with
    /// extra flags (e.g. `--test-byzantine`); the returned guard kills it.
    pub fn start_evaluator_with(&self, j: usize, extra: &[&str]) -> anyhow::Result<ProcessGuard> {
        let e = self.evaluator(j);
        let log = std::fs::File::create(
            self.home
                .path()
                .join(format!("logs/evaluator{j}-manual.log")),
        )?;
        let metrics = e["metrics"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("http://")
            .trim_end_matches("/metrics")
            .to_string();
        let child = Command::new(self.bin.join("kaizen-evaluator"))
            .arg("start")
            .arg("--home")
            .arg(e["home"].as_str().unwrap_or_default())
            .args(["--chain-grpc", e["chain_grpc"].as_str().unwrap_or_default()])
            .args([
                "--chain-id",
                self.info["chain_id"].as_str().unwrap_or_default(),
            ])
            .args(["--metrics", &metrics])
            .args(extra)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        Ok(ProcessGuard(child))
    }

    pub fn nodes(&self) -> usize {
        self.info["nodes"].as_array().map_or(0, Vec::len)
    }

    pub fn node(&self, i: usize) -> &Value {
        &self.info["nodes"][i]
    }

    pub fn rpc(&self, i: usize) -> String {
        self.node(i)["rpc"].as_str().unwrap_or_default().to_string()
    }

    pub fn grpc(&self, i: usize) -> String {
        self.node(i)["grpc"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn account(&self, name: &str) -> anyhow::Result<&Value> {
        self.info["accounts"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == name))
            .with_context(|| format!("no demo account {name}"))
    }

    pub fn address(&self, name: &str) -> anyhow::Result<String> {
        Ok(self.account(name)?["address"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    pub fn pid(&self, i: usize, process: &str) -> Option<u32> {
        self.node(i)[format!("{process}_pid")]
            .as_u64()
            .map(|p| p as u32)
    }

    pub async fn height(&self, i: usize) -> anyhow::Result<u64> {
        let c = HttpClient::new(self.rpc(i).as_str())?;
        Ok(c.status().await?.sync_info.latest_block_height.value())
    }

    /// Waits until node `i` reports at least `h`.
    pub async fn wait_height(&self, i: usize, h: u64, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.height(i).await.unwrap_or(0) >= h {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "node {i} did not reach height {h} in {timeout:?} (at {:?})",
                    self.height(i).await.ok()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The app hash in block `h`'s header, as node `i` has it.
    pub async fn header_app_hash(&self, i: usize, h: u64) -> anyhow::Result<String> {
        let c = HttpClient::new(self.rpc(i).as_str())?;
        let b = c.block(tendermint::block::Height::try_from(h)?).await?;
        Ok(b.block.header.app_hash.to_string())
    }

    /// The logs of node `i`, for failure messages.
    pub fn log_tail(&self, i: usize, process: &str) -> String {
        let path = self.node(i)[format!("{process}_log")]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Sends SIGKILL to one process of node `i`.
    pub fn kill9(&self, i: usize, process: &str) -> anyhow::Result<()> {
        let pid = self
            .pid(i, process)
            .with_context(|| format!("node {i} has no {process} pid"))?;
        // SAFETY: a pid this devnet started.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
        Ok(())
    }
}

/// A child process killed when dropped.
pub struct ProcessGuard(pub std::process::Child);

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether a process is running (a zombie is not); see `kaizen_cli::devnet::alive`.
pub fn alive(pid: u32) -> bool {
    kaizen_cli::devnet::alive(Some(pid))
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.kaizen(&["devnet", "down"]);
        // Whatever `down` missed (or a devnet.json written before a crash) dies by pid.
        let _ = self.reload();
        let mut side: Vec<Value> = self.info["da_nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        side.extend(
            self.info["evaluators"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        for n in side {
            if let Some(pid) = n["pid"].as_u64().map(|p| p as u32) {
                if alive(pid) {
                    // SAFETY: a pid this devnet started.
                    unsafe {
                        libc::kill(pid as libc::pid_t, libc::SIGKILL);
                    }
                }
            }
        }
        for i in 0..self.nodes() {
            for p in ["cometbft", "kaizend"] {
                if let Some(pid) = self.pid(i, p) {
                    if alive(pid) {
                        // SAFETY: a pid this devnet started.
                        unsafe {
                            libc::kill(pid as libc::pid_t, libc::SIGKILL);
                        }
                    }
                }
            }
        }
    }
}
