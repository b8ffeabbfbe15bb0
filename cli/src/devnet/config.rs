//! The devnet's configuration files: each node's CometBFT `config.toml` (loopback ports,
//! peers, fast blocks, a large mempool), its `kaizend.toml` (by `kaizend init`), and the
//! client's `client.toml` pointing at node 0.

use std::{fs, process::Command};

use anyhow::Context;

use super::{binaries::run, DevnetInfo, NodeInfo};
use crate::client::ClientConfig;

/// Writes every node's configuration, and `client.toml` in the devnet's home.
pub(super) fn write(info: &DevnetInfo) -> anyhow::Result<()> {
    let kvstore = info.app == "kvstore";
    for n in &info.nodes {
        cometbft_config(info, n, kvstore)?;
        if !kvstore {
            kaizend_config(info, n)?;
        }
    }
    ClientConfig {
        chain_id: Some(info.chain_id.clone()),
        node: Some(info.nodes[0].rpc.clone()),
        grpc: Some(info.nodes[0].grpc.clone()),
    }
    .save(&info.home)
}

/// Node `n`'s `config.toml`, as `cometbft testnet` wrote it with our ports and settings.
fn cometbft_config(info: &DevnetInfo, n: &NodeInfo, kvstore: bool) -> anyhow::Result<()> {
    let cfg_path = n.home.join("config/config.toml");
    let mut cfg: toml::Table = toml::from_str(&fs::read_to_string(&cfg_path)?)?;
    let peers: Vec<String> = info
        .nodes
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
    Ok(())
}

/// Node `n`'s `kaizend.toml`, written afresh by `kaizend init`.
fn kaizend_config(info: &DevnetInfo, n: &NodeInfo) -> anyhow::Result<()> {
    let kz_cfg = n.home.join("config/kaizend.toml");
    let _ = fs::remove_file(&kz_cfg);
    run(Command::new(&info.kaizend)
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
    Ok(())
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
