//! Throughput of signed bank sends through `FinalizeBlock` + `Commit`, in process.
//!
//! `cargo bench -p kaizen-app --bench bank_send` prints a table: for blocks of 1,000 and
//! 5,000 sends (each from a distinct funded account), the median over several blocks of
//! txs/s, in three modes:
//! - `sequential`: signatures verified one by one inside the transaction pipeline;
//! - `parallel`: the default, a pre-pass verifies every signature on all cores first;
//! - `after CheckTx`: every tx went through CheckTx first (as on a real node), so the
//!   block finds its signatures already verified.
//!
//! Beside them: the time to verify the block's signatures alone on one core, as a share
//! of the sequential block time.

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::time::{Duration, Instant};

use kaizen_app::harness::{genesis_with_balances, msg_send, TestKey, TestNode, TxBuilder};
use kaizen_app::tx::{decode_tx, DecodeLimits};
use kaizen_auth::signature::{sign_doc_bytes, verify_secp256k1};

// The same allocator as kaizend.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BLOCKS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Setup {
    node: TestNode,
    blocks: Vec<Vec<Vec<u8>>>,
    keys: Vec<TestKey>,
}

async fn setup(block_size: usize) -> anyhow::Result<Setup> {
    let keys: Vec<TestKey> = (0..block_size)
        .map(|i| TestKey::new(&format!("bench{i}")))
        .collect();
    let funded: Vec<_> = keys
        .iter()
        .map(|k| (&k.address, 1_000_000_000u128))
        .collect();
    let node = TestNode::start(&genesis_with_balances(&funded)).await?;
    let sink = TestKey::new("sink");
    let mut blocks = Vec::new();
    for b in 0..BLOCKS {
        let mut txs = Vec::with_capacity(block_size);
        for (i, k) in keys.iter().enumerate() {
            // Genesis numbers accounts in order.
            let mut tx = TxBuilder::new(
                vec![msg_send(&k.address, &sink.address, 1)],
                i as u64,
                b as u64,
            );
            tx.gas_limit = 100_000;
            tx.fee = 100;
            txs.push(tx.sign(k)?);
        }
        blocks.push(txs);
    }
    Ok(Setup { node, blocks, keys })
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Sequential,
    Parallel,
    AfterCheckTx,
}

async fn run(block_size: usize, mode: Mode) -> anyhow::Result<(Duration, Duration)> {
    let Setup {
        mut node,
        blocks,
        keys,
    } = setup(block_size).await?;
    node.app
        .set_parallel_signature_checks(mode != Mode::Sequential);
    let limits = DecodeLimits {
        max_tx_bytes: 1 << 20,
        max_tx_gas: 10_000_000,
        max_memo_bytes: 256,
        max_signatures: 7,
        max_msgs: 64,
        allow_zero_gas: false,
    };
    let mut times = Vec::new();
    let mut sig_times = Vec::new();
    for txs in blocks {
        // Signatures alone, one core.
        let t = Instant::now();
        for raw in &txs {
            let tx = decode_tx(raw, &limits).map_err(|e| anyhow::anyhow!("{e}"))?;
            let pk = kaizen_auth::signature::signer_pubkey(&tx.auth_info.signer_infos[0])?;
            let number = keys
                .iter()
                .position(|k| k.address == tx.signers[0])
                .unwrap_or(0) as u64;
            let msg = sign_doc_bytes(
                &tx.body_bytes,
                &tx.auth_info_bytes,
                "kaizen-test-p0",
                number,
            );
            assert!(verify_secp256k1(&pk, &msg, &tx.signatures[0]));
        }
        sig_times.push(t.elapsed());

        if mode == Mode::AfterCheckTx {
            for raw in &txs {
                let r = node.check_tx(raw).await?;
                anyhow::ensure!(r.code == 0, "CheckTx: {}", r.log);
            }
        } else {
            node.app.clear_signature_cache();
        }
        let t = Instant::now();
        let out = node.block(txs).await?;
        times.push(t.elapsed());
        anyhow::ensure!(
            out.tx_results.iter().all(|r| r.code == 0),
            "a bench tx failed: {:?}",
            out.tx_results.iter().find(|r| r.code != 0)
        );
    }
    node.close().await;
    Ok((median(times), median(sig_times)))
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("bank sends through FinalizeBlock + Commit, median of {BLOCKS} blocks, {cores} cores");
    println!("| block size | mode | block time | txs/s | signatures alone (1 core) | share of sequential block |");
    println!("|---:|---|---:|---:|---:|---:|");
    for size in [1000usize, 5000] {
        let mut seq_time = Duration::ZERO;
        for (mode, name) in [
            (Mode::Sequential, "sequential"),
            (Mode::Parallel, "parallel pre-pass"),
            (Mode::AfterCheckTx, "after CheckTx"),
        ] {
            let (block, sigs) = rt.block_on(run(size, mode))?;
            if mode == Mode::Sequential {
                seq_time = block;
            }
            let tps = size as f64 / block.as_secs_f64();
            let share = 100.0 * sigs.as_secs_f64() / seq_time.as_secs_f64();
            println!(
                "| {size} | {name} | {:.1} ms | {tps:.0} | {:.1} ms | {share:.0}% |",
                block.as_secs_f64() * 1e3,
                sigs.as_secs_f64() * 1e3
            );
        }
    }
    Ok(())
}
