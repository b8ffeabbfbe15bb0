//! A one-validator devnet on real CometBFT: the CLI, gRPC, an unmodified Cosmos client,
//! and bad input over the network.

use std::time::Duration;

use cosmrs::proto::cosmos::{
    auth::v1beta1::{query_client::QueryClient as AuthClient, QueryAccountRequest},
    bank::v1beta1::{query_client::QueryClient as BankClient, QueryBalanceRequest},
    tx::v1beta1::{service_client::ServiceClient as TxClient, BroadcastMode, BroadcastTxRequest},
};
use kaizen_testnet::Devnet;
use tendermint_rpc::Client;

async fn grpc_balance(devnet: &Devnet, address: &str) -> anyhow::Result<u128> {
    let mut bank = BankClient::connect(devnet.grpc(0)).await?;
    let r = bank
        .balance(QueryBalanceRequest {
            address: address.into(),
            denom: "ukzn".into(),
        })
        .await?
        .into_inner();
    Ok(r.balance
        .map(|c| c.amount.parse())
        .transpose()?
        .unwrap_or(0))
}

#[tokio::test]
async fn a_cli_send_lands_and_the_cli_and_grpc_show_the_new_balance() -> anyhow::Result<()> {
    let devnet = Devnet::up(1, 28100)?;
    let bob = devnet.address("bob")?;
    let before = grpc_balance(&devnet, &bob).await?;

    // The JSON is the TxResponse through its proto serde: an int64 is a string, and a
    // field at its default value (`code` 0) is left out.
    let sent = devnet.kaizen_json(&["tx", "bank", "send", "bob", "4242ukzn", "--from", "alice"])?;
    assert_eq!(sent.get("code"), None, "{sent}");
    let height: i64 = sent["height"].as_str().unwrap_or("0").parse()?;
    assert!(height > 0, "{sent}");
    assert!(sent["gas_used"].as_str().is_some(), "{sent}");

    assert_eq!(grpc_balance(&devnet, &bob).await?, before + 4242);
    // The QueryAllBalancesResponse.
    let cli = devnet.kaizen_json(&["query", "bank", "balances", "bob"])?;
    assert_eq!(cli["balances"][0]["denom"], "ukzn", "{cli}");
    assert_eq!(cli["balances"][0]["amount"], (before + 4242).to_string());

    // query tx returns the result and the events.
    let hash = sent["txhash"].as_str().unwrap_or_default();
    let tx = devnet.kaizen_json(&["query", "tx", hash])?;
    assert_eq!(tx["height"], height.to_string());
    assert_eq!(tx["txhash"], hash);
    assert_eq!(tx.get("code"), None, "{tx}");
    let events = tx["events"].as_array().cloned().unwrap_or_default();
    let transfer = events
        .iter()
        .find(|e| e["type"] == "kaizen.bank.v1.EventTransfer")
        .expect("a transfer event");
    // The attributes read back as the typed event (each value its field's JSON).
    let attributes: Vec<(&str, &str)> = transfer["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["key"].as_str().unwrap_or_default(),
                a["value"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let transfer =
        kaizen_proto::event::parse_event::<kaizen_proto::kaizen::bank::v1::EventTransfer>(
            "kaizen.bank.v1.EventTransfer",
            attributes,
        )
        .expect("the type matches")?;
    assert_eq!(transfer.recipient, bob);
    assert!(events
        .iter()
        .any(|e| e["type"] == "kaizen.bank.v1.EventFeePaid"));

    // The text output a person reads.
    let text = devnet.kaizen_ok(&["query", "bank", "balances", "bob"])?;
    assert!(text.contains(&format!("{}ukzn", before + 4242)), "{text}");
    let status = devnet.kaizen_ok(&["status"])?;
    assert!(status.contains("kaizen-devnet-p0"), "{status}");
    Ok(())
}

#[tokio::test]
async fn cli_errors_say_what_to_do() -> anyhow::Result<()> {
    let devnet = Devnet::up(1, 28200)?;
    let out = devnet.kaizen(&["tx", "bank", "send", "bob", "5ukzn", "--from", "nobody"])?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kaizen keys add nobody"), "{err}");

    let out = devnet.kaizen(&[
        "tx",
        "bank",
        "send",
        "bob",
        "999999999999999ukzn",
        "--from",
        "carol",
        "--gas",
        "200000",
    ])?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("insufficient funds") && err.contains("kaizen query bank balances"),
        "{err}"
    );

    let out = devnet.kaizen(&[
        "query",
        "bank",
        "balances",
        "bob",
        "--grpc",
        "http://127.0.0.1:1",
    ])?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("is the node running"),
        "{err}"
    );

    let out = devnet.kaizen(&[
        "tx", "bank", "send", "bob", "5ukzn", "--from", "alice", "--fees", "1ukzn", "--gas",
        "200000",
    ])?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("raise --fees"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn an_unmodified_cosmjs_client_sends_and_reads_balances() -> anyhow::Result<()> {
    let devnet = Devnet::up(1, 28300)?;
    let alice = devnet.account("alice")?.clone();
    let bob = devnet.address("bob")?;

    // Install cosmjs from npm into a scratch directory: no Kaizen code is involved.
    let dir = tempfile::tempdir()?;
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/cosmjs");
    for f in ["package.json", "send.mjs"] {
        std::fs::copy(src.join(f), dir.path().join(f))?;
    }
    let install = std::process::Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir.path())
        .output()?;
    anyhow::ensure!(
        install.status.success(),
        "npm install: {}",
        String::from_utf8_lossy(&install.stderr)
    );

    let mut node = std::process::Command::new("node");
    node.arg("send.mjs")
        .arg(devnet.rpc(0))
        .arg(alice["mnemonic"].as_str().unwrap_or_default())
        .arg(&bob)
        .arg("31337")
        .current_dir(dir.path());
    client_sent(&devnet, "cosmjs", node, &alice, &bob, 31337).await?;
    Ok(())
}

/// Runs a client's send script (it prints one JSON line: from, chainId, before, after),
/// and checks that it signed as alice's mnemonic says, that bob received `amount`, and
/// that Kaizen's own gRPC agrees. Returns the script's JSON.
async fn client_sent(
    devnet: &Devnet,
    client: &str,
    mut command: std::process::Command,
    alice: &serde_json::Value,
    bob: &str,
    amount: u128,
) -> anyhow::Result<serde_json::Value> {
    let out = command.output()?;
    anyhow::ensure!(
        out.status.success(),
        "{client}: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    // The client derived the same address from the mnemonic as the Kaizen keyring did.
    assert_eq!(result["from"], alice["address"], "{client}");
    assert_eq!(result["chainId"], "kaizen-devnet-p0", "{client}");
    let before: u128 = result["before"].as_str().unwrap_or("0").parse()?;
    let after: u128 = result["after"].as_str().unwrap_or("0").parse()?;
    assert_eq!(after, before + amount, "{client}");
    // And Kaizen's own gRPC agrees.
    assert_eq!(grpc_balance(devnet, bob).await?, after, "{client}");
    Ok(result)
}

#[tokio::test]
async fn an_unmodified_cosmpy_client_simulates_sends_and_reads_balances() -> anyhow::Result<()> {
    // cosmpy from PyPI, in the venv scripts/setup.sh makes: no Kaizen code is involved.
    let home = std::env::var("HOME")?;
    let python = std::path::Path::new(&home).join(".cache/kaizen/cosmpy-venv/bin/python");
    anyhow::ensure!(
        python.exists(),
        "{} is missing: run scripts/setup.sh, which installs cosmpy into that venv",
        python.display()
    );
    let devnet = Devnet::up(1, 28350)?;
    let alice = devnet.account("alice")?.clone();
    let bob = devnet.address("bob")?;
    let chain_id = devnet.info["chain_id"].as_str().unwrap_or_default();

    // send.py lets cosmpy pick the gas: it calls Simulate with the deprecated `tx` field.
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/cosmpy/send.py");
    let mut cosmpy = std::process::Command::new(&python);
    cosmpy
        .arg(&script)
        .arg(devnet.grpc(0))
        .arg(chain_id)
        .arg(alice["mnemonic"].as_str().unwrap_or_default())
        .arg(&bob)
        .arg("27182");
    let result = client_sent(&devnet, "cosmpy", cosmpy, &alice, &bob, 27182).await?;
    // The gas limit came from the simulation (times cosmpy's margin) and covered the send.
    let gas_used = result["gas_used"].as_u64().unwrap_or(0);
    let gas_wanted = result["gas_wanted"].as_u64().unwrap_or(0);
    assert!(gas_used > 0 && gas_wanted >= gas_used, "{result}");

    // cosmpy capped its estimate with the block gas limit, which it reads from the
    // consensus query (or, on older chains, the params query): both say what CometBFT's
    // genesis says.
    use cosmrs::proto::cosmos::params::v1beta1::{
        query_client::QueryClient as ParamsClient, QueryParamsRequest,
    };
    use kaizen_proto::cosmos::consensus::v1 as consensus;
    let rpc = tendermint_rpc::HttpClient::new(devnet.rpc(0).as_str())?;
    let genesis_block = rpc
        .genesis::<serde_json::Value>()
        .await?
        .consensus_params
        .block;
    let channel = tonic::transport::Channel::from_shared(devnet.grpc(0))?
        .connect()
        .await?;
    let mut consensus = consensus::query_client::QueryClient::new(channel);
    let block = consensus
        .params(consensus::QueryParamsRequest {})
        .await?
        .into_inner()
        .params
        .and_then(|p| p.block)
        .ok_or_else(|| anyhow::anyhow!("no block parameters"))?;
    assert_eq!(
        (block.max_gas, block.max_bytes),
        (genesis_block.max_gas, genesis_block.max_bytes as i64)
    );
    let mut params = ParamsClient::connect(devnet.grpc(0)).await?;
    let param = params
        .params(QueryParamsRequest {
            subspace: "baseapp".into(),
            key: "BlockParams".into(),
        })
        .await?
        .into_inner()
        .param
        .ok_or_else(|| anyhow::anyhow!("no baseapp/BlockParams"))?;
    let value: serde_json::Value = serde_json::from_str(&param.value)?;
    assert_eq!(value["max_gas"], genesis_block.max_gas.to_string());
    Ok(())
}

#[tokio::test]
async fn bad_input_over_the_network_gets_clear_errors_and_the_node_keeps_running(
) -> anyhow::Result<()> {
    let devnet = Devnet::up(1, 28400)?;
    let mut tx = TxClient::connect(devnet.grpc(0)).await?;

    // Garbage to BroadcastTx: CheckTx refuses it with the decode code.
    let r = tx
        .broadcast_tx(BroadcastTxRequest {
            tx_bytes: vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3],
            mode: BroadcastMode::Sync as i32,
        })
        .await?
        .into_inner()
        .tx_response
        .unwrap();
    assert_eq!((r.codespace.as_str(), r.code), ("sdk", 2), "{}", r.raw_log);

    // Garbage straight to CometBFT's CheckTx.
    let rpc = tendermint_rpc::HttpClient::new(devnet.rpc(0).as_str())?;
    let r = rpc.broadcast_tx_sync(vec![0xff; 100]).await?;
    assert_eq!(r.code.value(), 2, "{}", r.log);

    // A transaction over the 1 MiB limit: refused before it reaches CometBFT.
    let err = tx
        .broadcast_tx(BroadcastTxRequest {
            tx_bytes: vec![7u8; 2 << 20],
            mode: BroadcastMode::Sync as i32,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");
    assert!(err.message().contains("at most"), "{}", err.message());

    // A gRPC request over the server's 4 MiB limit.
    let err = tx
        .broadcast_tx(BroadcastTxRequest {
            tx_bytes: vec![7u8; 5 << 20],
            mode: BroadcastMode::Sync as i32,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.code(),
            tonic::Code::ResourceExhausted | tonic::Code::OutOfRange
        ),
        "{err}"
    );

    // An account nobody has.
    let mut auth = AuthClient::connect(devnet.grpc(0)).await?;
    let stranger = cosmrs::AccountId::new("kaizen", &[9u8; 20])
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let err = auth
        .account(QueryAccountRequest { address: stranger })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound, "{err}");
    let err = auth
        .account(QueryAccountRequest {
            address: "not-an-address".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");

    // Raw garbage on the gRPC port (not HTTP/2 at all).
    {
        use std::io::Write;
        let addr = devnet.grpc(0).trim_start_matches("http://").to_string();
        let mut s = std::net::TcpStream::connect(addr)?;
        let _ = s.write_all(&[0u8; 4096]);
    }

    // Still alive and producing blocks.
    let h = devnet.height(0).await?;
    devnet
        .wait_height(0, h + 2, Duration::from_secs(20))
        .await?;
    let sent = devnet.kaizen_json(&["tx", "bank", "send", "bob", "1ukzn", "--from", "alice"])?;
    assert_eq!(sent.get("code"), None, "{sent}");
    Ok(())
}

#[tokio::test]
async fn grpc_reflection_lists_and_describes_the_served_services() -> anyhow::Result<()> {
    use tonic_reflection::pb::v1::{
        server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        ServerReflectionRequest,
    };
    let devnet = Devnet::up(1, 28500)?;
    let channel = tonic::transport::Channel::from_shared(devnet.grpc(0))?
        .connect()
        .await?;
    let mut client = ServerReflectionClient::new(channel);
    let ask = |m: MessageRequest| ServerReflectionRequest {
        host: String::new(),
        message_request: Some(m),
    };
    let mut stream = client
        .server_reflection_info(tokio_stream_once(ask(MessageRequest::ListServices(
            String::new(),
        ))))
        .await?
        .into_inner();
    let resp = stream.message().await?.expect("a reflection answer");
    let Some(MessageResponse::ListServicesResponse(list)) = resp.message_response else {
        anyhow::bail!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    let mut names = names;
    names.sort();
    // Exactly the services served: nothing advertised that the node does not answer.
    assert_eq!(
        names,
        [
            "cosmos.auth.v1beta1.Query",
            "cosmos.bank.v1beta1.Query",
            "cosmos.base.tendermint.v1beta1.Service",
            "cosmos.consensus.v1.Query",
            "cosmos.params.v1beta1.Query",
            "cosmos.tx.v1beta1.Service",
            "kaizen.attest.v1.Query",
            "kaizen.bank.v1.Query",
            "kaizen.bounty.v1.Query",
            "kaizen.da.v1.Query",
            "kaizen.staking.v1.Query",
        ]
    );
    let mut stream = client
        .server_reflection_info(tokio_stream_once(ask(
            MessageRequest::FileContainingSymbol("cosmos.bank.v1beta1.Query".into()),
        )))
        .await?
        .into_inner();
    let resp = stream.message().await?.expect("a reflection answer");
    assert!(
        matches!(
            resp.message_response,
            Some(MessageResponse::FileDescriptorResponse(_))
        ),
        "{resp:?}"
    );
    Ok(())
}

fn tokio_stream_once<T: Send + 'static>(
    item: T,
) -> impl tonic::codegen::tokio_stream::Stream<Item = T> {
    tonic::codegen::tokio_stream::iter(vec![item])
}

#[tokio::test]
async fn the_node_serves_metrics_and_node_info_and_stops_cleanly_on_sigterm() -> anyhow::Result<()>
{
    use cosmrs::proto::cosmos::base::tendermint::v1beta1::{
        service_client::ServiceClient, GetLatestBlockRequest, GetNodeInfoRequest,
    };
    use std::io::{Read, Write};

    let devnet = Devnet::up(1, 28550)?;
    devnet.wait_height(0, 3, Duration::from_secs(30)).await?;

    let mut node = ServiceClient::connect(devnet.grpc(0)).await?;
    let info = node
        .get_node_info(GetNodeInfoRequest {})
        .await?
        .into_inner();
    assert_eq!(info.default_node_info.unwrap().network, "kaizen-devnet-p0");
    assert_eq!(info.application_version.unwrap().app_name, "kaizend");
    let latest = node
        .get_latest_block(GetLatestBlockRequest {})
        .await?
        .into_inner();
    let header = latest.block.and_then(|b| b.header).expect("a header");
    assert!(header.height >= 3);
    assert_eq!(header.chain_id, "kaizen-devnet-p0");

    // Prometheus text at /metrics.
    let metrics = devnet.node(0)["metrics"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let addr = metrics
        .trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr)?;
    s.write_all(format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())?;
    let mut body = String::new();
    s.read_to_string(&mut body)?;
    assert!(body.contains("kaizen_height"), "{body}");
    assert!(body.contains("kaizen_finalize_block_seconds"), "{body}");

    // SIGTERM: kaizend waits for any block in flight and says so.
    devnet.kaizen_ok(&["devnet", "down"])?;
    let log = std::fs::read_to_string(devnet.node(0)["kaizend_log"].as_str().unwrap_or_default())?;
    assert!(
        log.contains("stopped cleanly"),
        "{}",
        devnet.log_tail(0, "kaizend")
    );
    Ok(())
}
