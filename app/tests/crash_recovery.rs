//! Crash safety with a real process kill.
//!
//! The test re-runs its own binary as a child that executes blocks on a store and reports
//! each app hash, then is killed with SIGKILL at a chosen point: after `FinalizeBlock`
//! but before `Commit`, or after `Commit`. The parent reopens the store and checks that
//! `Info` reports the last committed height and hash, and that replaying the uncommitted
//! block gives the same hash as the first run did.
//!
//! `harness = false`: this file has its own `main`, which prints a `passed/failed` line.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
};

use anyhow::Context;
use kaizen_app::harness::{genesis_with_balances, TestKey, TestNode};

const BLOCKS_BEFORE_CRASH: u64 = 3;

fn keys() -> (TestKey, TestKey) {
    (TestKey::new("alice"), TestKey::new("bob"))
}

async fn open_with_genesis(dir: &Path) -> anyhow::Result<TestNode> {
    let (alice, bob) = keys();
    let mut node = TestNode::open(dir).await?;
    node.init_chain(&genesis_with_balances(&[
        (&alice.address, 1_000_000),
        (&bob.address, 1_000),
    ]))
    .await?;
    Ok(node)
}

/// The transactions of block `height`, the same in every process.
async fn block_txs(node: &TestNode, height: u64) -> anyhow::Result<Vec<Vec<u8>>> {
    let (alice, bob) = keys();
    Ok(vec![
        node.signed_send(&alice, &bob.address, u128::from(height) * 10)
            .await?,
    ])
}

/// The child: run blocks, report hashes, then stop where told and wait to be killed.
async fn child(dir: &Path, phase: &str) -> anyhow::Result<()> {
    let mut node = open_with_genesis(dir).await?;
    for _ in 0..BLOCKS_BEFORE_CRASH {
        let txs = block_txs(&node, node.height() + 1).await?;
        let out = node.block(txs).await?;
        println!("COMMITTED {} {}", out.height, hex::encode(&out.app_hash));
    }
    let txs = block_txs(&node, node.height() + 1).await?;
    let out = node.finalize(txs).await?;
    println!("FINALIZED {} {}", out.height, hex::encode(&out.app_hash));
    if phase == "after-commit" {
        node.commit().await?;
        println!("COMMITTED {} {}", out.height, hex::encode(&out.app_hash));
    }
    println!("READY");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

struct Report {
    committed: Vec<(u64, String)>,
    finalized: (u64, String),
}

fn run_child_and_kill(dir: &Path, phase: &str) -> anyhow::Result<Report> {
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .arg("child")
        .arg(dir)
        .arg(phase)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().context("child stdout")?;
    let mut committed = Vec::new();
    let mut finalized = None;
    let mut ready = false;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["COMMITTED", h, hash] => committed.push((h.parse()?, hash.to_string())),
            ["FINALIZED", h, hash] => finalized = Some((h.parse()?, hash.to_string())),
            ["READY"] => {
                ready = true;
                break;
            }
            _ => {}
        }
    }
    // SIGKILL: no destructor, no flush, no chance to tidy up.
    child.kill()?;
    child.wait()?;
    anyhow::ensure!(ready, "the child died before reaching the crash point");
    Ok(Report {
        committed,
        finalized: finalized.context("the child reported no finalized block")?,
    })
}

async fn killed_after_finalize_before_commit() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let report = run_child_and_kill(tmp.path(), "after-finalize")?;
    let (last_height, last_hash) = report.committed.last().cloned().context("no commits")?;
    assert_eq!(last_height, BLOCKS_BEFORE_CRASH);

    let mut node = TestNode::open(tmp.path()).await?;
    let info = node.info().await?;
    anyhow::ensure!(
        info.last_block_height == BLOCKS_BEFORE_CRASH as i64,
        "Info reports height {}, want {BLOCKS_BEFORE_CRASH}",
        info.last_block_height
    );
    anyhow::ensure!(
        hex::encode(&info.last_block_app_hash) == last_hash,
        "Info's app hash is not the last committed one"
    );

    // CometBFT replays the block the app never committed: same block, same hash.
    let txs = block_txs(&node, BLOCKS_BEFORE_CRASH + 1).await?;
    let replay = node.block(txs).await?;
    anyhow::ensure!(
        (replay.height, hex::encode(&replay.app_hash)) == report.finalized,
        "replayed block {} has hash {}, the first run had {:?}",
        replay.height,
        hex::encode(&replay.app_hash),
        report.finalized
    );
    node.close().await;
    Ok(())
}

async fn killed_after_commit() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let report = run_child_and_kill(tmp.path(), "after-commit")?;
    let node = TestNode::open(tmp.path()).await?;
    let info = node.info().await?;
    let (height, hash) = &report.finalized;
    anyhow::ensure!(
        info.last_block_height as u64 == *height,
        "Info reports height {}, want {height}",
        info.last_block_height
    );
    anyhow::ensure!(
        &hex::encode(&info.last_block_app_hash) == hash,
        "Info's app hash is not the committed one"
    );

    // A node that never crashed agrees on every height.
    let reference_dir = tempfile::tempdir()?;
    let mut reference = open_with_genesis(reference_dir.path()).await?;
    for (h, hash) in &report.committed {
        let txs = block_txs(&reference, *h).await?;
        let out = reference.block(txs).await?;
        anyhow::ensure!(
            &hex::encode(&out.app_hash) == hash,
            "height {h}: the reference node disagrees"
        );
    }
    reference.close().await;
    node.close().await;
    Ok(())
}

async fn init_chain_repeated_after_a_crash_is_idempotent() -> anyhow::Result<()> {
    // CometBFT calls InitChain again when the app reports height 0; genesis was already
    // committed, so the app must answer the same hash and keep its state.
    let tmp = tempfile::tempdir()?;
    let first = {
        let node = open_with_genesis(tmp.path()).await?;
        let h = node.info().await?.last_block_app_hash;
        node.close().await;
        h
    };
    let node = open_with_genesis(tmp.path()).await?;
    anyhow::ensure!(
        node.info().await?.last_block_app_hash == first,
        "repeated InitChain changed the hash"
    );
    anyhow::ensure!(
        node.balance(&keys().0.address).await == 1_000_000,
        "repeated InitChain minted again"
    );
    node.close().await;
    Ok(())
}

async fn a_store_reopened_after_empty_blocks_reports_their_height() -> anyhow::Result<()> {
    // A block without transactions changes no value; the store must still know it
    // committed it, or CometBFT's handshake replays from genesis over the old state.
    let tmp = tempfile::tempdir()?;
    let mut node = open_with_genesis(tmp.path()).await?;
    let txs = block_txs(&node, 1).await?;
    node.block(txs).await?;
    let mut last = Vec::new();
    for _ in 0..3 {
        last = node.block(Vec::new()).await?.app_hash;
    }
    node.close().await;
    let node = TestNode::open(tmp.path()).await?;
    let info = node.info().await?;
    anyhow::ensure!(
        info.last_block_height == 4,
        "Info reports height {} after 4 committed blocks",
        info.last_block_height
    );
    anyhow::ensure!(
        info.last_block_app_hash.as_ref() == last.as_slice(),
        "Info's app hash is not the last committed one"
    );
    node.close().await;
    Ok(())
}

async fn a_store_reopened_after_a_deletion_under_a_deep_parent_reports_its_height(
) -> anyhow::Result<()> {
    use cnidarium::{StateDelta, StateWrite, Storage};
    use sha2::{Digest, Sha256};
    // Three keys whose tree paths share their first three nibbles and differ at the
    // fourth: deleting one rewrites their parent, an internal node three levels down,
    // and the block's only leaf (another key, rewritten) sits higher. The store must
    // still find that version on reopening.
    let mut buckets: std::collections::BTreeMap<u16, Vec<String>> = Default::default();
    let mut siblings = None;
    for i in 0u32.. {
        let key = format!("test/key/{i}");
        let h = Sha256::digest(key.as_bytes());
        let prefix = (u16::from(h[0]) << 4) | u16::from(h[1] >> 4);
        let fourth = |k: &String| Sha256::digest(k.as_bytes())[1] & 0x0f;
        let bucket = buckets.entry(prefix).or_default();
        if bucket.iter().all(|k| fourth(k) != h[1] & 0x0f) {
            bucket.push(key);
        }
        if bucket.len() == 3 {
            siblings = Some(bucket.clone());
            break;
        }
    }
    let siblings = siblings.context("three sibling keys")?;
    let tmp = tempfile::tempdir()?;
    let storage = Storage::load(tmp.path().to_path_buf(), vec![]).await?;
    let mut state = StateDelta::new(storage.latest_snapshot());
    for k in &siblings {
        state.put_raw(k.clone(), b"v".to_vec());
    }
    state.put_raw("app/chain_id".into(), b"kaizen-test-p0".to_vec());
    storage.commit(state).await?;
    let mut state = StateDelta::new(storage.latest_snapshot());
    state.delete(siblings[0].clone());
    state.put_raw("app/chain_id".into(), b"kaizen-test-p0".to_vec());
    storage.commit(state).await?;
    anyhow::ensure!(storage.latest_version() == 1);
    storage.release().await;

    let storage = Storage::load(tmp.path().to_path_buf(), vec![]).await?;
    let version = storage.latest_version();
    storage.release().await;
    anyhow::ensure!(
        version == 1,
        "reopened at version {version} (u64::MAX is nothing committed), want 1"
    );
    Ok(())
}

type TestFn = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>>>>;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if args.get(1).map(String::as_str) == Some("child") {
        let dir = args.get(2).context("child DIR PHASE")?;
        let phase = args.get(3).context("child DIR PHASE")?;
        return rt.block_on(child(Path::new(dir), phase));
    }
    let tests: [(&str, TestFn); 5] = [
        (
            "app_killed_after_finalize_block_before_commit_recovers_and_replays_to_the_same_hash",
            || Box::pin(killed_after_finalize_before_commit()),
        ),
        (
            "app_killed_after_commit_reopens_at_the_committed_height_and_hash",
            || Box::pin(killed_after_commit()),
        ),
        ("init_chain_repeated_after_a_crash_is_idempotent", || {
            Box::pin(init_chain_repeated_after_a_crash_is_idempotent())
        }),
        (
            "a_store_reopened_after_empty_blocks_reports_their_height",
            || Box::pin(a_store_reopened_after_empty_blocks_reports_their_height()),
        ),
        (
            "a_store_reopened_after_a_deletion_under_a_deep_parent_reports_its_height",
            || Box::pin(a_store_reopened_after_a_deletion_under_a_deep_parent_reports_its_height()),
        ),
    ];
    let filter = args.iter().skip(1).find(|a| !a.starts_with('-')).cloned();
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        match rt.block_on(test()) {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(e) => {
                println!("test {name} ... FAILED: {e:#}");
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
