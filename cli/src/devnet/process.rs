//! The devnet's processes: starting and stopping nodes, DA nodes and evaluators by pid,
//! and waiting for the first blocks from the nodes this devnet started.

use std::{
    fs,
    os::unix::process::CommandExt,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{bail, Context};

use super::{DevnetInfo, NodeInfo};

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
    let what = format!("evaluator {index}");
    refuse_answered(&listen, &what)?;
    let pid = spawn(&program, &args, &e.home, &e.log)?;
    info.evaluators[index].pid = Some(pid);
    wait_listening(pid, &listen, &what, &e.log)
}

/// Refuses to start `what` on `listen` when something still answers there after 2 s (a
/// process just killed releases its port meanwhile): the new process would fail to bind,
/// and the old one would pass for it.
fn refuse_answered(listen: &str, what: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while std::net::TcpStream::connect(listen).is_ok() {
        if std::time::Instant::now() > deadline {
            bail!(
                "{what}: {listen} is already in use by another process (another devnet?); stop it first"
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Waits until the process `pid` answers on `listen`, then checks that it is still
/// running (one that lost a race for the port exits, while the winner answers).
fn wait_listening(pid: u32, listen: &str, what: &str, log: &Path) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(listen).is_err() {
        if !alive(Some(pid)) || std::time::Instant::now() > deadline {
            bail!("{what} did not start; see {}", log.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    if !alive(Some(pid)) {
        bail!(
            "{what} exited although {listen} answers: another process holds the port; see {}",
            log.display()
        );
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
    let what = format!("DA node {index}");
    refuse_answered(&listen, &what)?;
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
    wait_listening(pid, &listen, &what, &n.log)
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
    Ok(node_status(rpc).await?.2)
}

/// `(node id, network, latest height)` of the CometBFT answering at `rpc`.
async fn node_status(rpc: &str) -> anyhow::Result<(String, String, u64)> {
    use tendermint_rpc::Client;
    let s = tendermint_rpc::HttpClient::new(rpc)?.status().await?;
    Ok((
        s.node_info.id.to_string(),
        s.node_info.network.to_string(),
        s.sync_info.latest_block_height.value(),
    ))
}

/// Waits until every node is at `min_height`. Fails when a node's process exits, or when
/// its RPC is answered by another node than the one this devnet generated (another
/// network on the same port: our node could not bind it).
pub async fn wait_for_blocks(
    info: &DevnetInfo,
    min_height: u64,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut ready = true;
        for n in &info.nodes {
            check_alive(n)?;
            match node_status(&n.rpc).await {
                Ok((id, network, h)) => {
                    check_identity(n, &id, &network)?;
                    if h < min_height {
                        ready = false;
                    }
                }
                Err(_) => ready = false,
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

/// An error with the last lines of the log of a node process that exited.
fn check_alive(n: &NodeInfo) -> anyhow::Result<()> {
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
    Ok(())
}

/// An error unless the node answering at `n.rpc` (`id` of `network`) is node `n`.
fn check_identity(n: &NodeInfo, id: &str, network: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        id.eq_ignore_ascii_case(&n.node_id),
        "node{}'s RPC {} is answered by node {id} of network {network}, not by the node this devnet started ({}): another network holds the port. Stop it (`kaizen devnet down --home <its home>`) or use another --base-port",
        n.index,
        n.rpc,
        n.node_id
    );
    Ok(())
}

/// Starts every node, waits for the first blocks from the nodes this devnet generated,
/// then starts the DA nodes and the evaluators. On failure, stops what it started.
pub(super) async fn start_all(info: &mut DevnetInfo, timeout: Duration) -> anyhow::Result<()> {
    for i in 0..info.nodes.len() {
        start_node(info, i)?;
    }
    info.save()?;
    let started = async {
        wait_for_blocks(info, 2, timeout).await?;
        for n in &info.nodes {
            check_alive(n)?;
        }
        for j in 0..info.da_nodes.len() {
            start_da_node(info, j)?;
        }
        for j in 0..info.evaluators.len() {
            start_evaluator(info, j)?;
        }
        anyhow::Ok(())
    }
    .await;
    info.save()?;
    if let Err(e) = started {
        let _ = down(&info.home);
        return Err(e);
    }
    Ok(())
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

    #[test]
    fn a_node_answering_with_another_id_is_refused() {
        let n = NodeInfo {
            index: 0,
            moniker: "node0".into(),
            home: "/h".into(),
            node_id: "ab12".into(),
            p2p: "tcp://127.0.0.1:26600".into(),
            rpc: "http://127.0.0.1:26601".into(),
            abci: String::new(),
            grpc: String::new(),
            metrics: String::new(),
            cometbft_pid: None,
            kaizend_pid: None,
            cometbft_log: "/h/c.log".into(),
            kaizend_log: "/h/k.log".into(),
        };
        check_identity(&n, "AB12", "kaizen-devnet-p0").unwrap();
        let e = check_identity(&n, "cd34", "old-p0")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "node0's RPC http://127.0.0.1:26601 is answered by node cd34 of network old-p0"
            ),
            "{e}"
        );
    }
}
