//! A four-validator devnet on real CometBFT under faults: a validator killed with
//! SIGKILL, a kaizend killed alone, and two runs of the same transactions.

use std::time::Duration;

use kaizen_testnet::Devnet;

const WAIT: Duration = Duration::from_secs(60);

/// Every node's header app hash agrees at every height from 1 to `up_to`.
async fn assert_app_hashes_agree(devnet: &Devnet, up_to: u64) -> anyhow::Result<()> {
    for h in 1..=up_to {
        let reference = devnet.header_app_hash(0, h).await?;
        for i in 1..devnet.nodes() {
            let other = devnet.header_app_hash(i, h).await?;
            anyhow::ensure!(
                other == reference,
                "height {h}: node {i} has app hash {other}, node 0 has {reference}"
            );
        }
    }
    Ok(())
}

fn send(devnet: &Devnet, from: &str, to: &str, amount: &str) -> anyhow::Result<serde_json::Value> {
    let r = devnet.kaizen_json(&["tx", "bank", "send", to, amount, "--from", from])?;
    // `code` is left out at 0 (the TxResponse's proto JSON).
    anyhow::ensure!(r.get("code").is_none(), "send failed: {r}");
    Ok(r)
}

#[tokio::test]
async fn a_validator_killed_with_sigkill_leaves_the_chain_running_and_catches_up_when_restarted(
) -> anyhow::Result<()> {
    let mut devnet = Devnet::up(4, 28600)?;
    send(&devnet, "alice", "bob", "1000ukzn")?;

    devnet.kaizen_ok(&["devnet", "stop-node", "3", "--kill"])?;
    devnet.reload()?;
    let stopped_at = devnet.height(0).await?;
    // Three of four validators hold more than 2/3 of the power: blocks go on.
    devnet.wait_height(0, stopped_at + 3, WAIT).await?;
    send(&devnet, "bob", "carol", "500ukzn")?;
    send(&devnet, "carol", "alice", "250ukzn")?;

    devnet.kaizen_ok(&["devnet", "start-node", "3"])?;
    devnet.reload()?;
    let target = devnet.height(0).await?;
    devnet
        .wait_height(3, target, WAIT)
        .await
        .map_err(|e| anyhow::anyhow!("{e}\n{}", devnet.log_tail(3, "cometbft")))?;
    assert_app_hashes_agree(&devnet, target).await?;

    // The restarted node serves the state that was written while it was down.
    let carol = devnet.address("carol")?;
    let grpc3 = devnet.grpc(3);
    let on3 = devnet.kaizen_json(&["query", "bank", "balances", &carol, "--grpc", &grpc3])?;
    let on0 = devnet.kaizen_json(&["query", "bank", "balances", &carol])?;
    assert_eq!(on3, on0);
    let amount: u128 = on3["balances"][0]["amount"]
        .as_str()
        .unwrap_or("0")
        .parse()?;
    // +500 from bob, -250 to alice, less one fee.
    assert!(
        amount > 1_000_000_000_000 + 250 - 1_000 && amount < 1_000_000_000_250,
        "{on3}"
    );
    Ok(())
}

#[tokio::test]
async fn a_kaizend_killed_alone_is_replayed_by_the_cometbft_handshake_on_restart(
) -> anyhow::Result<()> {
    let mut devnet = Devnet::up(4, 28700)?;
    send(&devnet, "alice", "bob", "1000ukzn")?;
    // Let node 1 commit empty blocks after the send: a block that changes no value must
    // still be found on reopening (the store once reopened at "nothing committed").
    let sent_at = devnet.height(0).await?;
    devnet.wait_height(1, sent_at + 2, WAIT).await?;
    devnet.kill9(1, "kaizend")?;
    let killed_at = devnet.height(0).await?;
    devnet.wait_height(0, killed_at + 3, WAIT).await?;
    send(&devnet, "bob", "alice", "10ukzn")?;

    // Its CometBFT loses the app and stops serving; start-node brings both back.
    devnet.kaizen_ok(&["devnet", "start-node", "1"])?;
    devnet.reload()?;
    let target = devnet.height(0).await?;
    devnet.wait_height(1, target, WAIT).await.map_err(|e| {
        anyhow::anyhow!(
            "{e}\nkaizend:\n{}\ncometbft:\n{}",
            devnet.log_tail(1, "kaizend"),
            devnet.log_tail(1, "cometbft")
        )
    })?;
    assert_app_hashes_agree(&devnet, target).await?;
    Ok(())
}

/// The distinct app hashes a devnet goes through while it runs `sends` one by one.
async fn app_hash_trail(
    base_port: u16,
    sends: &[(&str, &str, &str)],
) -> anyhow::Result<Vec<String>> {
    let devnet = Devnet::up_with(2, base_port, &["--demo-seed", "trail"])?;
    for (from, to, amount) in sends {
        send(&devnet, from, to, amount)?;
    }
    let top = devnet.height(0).await?;
    devnet.wait_height(0, top + 1, WAIT).await?;
    let mut trail: Vec<String> = Vec::new();
    for h in 1..=top + 1 {
        let hash = devnet.header_app_hash(0, h).await?;
        if trail.last() != Some(&hash) {
            trail.push(hash);
        }
    }
    Ok(trail)
}

#[tokio::test]
async fn two_devnets_running_the_same_transactions_agree_on_app_hashes() -> anyhow::Result<()> {
    let sends = [
        ("alice", "bob", "1000ukzn"),
        ("bob", "carol", "77ukzn"),
        ("carol", "alice", "5ukzn"),
    ];
    let a = app_hash_trail(28800, &sends).await?;
    let b = app_hash_trail(28900, &sends).await?;
    // Genesis, then one new state per transaction (empty blocks change nothing).
    assert_eq!(a.len(), 1 + sends.len(), "{a:?}");
    assert_eq!(a, b);
    Ok(())
}
