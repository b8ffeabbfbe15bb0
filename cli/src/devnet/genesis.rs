//! A devnet's genesis: the validators (`cometbft testnet`), the demo accounts in the
//! keyring, the DA operators and evaluators (keys made by their own `init`), all funded,
//! bonded and registered in one `genesis.json` shared by every node.

use std::{fs, path::Path, process::Command};

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

use super::{
    binaries::{find_cometbft, find_kaizen_da, find_kaizen_evaluator, find_kaizend, run},
    ports::{da_port, evaluator_port, node_port},
    DaNodeInfo, DemoAccount, DevnetInfo, EvaluatorInfo, NodeInfo, UpOptions, DA_OPERATOR_BALANCE,
    DA_OPERATOR_BOND, DEMO_BALANCE, DEVNET_EPOCH_BLOCKS, EVALUATOR_BALANCE, EVALUATOR_BOND,
};
use crate::keys::{new_mnemonic, Keyring};
use kaizen_framework::NATIVE_DENOM;
use kaizen_proto::kaizen::{
    app::v1::GenesisState as AppGenesis,
    attest::v1 as attest,
    bank::v1::{self as bank, Balance, Coin},
    bounty::v1 as bounty,
    staking::v1::{self as staking, GenesisDaOperator, GenesisEvaluator},
};

/// Generates the devnet's keys and files in `home` (fresh): everything but the nodes'
/// configurations. Returns its description, with no process started.
pub(super) fn generate(home: &Path, opts: &UpOptions) -> anyhow::Result<DevnetInfo> {
    let cometbft = find_cometbft()?;
    let kaizend = find_kaizend()?;
    let chain_id = format!("{}-p0", opts.network);
    let nodes = validators(home, opts, &cometbft)?;
    let accounts = demo_accounts(home, opts)?;
    let kaizen_da = if opts.da_nodes > 0 {
        Some(find_kaizen_da()?)
    } else {
        None
    };
    let da_nodes = da_nodes(home, opts, kaizen_da.as_deref(), &nodes)?;
    let kaizen_evaluator = if opts.evaluators > 0 {
        Some(find_kaizen_evaluator()?)
    } else {
        None
    };
    let evaluators = evaluators(home, opts, kaizen_evaluator.as_deref(), &nodes)?;
    write_genesis(&nodes, &chain_id, &accounts, &da_nodes, &evaluators)?;
    Ok(DevnetInfo {
        app: opts.app.clone(),
        chain_id,
        home: home.to_path_buf(),
        cometbft,
        kaizend,
        nodes,
        accounts,
        kaizen_da,
        da_nodes: da_nodes.into_iter().map(|(n, _)| n).collect(),
        kaizen_evaluator,
        evaluators,
    })
}

/// The validators' homes and keys, made by `cometbft testnet`, with their ports.
fn validators(home: &Path, opts: &UpOptions, cometbft: &Path) -> anyhow::Result<Vec<NodeInfo>> {
    let nodes_dir = home.join("nodes");
    run(Command::new(cometbft)
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
    let mut nodes = Vec::new();
    for i in 0..opts.validators {
        let dir = nodes_dir.join(format!("node{i}"));
        let node_id = run(Command::new(cometbft)
            .arg("show-node-id")
            .arg("--home")
            .arg(&dir))?;
        let port = |k| node_port(opts.base_port, i, k);
        nodes.push(NodeInfo {
            index: i,
            moniker: format!("node{i}"),
            node_id,
            p2p: format!("tcp://127.0.0.1:{}", port(0)?),
            rpc: format!("http://127.0.0.1:{}", port(1)?),
            abci: format!("tcp://127.0.0.1:{}", port(2)?),
            grpc: format!("http://127.0.0.1:{}", port(3)?),
            metrics: format!("http://127.0.0.1:{}/metrics", port(4)?),
            cometbft_pid: None,
            kaizend_pid: None,
            cometbft_log: home.join("logs").join(format!("node{i}-cometbft.log")),
            kaizend_log: home.join("logs").join(format!("node{i}-kaizend.log")),
            home: dir,
        });
    }
    Ok(nodes)
}

/// The demo accounts, added to the keyring in `home`.
fn demo_accounts(home: &Path, opts: &UpOptions) -> anyhow::Result<Vec<DemoAccount>> {
    let mut keyring = Keyring::open(home)?;
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
    Ok(accounts)
}

/// DA nodes: keys made by `kaizen-da init`, to register and fund in genesis.
fn da_nodes(
    home: &Path,
    opts: &UpOptions,
    kaizen_da: Option<&Path>,
    nodes: &[NodeInfo],
) -> anyhow::Result<Vec<(DaNodeInfo, DaInit)>> {
    let da_dir = home.join("da");
    if da_dir.exists() {
        fs::remove_dir_all(&da_dir)?;
    }
    let mut da_nodes = Vec::new();
    for j in 0..opts.da_nodes {
        let dir = da_dir.join(format!("da{j}"));
        fs::create_dir_all(&dir)?;
        let printed = run(Command::new(kaizen_da.context("kaizen-da")?)
            .arg("init")
            .arg("--home")
            .arg(&dir))?;
        let init: DaInit = serde_json::from_str(&printed)
            .with_context(|| format!("kaizen-da init printed {printed:?}"))?;
        let endpoint = format!("http://127.0.0.1:{}", da_port(opts.base_port, j)?);
        da_nodes.push((
            DaNodeInfo {
                index: j,
                home: dir,
                operator: init.address.clone(),
                endpoint,
                chain_grpc: nodes[j % nodes.len()].grpc.clone(),
                coder: opts.da_coder.clone(),
                pid: None,
                log: home.join("logs").join(format!("da{j}.log")),
            },
            init,
        ));
    }
    Ok(da_nodes)
}

/// Evaluators: keys made by `kaizen-evaluator init`, to register and fund in genesis.
fn evaluators(
    home: &Path,
    opts: &UpOptions,
    kaizen_evaluator: Option<&Path>,
    nodes: &[NodeInfo],
) -> anyhow::Result<Vec<EvaluatorInfo>> {
    let ev_dir = home.join("evaluators");
    if ev_dir.exists() {
        fs::remove_dir_all(&ev_dir)?;
    }
    let mut evaluators = Vec::new();
    for j in 0..opts.evaluators {
        let dir = ev_dir.join(format!("evaluator{j}"));
        fs::create_dir_all(&dir)?;
        let printed = run(Command::new(kaizen_evaluator.context("kaizen-evaluator")?)
            .arg("init")
            .arg("--home")
            .arg(&dir))?;
        let init: EvaluatorInit = serde_json::from_str(&printed)
            .with_context(|| format!("kaizen-evaluator init printed {printed:?}"))?;
        let metrics_port = evaluator_port(opts.base_port, j)?;
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
    Ok(evaluators)
}

/// One genesis for all: chain id, app state, a block gas cap; written to every node.
fn write_genesis(
    nodes: &[NodeInfo],
    chain_id: &str,
    accounts: &[DemoAccount],
    da_nodes: &[(DaNodeInfo, DaInit)],
    evaluators: &[EvaluatorInfo],
) -> anyhow::Result<()> {
    let genesis_path = nodes[0].home.join("config/genesis.json");
    let mut genesis: Value = serde_json::from_slice(&fs::read(&genesis_path)?)?;
    genesis["chain_id"] = chain_id.into();
    genesis["consensus_params"]["block"]["max_gas"] = "1000000000".into();
    genesis["app_state"] = serde_json::to_value(app_state(accounts, da_nodes, evaluators)?)?;
    let genesis_bytes = serde_json::to_vec_pretty(&genesis)?;
    for n in nodes {
        fs::write(n.home.join("config/genesis.json"), &genesis_bytes)?;
    }
    Ok(())
}

/// The app state: balances, DA operators and evaluators bonded, devnet-sized windows;
/// every other parameter is left out, so the chain takes its defaults.
fn app_state(
    accounts: &[DemoAccount],
    da_nodes: &[(DaNodeInfo, DaInit)],
    evaluators: &[EvaluatorInfo],
) -> anyhow::Result<AppGenesis> {
    let balance = |address: &str, amount: u128| Balance {
        address: address.to_string(),
        coins: vec![Coin {
            denom: NATIVE_DENOM.into(),
            amount: amount.to_string(),
        }],
    };
    let mut balances: Vec<Balance> = accounts
        .iter()
        .map(|a| balance(&a.address, DEMO_BALANCE))
        .collect();
    balances.extend(
        da_nodes
            .iter()
            .map(|(_, init)| balance(&init.address, DA_OPERATOR_BALANCE)),
    );
    balances.extend(
        evaluators
            .iter()
            .map(|e| balance(&e.address, EVALUATOR_BALANCE)),
    );
    let da_operators = da_nodes
        .iter()
        .map(|(n, init)| -> anyhow::Result<_> {
            Ok(GenesisDaOperator {
                address: init.address.clone(),
                bls_public_key: hex::decode(&init.bls_public_key)
                    .context("kaizen-da init printed a BLS key that is not hex")?,
                proof_of_possession: hex::decode(&init.proof_of_possession)
                    .context("kaizen-da init printed a proof of possession that is not hex")?,
                endpoint: n.endpoint.clone(),
                bond: DA_OPERATOR_BOND.to_string(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let evaluators = evaluators
        .iter()
        .map(|e| GenesisEvaluator {
            address: e.address.clone(),
            bond: EVALUATOR_BOND.to_string(),
            endpoint: String::new(),
        })
        .collect();
    let staking_params = staking::Params {
        epoch_blocks: DEVNET_EPOCH_BLOCKS,
        ..kaizen_staking::genesis::default_params()
    };
    // Windows sized for ~0.6 s blocks: an evaluator fetches, evaluates and gets a
    // transaction in well within them.
    let attest_params = attest::Params {
        commit_window_blocks: 30,
        reveal_window_blocks: 30,
        jail_blocks: 200,
        ..kaizen_attest::genesis::default_params()
    };
    let bounty_params = bounty::Params {
        reveal_window_blocks: 40,
        ..kaizen_bounty::genesis::default_params()
    };
    Ok(AppGenesis {
        partition: 0,
        bank: Some(bank::GenesisState { balances }),
        staking: Some(staking::GenesisState {
            params: Some(staking_params),
            da_operators,
            evaluators,
        }),
        attest: Some(attest::GenesisState {
            params: Some(attest_params),
        }),
        bounty: Some(bounty::GenesisState {
            params: Some(bounty_params),
        }),
        ..Default::default()
    })
}

/// A mnemonic derived from `seed` and `name`: the same on every run.
fn seeded_mnemonic(seed: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let entropy: [u8; 32] =
        Sha256::digest(format!("kaizen-devnet/{seed}/{name}").as_bytes()).into();
    bip32::Mnemonic::from_entropy(entropy, bip32::Language::English)
        .phrase()
        .to_string()
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
