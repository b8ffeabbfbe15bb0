//! End-to-end DA throughput on loopback: a one-validator devnet with `--da-nodes` DA
//! nodes; each blob goes through `put` (encode, pay, disperse, certify) and `get`
//! (fetch originals, verify, join), timed per phase.
//!
//! `cargo build --release --workspace --bins && target/release/da_bench --sizes-mib 16,256`
//!
//! Besides the network figures it times, in the same run, the parts a put cannot avoid on
//! this machine: encoding + commitment on all cores, and one block (the chain confirms
//! the payment and the certificate, one block each).

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::{sync::Arc, time::Instant};

use anyhow::Context;
use clap::Parser;
use kaizen_cli::{client::Endpoints, keys::Keyring};
use kaizen_da_client::dispersal::{DaClient, PutOptions};
use kaizen_da_core::{
    blob::{encode_blob, BlobRef},
    CpuCoder, ErasureParams,
};
use kaizen_testnet::Devnet;

#[derive(Parser)]
struct Args {
    /// Blob sizes in MiB.
    #[arg(long, value_delimiter = ',', default_value = "16,256")]
    sizes_mib: Vec<usize>,
    /// Runs per size (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    #[arg(long, default_value_t = 8)]
    da_nodes: usize,
    #[arg(long, default_value_t = 30000)]
    base_port: u16,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let nodes = args.da_nodes.to_string();
    let devnet = Devnet::up_with(1, args.base_port, &["--da-nodes", &nodes])?;
    let home = devnet.home.path().to_path_buf();
    let ep = Endpoints {
        home: home.clone(),
        node: devnet.rpc(0),
        grpc: devnet.grpc(0),
        chain_id: devnet.info["chain_id"].as_str().map(str::to_string),
    };
    let (key, address) = Keyring::open(&home)?.signer("alice")?;
    let coder: Arc<dyn kaizen_da_core::ErasureCoder> = Arc::new(CpuCoder::default());
    let client = DaClient::new(ep, key, address, coder.clone()).await?;
    let quiet = |_: kaizen_da_client::dispersal::Progress| {};

    println!(
        "DA end to end, 1 validator, {} DA nodes on loopback, {} cores; medians of {} runs",
        args.da_nodes,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.runs
    );
    println!(
        "| blob | k+m | put MB/s | encode s | pay s | disperse s | certify s | put s | get MB/s | get s | encode alone s |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (si, &mib) in args.sizes_mib.iter().enumerate() {
        let len = mib << 20;
        let mut rows: Vec<[f64; 8]> = Vec::new();
        let mut shape = String::new();
        for run in 0..args.runs {
            let data = random(len, (si * 100 + run) as u64 + 1);
            let receipt = client
                .put(
                    &data,
                    &PutOptions {
                        shards: None,
                        retention_blocks: 100,
                        max_fee: None,
                    },
                    &quiet,
                )
                .await
                .with_context(|| format!("put of {mib} MiB"))?;
            let blob_ref: BlobRef = receipt
                .blob_ref
                .parse()
                .map_err(|e: String| anyhow::anyhow!(e))?;
            shape = format!("{}+{}", blob_ref.k, blob_ref.m);
            let t = Instant::now();
            let (back, _) = client.get(&blob_ref, &quiet).await?;
            let get_s = t.elapsed().as_secs_f64();
            anyhow::ensure!(back == data, "the {mib} MiB blob came back different");
            drop(back);
            // The same encoding alone, to see what the network adds.
            let (k, m) = (blob_ref.k, blob_ref.m);
            let c = coder.clone();
            let t = Instant::now();
            tokio::task::spawn_blocking(move || {
                encode_blob(c.as_ref(), 0, &data, ErasureParams { k, m })
            })
            .await??;
            let encode_alone = t.elapsed().as_secs_f64();
            let tm = &receipt.timings;
            rows.push([
                tm.encode,
                tm.pay,
                tm.disperse,
                tm.certify,
                tm.total,
                get_s,
                encode_alone,
                0.0,
            ]);
        }
        let col = |i: usize| median(rows.iter().map(|r| r[i]).collect());
        let mb = len as f64 / 1e6;
        println!(
            "| {mib} MiB | {shape} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {:.2} | {:.2} |",
            mb / col(4),
            col(0),
            col(1),
            col(2),
            col(3),
            col(4),
            mb / col(5),
            col(5),
            col(6)
        );
    }
    Ok(())
}
