//! GPU erasure coder vs the CPU codec (`reed-solomon-simd` on all cores, striped like
//! `kaizen_da_core::CpuCoder`), with the physical copy limits measured in the same run.
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

/// The CPU codec on every core, as fast as it goes: one `reed-solomon-simd` encoder and
/// decoder per thread, each on its own 64-byte-aligned stripe of every shard (as
/// `kaizen_da_core::CpuCoder`), created once and reused (`reset`), so that timed runs pay no
/// allocation or page faults; results stay in the coders' buffers unless asked for.
struct CpuPool {
    k: usize,
    m: usize,
    s: usize,
    stripes: Vec<(usize, usize)>,
    encs: Vec<reed_solomon_simd::ReedSolomonEncoder>,
    decs: Vec<reed_solomon_simd::ReedSolomonDecoder>,
}

impl CpuPool {
    fn new(k: usize, m: usize, s: usize) -> Self {
        let stripes = stripes(threads(), s);
        Self {
            k,
            m,
            s,
            encs: Vec::new(),
            decs: Vec::new(),
            stripes,
        }
    }

    /// Encodes on every core; with `out`, the recovery shards concatenated.
    fn encode(&mut self, orig: &[u8], out: Option<&mut [u8]>) {
        let (k, m, s) = (self.k, self.m, self.s);
        if self.encs.is_empty() {
            self.encs = self
                .stripes
                .iter()
                .map(|&(a, b)| {
                    reed_solomon_simd::ReedSolomonEncoder::new(k, m, b - a).expect("encoder")
                })
                .collect();
        }
        let parts: Vec<(usize, Option<Vec<Vec<u8>>>)> = std::thread::scope(|scope| {
            let want = out.is_some();
            let handles: Vec<_> = self
                .encs
                .iter_mut()
                .zip(&self.stripes)
                .map(|(enc, &(a, b))| {
                    scope.spawn(move || {
                        for i in 0..k {
                            enc.add_original_shard(&orig[i * s + a..i * s + b])
                                .expect("shard");
                        }
                        let r = enc.encode().expect("encode");
                        std::hint::black_box(r.recovery(0));
                        (
                            a,
                            want.then(|| r.recovery_iter().map(<[u8]>::to_vec).collect()),
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        if let Some(out) = out {
            for (a, pieces) in parts {
                for (j, p) in pieces.into_iter().flatten().enumerate() {
                    out[j * s + a..j * s + a + p.len()].copy_from_slice(&p);
                }
            }
        }
    }

    /// Decodes the first `min(k, m)` originals from the rest on every core; with `out`,
    /// the restored originals concatenated.
    fn decode(&mut self, orig: &[u8], rec: &[u8], out: Option<&mut [u8]>) {
        let (k, m, s) = (self.k, self.m, self.s);
        let lost = m.min(k);
        self.encs.clear();
        if self.decs.is_empty() {
            self.decs = self
                .stripes
                .iter()
                .map(|&(a, b)| {
                    reed_solomon_simd::ReedSolomonDecoder::new(k, m, b - a).expect("decoder")
                })
                .collect();
        }
        type Part = (usize, Option<Vec<(usize, Vec<u8>)>>);
        let parts: Vec<Part> = std::thread::scope(|scope| {
            let want = out.is_some();
            let handles: Vec<_> = self
                .decs
                .iter_mut()
                .zip(&self.stripes)
                .map(|(dec, &(a, b))| {
                    scope.spawn(move || {
                        for i in lost..k {
                            dec.add_original_shard(i, &orig[i * s + a..i * s + b])
                                .expect("shard");
                        }
                        for j in 0..m {
                            dec.add_recovery_shard(j, &rec[j * s + a..j * s + b])
                                .expect("shard");
                        }
                        let r = dec.decode().expect("decode");
                        std::hint::black_box(r.restored_original(0));
                        (
                            a,
                            want.then(|| {
                                r.restored_original_iter()
                                    .map(|(i, d)| (i, d.to_vec()))
                                    .collect()
                            }),
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        if let Some(out) = out {
            for (a, pieces) in parts {
                for (i, p) in pieces.into_iter().flatten() {
                    out[i * s + a..i * s + a + p.len()].copy_from_slice(&p);
                }
            }
        }
    }
}

fn gbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e9
}

fn copy_limits(ctx: &std::sync::Arc<cudarc::driver::CudaContext>) -> (f64, f64, f64) {
    let run = || -> Result<(f64, f64, f64), Box<dyn std::error::Error>> {
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
        // Both directions at once (what a pipelined encode or decode does): 1 GiB each
        // way on two streams, wall clock; GB/s per direction.
        let other = ctx.new_stream()?;
        // SAFETY: filled below before use.
        let mut pinned2 = unsafe { ctx.alloc_pinned_with_flags::<u8>(GIB, 0)? };
        pinned2.as_mut_slice()?.fill(7);
        let mut v = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            stream.memcpy_htod(&pinned, &mut dst)?;
            other.memcpy_dtoh(&src, &mut pinned2)?;
            stream.synchronize()?;
            other.synchronize()?;
            v.push(t.elapsed().as_secs_f64());
        }
        let both = gbps(GIB, median(v));
        println!("pinned host-to-device and device-to-host at once: {both:.1} GB/s each way");
        Ok((d2d, h2d, d2h))
    };
    run().unwrap_or_else(|e| {
        println!("copy limits failed: {e}");
        (f64::NAN, f64::NAN, f64::NAN)
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
    depth: (usize, usize),
    blobs: (usize, usize),
}

fn bench_shape(
    coder: &GpuCoder,
    k: usize,
    s: usize,
    reps: usize,
    dev_budget: usize,
) -> Result<Row, String> {
    let m = k;
    let blob = k * s;
    let lost = m.min(k);
    let mut orig = vec![0u8; blob];
    random_fill(&mut orig, (k * 31 + s) as u64);

    // CPU, all cores, reused coders; one untimed run first (reference output, warm-up).
    let mut cpu = CpuPool::new(k, m, s);
    let mut rec = vec![0u8; m * s];
    cpu.encode(&orig, Some(&mut rec));
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        cpu.encode(&orig, None);
        v.push(t.elapsed().as_secs_f64());
    }
    let cpu_enc = gbps(blob, median(v));
    let mut restored = vec![0u8; lost * s];
    cpu.decode(&orig, &rec, Some(&mut restored));
    if restored[..] != orig[..lost * s] {
        return Err("CPU decode did not restore the originals".into());
    }
    drop(restored);
    let mut v = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        cpu.decode(&orig, &rec, None);
        v.push(t.elapsed().as_secs_f64());
    }
    let cpu_dec = gbps(blob, median(v));
    drop(cpu);

    // GPU: as many slots (blobs in flight, up to 4) as fit in `dev_budget` of device
    // memory and 32 GiB of pinned host memory; at least 32 GiB of blobs per timed run.
    let enc_slot_dev = kaizen_cuda::encode_work_bytes(k, m, s);
    let dec_slot_dev = kaizen_cuda::decode_work_bytes(k, m, k + m - lost, s);
    let fit = |dev: usize, host: usize| (dev_budget / dev).min(32 * GIB / host).clamp(1, 4);
    let enc_depth = fit(enc_slot_dev, (k + m) * s);
    let dec_depth = fit(dec_slot_dev, (k + m) * s);
    let blobs = |depth: usize| (32 * GIB / blob).clamp(4 * depth, 256);
    let depth = (enc_depth, dec_depth);

    let mut enc = coder
        .encode_batch(k, m, s, enc_depth)
        .map_err(|e| format!("encode batch: {e}"))?;
    let mut ok = true;
    enc.run(
        enc_depth,
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
        enc.run(blobs(enc_depth), |_, _| {}, |_, _| {})
            .map_err(|e| format!("encode: {e}"))?;
        v.push(t.elapsed().as_secs_f64());
    }
    let gpu_enc_e2e = gbps(blob * blobs(enc_depth), median(v));
    drop(enc);

    let received: Vec<usize> = (lost..k + m).collect();
    let mut dec = coder
        .decode_batch(k, m, s, &received, dec_depth)
        .map_err(|e| format!("decode batch: {e}"))?;
    let mut input = Vec::with_capacity((k + m - lost) * s);
    input.extend_from_slice(&orig[lost * s..]);
    input.extend_from_slice(&rec);
    let mut ok = true;
    dec.run(
        dec_depth,
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
        dec.run(blobs(dec_depth), |_, _| {}, |_, _| {})
            .map_err(|e| format!("decode: {e}"))?;
        v.push(t.elapsed().as_secs_f64());
    }
    let gpu_dec_e2e = gbps(blob * blobs(dec_depth), median(v));
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
        blobs: (blobs(enc_depth), blobs(dec_depth)),
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
        // One blob each way, for a profiler: `--profile [K [SHARD_KIB]]` (k = m).
        let pos = args.iter().position(|a| a == "--profile").unwrap_or(0);
        let num = |i: usize, default: usize| {
            args.get(pos + i)
                .and_then(|a| a.parse().ok())
                .unwrap_or(default)
        };
        let (k, s) = (num(1, 1024), num(2, 64) * KIB);
        let run = || -> Result<(), kaizen_cuda::GpuError> {
            let mut enc = coder.encode_batch(k, k, s, 1)?;
            enc.run(1, |_, b| random_fill(b, 1), |_, _| {})?;
            drop(enc);
            let received: Vec<usize> = (k..2 * k).collect();
            let mut dec = coder.decode_batch(k, k, s, &received, 1)?;
            dec.run(1, |_, b| random_fill(b, 2), |_, _| {})
        };
        match run() {
            Ok(()) => println!("profile run {k}+{k} x {}: done", size_name(s)),
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
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    println!("host CPU: {cpu_model}");
    let (d2d, h2d, d2h) = copy_limits(&ctx);
    println!(
        "copy limits (1 GiB, median of 5): device-to-device {d2d:.1} GB/s, pinned \
         host-to-device {h2d:.1} GB/s, device-to-pinned-host {d2h:.1} GB/s"
    );
    let reps = 3;
    let mut rows = Vec::new();
    let shapes: &[(usize, usize)] = if quick {
        &[(1024, 64 * KIB), (1024, MIB)]
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
    // Device memory the bench may use: all that is free but 4 GiB.
    let dev_budget = free.saturating_sub(4 * GIB);
    for &(k, s) in shapes {
        let (m, lost) = (k, k);
        let need = kaizen_cuda::decode_work_bytes(k, m, k + m - lost, s);
        if need > dev_budget {
            println!(
                "skipped {k}+{k} x {}: one decode needs {:.0} GiB of device memory (input and \
                 two work buffers of {} shards), {:.0} GiB free",
                size_name(s),
                need as f64 / GIB as f64,
                need / s - k,
                free as f64 / GIB as f64
            );
            continue;
        }
        let t = Instant::now();
        match bench_shape(&coder, k, s, reps, dev_budget) {
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
    println!("| shards | shard | CPU enc | GPU enc kernel | GPU enc e2e | CPU dec | GPU dec kernel | GPU dec e2e | kernel/CPU enc, dec | e2e/H2D enc, dec | slots x blobs enc, dec |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {}+{} | {} | {:.2} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {:.0}x, {:.0}x | {:.0}%, {:.0}% | {} x {}, {} x {} |",
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
            r.depth.0,
            r.blobs.0,
            r.depth.1,
            r.blobs.1
        );
    }
    println!();
    println!("| copy | GB/s |");
    println!("|---|---:|");
    println!("| device to device | {d2d:.1} |");
    println!("| host (pinned) to device | {h2d:.1} |");
    println!("| device to host (pinned) | {d2h:.1} |");
}
