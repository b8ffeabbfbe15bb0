//! GPU erasure coder vs the CPU codec (`reed-solomon-simd` on all cores, striped like
//! `kaizen_da::CpuCoder`), with the physical copy limits measured in the same run.
//!
//! `gpu-codec-bench [--quick] [--profile]`: GB/s of original data (k * shard bytes per
//! second), medians. Kernel-only: the data already on the device, CUDA events around the
//! kernels. End to end: pinned host memory in, pinned host memory out (H2D, kernels,
//! D2H), several blobs pipelined over one stream per slot, wall clock. Decode loses the
//! first `m` originals (every lost shard is an original: the most output to rebuild).
//! `--profile`: only one 1024+1024 x 64 KiB encode and decode, for `ncu`.
#![allow(clippy::disallowed_methods)] // Instant::now: this is a benchmark.

use std::time::Instant;

use cudarc::driver::sys::CUevent_flags;
use kaizen_cuda::GpuCoder;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
const GIB: usize = 1024 * MIB;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Byte ranges of a shard, one per thread, each a multiple of 64 bytes (as `CpuCoder`).
fn stripes(threads: usize, shard_bytes: usize) -> Vec<(usize, usize)> {
    let chunks = shard_bytes / 64;
    let parts = threads.min(chunks).max(1);
    let per = chunks.div_ceil(parts);
    (0..parts)
        .map(|p| (p * per * 64, ((p + 1) * per * 64).min(shard_bytes)))
        .filter(|(a, b)| a < b)
        .collect()
}

fn random_fill(buf: &mut [u8], seed: u64) {
    let t = threads();
    let per = buf.len().div_ceil(t).next_multiple_of(8).max(8);
    std::thread::scope(|s| {
        for (i, part) in buf.chunks_mut(per).enumerate() {
            s.spawn(move || {
                let mut x = (seed ^ (i as u64 + 1)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                for w in part.chunks_mut(8) {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let b = x.to_le_bytes();
                    w.copy_from_slice(&b[..w.len()]);
                }
            });
        }
    });
}

/// All-core CPU encode; recovery shards concatenated.
fn cpu_encode(orig: &[u8], k: usize, m: usize, s: usize) -> Vec<u8> {
    let parts: Vec<(usize, Vec<Vec<u8>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = stripes(threads(), s)
            .into_iter()
            .map(|(a, b)| {
                scope.spawn(move || {
                    let mut enc =
                        reed_solomon_simd::ReedSolomonEncoder::new(k, m, b - a).expect("encoder");
                    for i in 0..k {
                        enc.add_original_shard(&orig[i * s + a..i * s + b])
                            .expect("shard");
                    }
                    let r = enc.encode().expect("encode");
                    (a, r.recovery_iter().map(<[u8]>::to_vec).collect())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut out = vec![0u8; m * s];
    for (a, pieces) in parts {
        for (j, p) in pieces.iter().enumerate() {
            out[j * s + a..j * s + a + p.len()].copy_from_slice(p);
        }
    }
    out
}

/// All-core CPU decode of the first `m` originals from the rest; restored concatenated.
fn cpu_decode(orig: &[u8], rec: &[u8], k: usize, m: usize, s: usize) -> Vec<u8> {
    let lost = m.min(k);
    type Part = (usize, Vec<(usize, Vec<u8>)>);
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let handles: Vec<_> = stripes(threads(), s)
            .into_iter()
            .map(|(a, b)| {
                scope.spawn(move || {
                    let mut dec =
                        reed_solomon_simd::ReedSolomonDecoder::new(k, m, b - a).expect("decoder");
                    for i in lost..k {
                        dec.add_original_shard(i, &orig[i * s + a..i * s + b])
                            .expect("shard");
                    }
                    for j in 0..m {
                        dec.add_recovery_shard(j, &rec[j * s + a..j * s + b])
                            .expect("shard");
                    }
                    let r = dec.decode().expect("decode");
                    (
                        a,
                        r.restored_original_iter()
                            .map(|(i, d)| (i, d.to_vec()))
                            .collect(),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut out = vec![0u8; lost * s];
    for (a, pieces) in parts {
        for (i, p) in pieces {
            out[i * s + a..i * s + a + p.len()].copy_from_slice(&p);
        }
    }
    out
}

fn gbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e9
}

fn copy_limits(ctx: &std::sync::Arc<cudarc::driver::CudaContext>) -> (f64, f64) {
    let run = || -> Result<(f64, f64), Box<dyn std::error::Error>> {
        let stream = ctx.new_stream()?;
        let src = stream.alloc_zeros::<u8>(GIB)?;
        let mut dst = stream.alloc_zeros::<u8>(GIB)?;
        // SAFETY: filled below before use.
        let mut pinned = unsafe { ctx.alloc_pinned_with_flags::<u8>(GIB, 0)? };
        pinned.as_mut_slice()?.fill(7);
        let start = ctx.new_event(Some(CUevent_flags::CU_EVENT_DEFAULT))?;
        let end = ctx.new_event(Some(CUevent_flags::CU_EVENT_DEFAULT))?;
        let time = |f: &mut dyn FnMut() -> Result<(), cudarc::driver::DriverError>| -> Result<f64, Box<dyn std::error::Error>> {
            let mut v = Vec::new();
            for _ in 0..5 {
                start.record(&stream)?;
                f()?;
                end.record(&stream)?;
                end.synchronize()?;
                v.push(f64::from(start.elapsed_ms(&end)?) / 1e3);
            }
            Ok(gbps(GIB, median(v)))
        };
        let d2d = time(&mut || stream.memcpy_dtod(&src, &mut dst))?;
        let h2d = time(&mut || stream.memcpy_htod(&pinned, &mut dst))?;
        let d2h = time(&mut || stream.memcpy_dtoh(&src, &mut pinned))?;
        println!("pinned device-to-host: {d2h:.1} GB/s");
        Ok((d2d, h2d))
    };
    run().unwrap_or_else(|e| {
        println!("copy limits failed: {e}");
        (f64::NAN, f64::NAN)
    })
}

struct Row {
    k: usize,
    s: usize,
    cpu_enc: f64,
    gpu_enc_kernel: f64,
    gpu_enc_e2e: f64,
    cpu_dec: f64,
    gpu_dec_kernel: f64,
    gpu_dec_e2e: f64,
    depth: usize,
    blobs: usize,
}

fn bench_shape(coder: &GpuCoder, k: usize, s: usize, reps: usize) -> Result<Row, String> {
    let m = k;
    let blob = k * s;
    let lost = m.min(k);
    let mut orig = vec![0u8; blob];
    random_fill(&mut orig, (k * 31 + s) as u64);

    // CPU, all cores.
    let rec = cpu_encode(&orig, k, m, s);
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(cpu_encode(&orig, k, m, s));
        v.push(t.elapsed().as_secs_f64());
    }
    let cpu_enc = gbps(blob, median(v));
    let restored = cpu_decode(&orig, &rec, k, m, s);
    if restored[..] != orig[..lost * s] {
        return Err("CPU decode did not restore the originals".into());
    }
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(cpu_decode(&orig, &rec, k, m, s));
        v.push(t.elapsed().as_secs_f64());
    }
    let cpu_dec = gbps(blob, median(v));

    // GPU: slots sized to fit about 40 GiB of device memory and 24 GiB pinned.
    let dec_slot_dev = (k + 2 * (2 * k).next_power_of_two()) * s;
    let depth = (40 * GIB / dec_slot_dev)
        .clamp(1, 4)
        .min((24 * GIB / (2 * blob)).max(1));
    let blobs = (16 * GIB / blob).clamp(4 * depth, 256);

    let mut enc = coder
        .encode_batch(k, m, s, depth)
        .map_err(|e| format!("encode batch: {e}"))?;
    let mut ok = true;
    enc.run(
        depth,
        |_, buf| buf.copy_from_slice(&orig),
        |_, out| ok &= out == &rec[..],
    )
    .map_err(|e| format!("encode: {e}"))?;
    if !ok {
        return Err("GPU encode differs from the CPU codec".into());
    }
    let gpu_enc_kernel = gbps(
        blob,
        median(enc.time_device_only(reps + 2).map_err(|e| e.to_string())?),
    );
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        // The pinned inputs still hold the blob from the first run.
        enc.run(blobs, |_, _| {}, |_, _| {})
            .map_err(|e| format!("encode: {e}"))?;
        v.push(t.elapsed().as_secs_f64());
    }
    let gpu_enc_e2e = gbps(blob * blobs, median(v));
    drop(enc);

    let received: Vec<usize> = (lost..k + m).collect();
    let mut dec = coder
        .decode_batch(k, m, s, &received, depth)
        .map_err(|e| format!("decode batch: {e}"))?;
    let mut input = Vec::with_capacity((k + m - lost) * s);
    input.extend_from_slice(&orig[lost * s..]);
    input.extend_from_slice(&rec);
    let mut ok = true;
    dec.run(
        depth,
        |_, buf| buf.copy_from_slice(&input),
        |_, out| ok &= out == &orig[..lost * s],
    )
    .map_err(|e| format!("decode: {e}"))?;
    if !ok {
        return Err("GPU decode did not restore the originals".into());
    }
    let gpu_dec_kernel = gbps(
        blob,
        median(dec.time_device_only(reps + 2).map_err(|e| e.to_string())?),
    );
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        dec.run(blobs, |_, _| {}, |_, _| {})
            .map_err(|e| format!("decode: {e}"))?;
        v.push(t.elapsed().as_secs_f64());
    }
    let gpu_dec_e2e = gbps(blob * blobs, median(v));
    Ok(Row {
        k,
        s,
        cpu_enc,
        gpu_enc_kernel,
        gpu_enc_e2e,
        cpu_dec,
        gpu_dec_kernel,
        gpu_dec_e2e,
        depth,
        blobs,
    })
}

fn size_name(s: usize) -> String {
    if s >= MIB {
        format!("{} MiB", s / MIB)
    } else {
        format!("{} KiB", s / KIB)
    }
}

fn main() {
    let (ctx, info) = match kaizen_cuda::probe() {
        Ok(x) => x,
        Err(why) => {
            println!("skipped: no GPU here ({why})");
            return;
        }
    };
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let profile = args.iter().any(|a| a == "--profile");
    let coder = match GpuCoder::new(ctx.clone()) {
        Ok(c) => c,
        Err(e) => {
            println!("GPU coder failed: {e}");
            std::process::exit(1);
        }
    };
    if profile {
        // One blob each way, for a profiler.
        let (k, s) = (1024, 64 * KIB);
        let run = || -> Result<(), kaizen_cuda::GpuError> {
            let mut enc = coder.encode_batch(k, k, s, 1)?;
            enc.run(1, |_, b| random_fill(b, 1), |_, _| {})?;
            drop(enc);
            let received: Vec<usize> = (k..2 * k).collect();
            let mut dec = coder.decode_batch(k, k, s, &received, 1)?;
            dec.run(1, |_, b| random_fill(b, 2), |_, _| {})
        };
        if let Err(e) = run() {
            println!("profile run failed: {e}");
        }
        return;
    }
    if args.iter().any(|a| a == "--profile-old") {
        match bench_shape(&coder, 1024, 64 * KIB, 1) {
            Ok(r) => println!(
                "profile run 1024+1024 x 64 KiB: enc kernel {:.1} GB/s, dec kernel {:.1} GB/s",
                r.gpu_enc_kernel, r.gpu_dec_kernel
            ),
            Err(e) => println!("profile run failed: {e}"),
        }
        return;
    }
    let (free, total) = ctx.mem_get_info().unwrap_or((0, 0));
    println!(
        "device: {} ({:.1} GiB free of {:.1}); host: {} threads",
        info.name,
        free as f64 / GIB as f64,
        total as f64 / GIB as f64,
        threads()
    );
    let (d2d, h2d) = copy_limits(&ctx);
    println!("copy limits (1 GiB, median of 5): device-to-device {d2d:.1} GB/s, pinned host-to-device {h2d:.1} GB/s");
    let reps = 3;
    let mut rows = Vec::new();
    let shapes: &[(usize, usize)] = if quick {
        &[(32, 64 * KIB), (1024, 64 * KIB)]
    } else {
        &[
            (32, 64 * KIB),
            (32, MIB),
            (1024, 64 * KIB),
            (1024, MIB),
            (4096, 64 * KIB),
            (4096, MIB),
            (16384, 64 * KIB),
            (16384, MIB),
        ]
    };
    for &(k, s) in shapes {
        // Decode needs input + two work buffers of (2k).next_power_of_two() shards.
        let need = (k + 2 * (2 * k).next_power_of_two()) * s;
        if need > free * 9 / 10 {
            println!(
                "skipped {k}+{k} x {}: decode needs {:.0} GiB of device memory, {:.0} GiB free",
                size_name(s),
                need as f64 / GIB as f64,
                free as f64 / GIB as f64
            );
            continue;
        }
        let t = Instant::now();
        match bench_shape(&coder, k, s, reps) {
            Ok(r) => {
                println!(
                    "{k}+{k} x {}: done in {:.1} s (GPU output checked against the CPU codec)",
                    size_name(s),
                    t.elapsed().as_secs_f64()
                );
                rows.push(r)
            }
            Err(e) => println!("{k}+{k} x {}: FAILED: {e}", size_name(s)),
        }
    }
    println!();
    println!(
        "GB/s of original data, median of {reps} (kernel-only: of {}), {} CPU threads",
        reps + 2,
        threads()
    );
    println!();
    println!("| shards | shard | CPU enc | GPU enc kernel | GPU enc e2e | CPU dec | GPU dec kernel | GPU dec e2e | kernel/CPU enc, dec | e2e/H2D enc, dec | slots x blobs |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {}+{} | {} | {:.2} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {:.0}x, {:.0}x | {:.0}%, {:.0}% | {} x {} |",
            r.k,
            r.k,
            size_name(r.s),
            r.cpu_enc,
            r.gpu_enc_kernel,
            r.gpu_enc_e2e,
            r.cpu_dec,
            r.gpu_dec_kernel,
            r.gpu_dec_e2e,
            r.gpu_enc_kernel / r.cpu_enc,
            r.gpu_dec_kernel / r.cpu_dec,
            100.0 * r.gpu_enc_e2e / h2d,
            100.0 * r.gpu_dec_e2e / h2d,
            r.depth,
            r.blobs
        );
    }
    println!();
    println!("| copy | GB/s |");
    println!("|---|---:|");
    println!("| device to device | {d2d:.1} |");
    println!("| host (pinned) to device | {h2d:.1} |");
}
