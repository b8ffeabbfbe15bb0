//! CPU erasure-coding throughput, in GB/s of original data (10^9 bytes per second).
//!
//! `cargo bench -p kaizen-da-core --bench codec` prints a table: encode and decode (the
//! originals rebuilt with `min(k, m)` of them lost, the CPU codec's hardest case) on one
//! core and on all cores, for 32+32 and 1024+1024 shards of 64 KiB and 1 MiB and
//! 4096+4096 of 64 KiB;
//! and SHA-256 over the same bytes (the commitment's cost). Median of 3 runs each.
//! `KAIZEN_BENCH_QUICK=1` runs only the small shapes.

#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::{collections::BTreeMap, time::Instant};

use kaizen_da_core::{codec::ErasureCoder, commitment::shard_hash, CpuCoder};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn gbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e9
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let quick = std::env::var_os("KAIZEN_BENCH_QUICK").is_some();
    let mut shapes = vec![
        (32usize, 32usize, 64 << 10),
        (32, 32, 1 << 20),
        (1024, 1024, 64 << 10),
    ];
    if !quick {
        // 4096+4096 of 1 MiB needs 8 GiB of shards plus the decoder's copies: more than
        // a 24 GiB machine holds beside them (it was killed for memory here).
        shapes.extend([(1024, 1024, 1 << 20), (4096, 4096, 64 << 10)]);
    }
    println!("reed-solomon-simd, GB/s of original data, median of 3; {cores} cores");
    println!("| shards | shard size | encode 1 core | encode {cores} cores | decode 1 core | decode {cores} cores | SHA-256 1 core |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (k, m, size) in shapes {
        let originals: Vec<Vec<u8>> = (0..k)
            .map(|i| {
                (0..size)
                    .map(|j: usize| {
                        (i.wrapping_mul(2_654_435_761usize) ^ j.wrapping_mul(40_503usize)) as u8
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[u8]> = originals.iter().map(Vec::as_slice).collect();
        let data = k * size;
        let mut row = Vec::new();
        let mut recovery = Vec::new();
        for coder in [CpuCoder::single_threaded(), CpuCoder::new(cores)] {
            let times: Vec<f64> = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    recovery = coder.encode(&refs, m).expect("encode");
                    t.elapsed().as_secs_f64()
                })
                .collect();
            row.push(gbps(data, median(times)));
        }
        // Lose the first min(k, m) originals; keep the rest and enough recovery shards.
        let lost = k.min(m);
        let mut given: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        for (i, s) in originals.iter().enumerate().skip(lost) {
            given.insert(i, s.clone());
        }
        for (j, s) in recovery.iter().enumerate().take(lost) {
            given.insert(k + j, s.clone());
        }
        for coder in [CpuCoder::single_threaded(), CpuCoder::new(cores)] {
            let times: Vec<f64> = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    let back = coder.reconstruct(k, m, &given).expect("decode");
                    let secs = t.elapsed().as_secs_f64();
                    assert_eq!(back[0], originals[0]);
                    secs
                })
                .collect();
            row.push(gbps(data, median(times)));
        }
        let times: Vec<f64> = (0..3)
            .map(|_| {
                let t = Instant::now();
                for s in &originals {
                    std::hint::black_box(shard_hash(s));
                }
                t.elapsed().as_secs_f64()
            })
            .collect();
        row.push(gbps(data, median(times)));
        let size_text = if size >= 1 << 20 {
            format!("{} MiB", size >> 20)
        } else {
            format!("{} KiB", size >> 10)
        };
        println!(
            "| {k}+{m} | {size_text} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            row[0], row[1], row[2], row[3], row[4]
        );
    }
}
