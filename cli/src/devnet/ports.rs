//! The devnet's ports, all on 127.0.0.1: node `i` uses `base + 10*i + k` for k = 0 p2p,
//! 1 CometBFT RPC, 2 ABCI, 3 gRPC, 4 metrics; DA node `j` serves gRPC on `base + 500 + j`
//! and evaluator `j` its metrics on `base + 600 + j`.

use anyhow::Context;

use super::UpOptions;

/// Port `k` of node `index` (0 p2p, 1 RPC, 2 ABCI, 3 gRPC, 4 metrics).
pub(super) fn node_port(base: u16, index: usize, k: u16) -> anyhow::Result<u16> {
    offset(base, 10 * index + usize::from(k))
}

/// The gRPC port of DA node `j`.
pub(super) fn da_port(base: u16, j: usize) -> anyhow::Result<u16> {
    offset(base, 500 + j)
}

/// The metrics port of evaluator `j`.
pub(super) fn evaluator_port(base: u16, j: usize) -> anyhow::Result<u16> {
    offset(base, 600 + j)
}

fn offset(base: u16, by: usize) -> anyhow::Result<u16> {
    u16::try_from(usize::from(base) + by).context("ports past 65535: lower --base-port")
}

/// Every port the devnet of `opts` will listen on, and what listens there.
pub(super) fn planned(opts: &UpOptions) -> anyhow::Result<Vec<(u16, String)>> {
    const NAMES: [&str; 5] = ["p2p", "RPC", "ABCI", "gRPC", "metrics"];
    // CometBFT's built-in kvstore runs in its process: no kaizend ports.
    let per_node = if opts.app == "kvstore" { 2 } else { 5 };
    let mut ports = Vec::new();
    for i in 0..opts.validators {
        for (k, name) in NAMES.iter().enumerate().take(per_node) {
            ports.push((
                node_port(opts.base_port, i, k as u16)?,
                format!("node{i} {name}"),
            ));
        }
    }
    for j in 0..opts.da_nodes {
        ports.push((da_port(opts.base_port, j)?, format!("DA node {j}")));
    }
    for j in 0..opts.evaluators {
        ports.push((
            evaluator_port(opts.base_port, j)?,
            format!("evaluator {j} metrics"),
        ));
    }
    Ok(ports)
}

/// Refuses to go on when a port is already bound on 127.0.0.1 (by another devnet, most
/// likely): its nodes would fail to bind, and the old network would answer in their place.
pub(super) fn check_free(ports: &[(u16, String)]) -> anyhow::Result<()> {
    for (port, what) in ports {
        if let Err(e) = std::net::TcpListener::bind(("127.0.0.1", *port)) {
            anyhow::bail!(
                "port {port} ({what}) on 127.0.0.1 is already in use ({e}): is another devnet running? Stop it with `kaizen devnet down --home <its home>`, or start this one with another --base-port"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_in_use_is_refused_by_number() {
        let held = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = held.local_addr().unwrap().port();
        let e = check_free(&[(port, "node0 RPC".to_string())]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains(&format!("port {port} (node0 RPC)")), "{text}");
        assert!(text.contains("kaizen devnet down"), "{text}");
        drop(held);
        check_free(&[(port, "node0 RPC".to_string())]).unwrap();
    }

    #[test]
    fn the_plan_lists_every_port_a_devnet_listens_on() {
        let mut opts = UpOptions {
            validators: 2,
            base_port: 26600,
            network: "n".into(),
            accounts: vec![],
            timeout: std::time::Duration::from_secs(1),
            demo_seed: None,
            app: "kaizen".into(),
            da_nodes: 1,
            da_coder: "cpu".into(),
            evaluators: 1,
        };
        let ports: Vec<u16> = planned(&opts).unwrap().iter().map(|p| p.0).collect();
        assert_eq!(
            ports,
            [26600, 26601, 26602, 26603, 26604, 26610, 26611, 26612, 26613, 26614, 27100, 27200]
        );
        opts.app = "kvstore".into();
        opts.da_nodes = 0;
        opts.evaluators = 0;
        let ports: Vec<u16> = planned(&opts).unwrap().iter().map(|p| p.0).collect();
        assert_eq!(ports, [26600, 26601, 26610, 26611]);
        opts.base_port = 65530;
        assert!(planned(&opts).is_err());
    }
}
