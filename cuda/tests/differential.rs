//! The GPU coder against `reed-solomon-simd`, byte for byte: encode and reconstruct, for
//! many shapes (both the high-rate and the low-rate algorithm, counts that are not powers
//! of two, up to 32768 shards in all), shard sizes from 64 bytes to several MiB, every
//! erasure pattern of the small shapes, and the batched (multi-stream) API.
//!
//! GPU tests run only where `kaizen_cuda::probe()` finds a device; elsewhere each prints
//! why it was skipped and returns. The bad-input tests need no device and always run.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use kaizen_cuda::{GpuCoder, GpuError};
use kaizen_da_core::{codec::CodecError, CpuCoder, ErasureCoder};
use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};

fn coder(test: &str) -> Option<&'static GpuCoder> {
    static CODER: OnceLock<Result<GpuCoder, String>> = OnceLock::new();
    let c = CODER.get_or_init(|| match kaizen_cuda::probe() {
        Err(why) => Err(why),
        Ok((ctx, info)) => {
            println!("GPU: {}", info.name);
            // A device is present: failing to build the coder is a failure, not a skip.
            Ok(GpuCoder::new(ctx).expect("building the GPU coder"))
        }
    });
    match c {
        Ok(c) => Some(c),
        Err(why) => {
            println!("{test}: skipped: no GPU here ({why})");
            None
        }
    }
}

fn random_shards(rng: &mut StdRng, n: usize, size: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|_| {
            let mut v = vec![0u8; size];
            rng.fill_bytes(&mut v);
            v
        })
        .collect()
}

fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

/// CPU reference reconstruction: the k originals.
fn cpu_reconstruct(k: usize, m: usize, shards: &BTreeMap<usize, Vec<u8>>) -> Vec<Vec<u8>> {
    let originals = shards.iter().filter(|(i, _)| **i < k).map(|(i, s)| (*i, s));
    let recovery = shards
        .iter()
        .filter(|(i, _)| **i >= k)
        .map(|(i, s)| (*i - k, s));
    let restored = reed_solomon_simd::decode(k, m, originals, recovery).expect("CPU decode");
    (0..k)
        .map(|i| {
            shards
                .get(&i)
                .cloned()
                .or_else(|| restored.get(&i).cloned())
                .expect("every original")
        })
        .collect()
}

fn check_encode_shape(c: &GpuCoder, rng: &mut StdRng, k: usize, m: usize, size: usize) {
    let orig = random_shards(rng, k, size);
    let want = reed_solomon_simd::encode(k, m, &orig).expect("CPU encode");
    let got = c.encode(&refs(&orig), m).expect("GPU encode");
    assert!(got == want, "encode {k}+{m} x {size} B differs");
}

const SMALL_SHAPES: &[(usize, usize)] = &[
    (1, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (3, 2),
    (2, 3),
    (3, 3),
    (3, 4),
    (4, 3),
    (4, 4),
    (5, 11),
    (11, 5),
    (1, 31),
    (31, 1),
    (16, 16),
    (17, 17),
    (33, 7),
    (7, 33),
    (32, 32),
    (64, 64),
    (100, 27),
    (27, 100),
    (200, 3),
    (3, 200),
    (255, 257),
    (257, 255),
    (1000, 1),
    (1, 1000),
];

const LARGE_SHAPES: &[(usize, usize)] = &[
    (1024, 1024),
    (3000, 1000),
    (1000, 3000),
    (4097, 4095),
    (4095, 4097),
    (16384, 16384),
    (32000, 768),
    (768, 32000),
    (30000, 2768),
    (2768, 30000),
    (32767, 1),
    (1, 32767),
    (20000, 12768),
];

#[test]
fn encode_matches_cpu_small_shapes() {
    let Some(c) = coder("encode_matches_cpu_small_shapes") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(1);
    let mut n = 0;
    for &(k, m) in SMALL_SHAPES {
        for size in [64, 128, 640] {
            check_encode_shape(c, &mut rng, k, m, size);
            n += 1;
        }
    }
    println!("{n} shapes byte-identical");
}

#[test]
fn encode_matches_cpu_up_to_32768_shards() {
    let Some(c) = coder("encode_matches_cpu_up_to_32768_shards") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(2);
    for &(k, m) in LARGE_SHAPES {
        check_encode_shape(c, &mut rng, k, m, if k + m > 20000 { 64 } else { 192 });
    }
    println!("{} shapes byte-identical", LARGE_SHAPES.len());
}

#[test]
fn encode_matches_cpu_for_shard_sizes_up_to_several_mib() {
    let Some(c) = coder("encode_matches_cpu_for_shard_sizes_up_to_several_mib") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(3);
    let mut n = 0;
    for &(k, m) in &[(4, 4), (7, 3), (3, 7), (32, 32)] {
        for size in [64, 4096, 65536 + 64, 1 << 20, (4 << 20) + 192] {
            check_encode_shape(c, &mut rng, k, m, size);
            n += 1;
        }
    }
    check_encode_shape(c, &mut rng, 256, 256, 1 << 20);
    println!("{} shape/size pairs byte-identical", n + 1);
}

#[test]
fn reconstruct_matches_cpu_for_every_erasure_pattern_of_small_shapes() {
    let Some(c) = coder("reconstruct_matches_cpu_for_every_erasure_pattern_of_small_shapes") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(4);
    let mut patterns = 0;
    for total in 2..=9usize {
        for k in 1..total {
            let m = total - k;
            let size = if total <= 6 { 192 } else { 64 };
            let orig = random_shards(&mut rng, k, size);
            let rec = reed_solomon_simd::encode(k, m, &orig).expect("CPU encode");
            let all: Vec<Vec<u8>> = orig.iter().chain(rec.iter()).cloned().collect();
            for mask in 0u32..(1 << total) {
                if (mask.count_ones() as usize) < k {
                    continue;
                }
                let given: BTreeMap<usize, Vec<u8>> = (0..total)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| (i, all[i].clone()))
                    .collect();
                let got = c.reconstruct(k, m, &given).expect("GPU reconstruct");
                assert!(got == orig, "{k}+{m} mask {mask:b}");
                patterns += 1;
            }
        }
    }
    println!("{patterns} erasure patterns reconstructed byte-identically");
}

#[test]
fn reconstruct_matches_cpu_for_random_patterns_and_large_shapes() {
    let Some(c) = coder("reconstruct_matches_cpu_for_random_patterns_and_large_shapes") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(5);
    let mut cases = 0;
    let sized: Vec<(usize, usize, usize)> = SMALL_SHAPES
        .iter()
        .map(|&(k, m)| (k, m, 128))
        .chain(
            LARGE_SHAPES
                .iter()
                .map(|&(k, m)| (k, m, if k + m > 20000 { 64 } else { 128 })),
        )
        .chain([
            (4, 4, 1 << 20),
            (7, 3, (4 << 20) + 64),
            (3, 7, 3 << 20),
            (32, 32, 1 << 20),
        ])
        .collect();
    for (k, m, size) in sized {
        let orig = random_shards(&mut rng, k, size);
        let rec = reed_solomon_simd::encode(k, m, &orig).expect("CPU encode");
        for round in 0..3 {
            // Lose a random number of shards (at most m), at least one original.
            let mut idx: Vec<usize> = (0..k + m).collect();
            for i in (1..idx.len()).rev() {
                idx.swap(i, rng.gen_range(0..=i));
            }
            // Round 0: m lost; 1: a random number; 2: a single original.
            let lose = match round {
                0 => m,
                1 => rng.gen_range(1..=m),
                _ => 1,
            };
            let mut lost: Vec<usize> = idx[..lose].to_vec();
            if lost.iter().all(|&i| i >= k) {
                lost[0] = rng.gen_range(0..k);
            }
            let lost_set: BTreeSet<usize> = lost.iter().copied().collect();
            let given: BTreeMap<usize, Vec<u8>> = (0..k + m)
                .filter(|i| !lost_set.contains(i))
                .map(|i| {
                    (
                        i,
                        if i < k {
                            orig[i].clone()
                        } else {
                            rec[i - k].clone()
                        },
                    )
                })
                .collect();
            let got = c.reconstruct(k, m, &given).expect("GPU reconstruct");
            assert!(got == orig, "{k}+{m} x {size}: lost {lost:?}");
            cases += 1;
        }
    }
    println!("{cases} reconstructions byte-identical");
}

#[test]
fn reconstruct_of_inconsistent_shards_matches_cpu_too() {
    // Random bytes that are no codeword: the output is whatever the algorithm computes,
    // so equality with the CPU codec here checks that it is the same algorithm.
    let Some(c) = coder("reconstruct_of_inconsistent_shards_matches_cpu_too") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(6);
    let mut cases = 0;
    for &(k, m) in SMALL_SHAPES
        .iter()
        .chain(&[(3000, 1000), (1000, 3000), (4097, 4095)])
    {
        // Original 0 missing, the next k shards given.
        let given: BTreeMap<usize, Vec<u8>> = (1..k + m)
            .take(k)
            .map(|i| {
                let mut v = vec![0u8; 128];
                rng.fill_bytes(&mut v);
                (i, v)
            })
            .collect();
        if given.len() < k || (0..k).all(|i| given.contains_key(&i)) {
            continue;
        }
        let want = cpu_reconstruct(k, m, &given);
        let got = c.reconstruct(k, m, &given).expect("GPU reconstruct");
        assert!(got == want, "{k}+{m}");
        cases += 1;
    }
    assert!(cases > 10);
    println!("{cases} inconsistent inputs decoded identically");
}

#[test]
fn batched_encode_and_decode_match_cpu() {
    let Some(c) = coder("batched_encode_and_decode_match_cpu") else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(7);
    for &(k, m, size, depth, blobs) in &[
        (32, 32, 4096, 3, 7),
        (100, 27, 640, 2, 5),
        (27, 100, 640, 4, 9),
        (1024, 1024, 1024, 3, 4),
    ] {
        let data: Vec<Vec<Vec<u8>>> = (0..blobs)
            .map(|_| random_shards(&mut rng, k, size))
            .collect();
        let want: Vec<Vec<Vec<u8>>> = data
            .iter()
            .map(|o| reed_solomon_simd::encode(k, m, o).expect("CPU encode"))
            .collect();
        let mut got: Vec<Option<Vec<u8>>> = vec![None; blobs];
        let mut batch = c.encode_batch(k, m, size, depth).expect("encode batch");
        batch
            .run(
                blobs,
                |i, buf| {
                    for (j, s) in data[i].iter().enumerate() {
                        buf[j * size..(j + 1) * size].copy_from_slice(s);
                    }
                },
                |i, out| got[i] = Some(out.to_vec()),
            )
            .expect("batched encode");
        for i in 0..blobs {
            assert!(
                got[i].as_deref() == Some(&want[i].concat()[..]),
                "batched encode {k}+{m} blob {i}"
            );
        }
        // Decode: every blob lacks the same shards (the first min(k, m) originals... and
        // a recovery shard when there is room).
        let lost: Vec<usize> = (0..k.min(m)).collect();
        let received: Vec<usize> = (0..k + m).filter(|i| !lost.contains(i)).collect();
        let mut dec = c
            .decode_batch(k, m, size, &received, depth)
            .expect("decode batch");
        assert_eq!(dec.missing(), &lost[..]);
        let mut back: Vec<Option<Vec<u8>>> = vec![None; blobs];
        dec.run(
            blobs,
            |i, buf| {
                for (q, &j) in received.iter().enumerate() {
                    let s = if j < k { &data[i][j] } else { &want[i][j - k] };
                    buf[q * size..(q + 1) * size].copy_from_slice(s);
                }
            },
            |i, out| back[i] = Some(out.to_vec()),
        )
        .expect("batched decode");
        for i in 0..blobs {
            let expect: Vec<u8> = lost.iter().flat_map(|&j| data[i][j].clone()).collect();
            assert!(
                back[i].as_deref() == Some(&expect[..]),
                "batched decode {k}+{m} blob {i}"
            );
        }
    }
    // Kernel-only timing works (events with timing enabled).
    let mut batch = c.encode_batch(64, 64, 4096, 1).expect("encode batch");
    let t = batch.time_device_only(2).expect("timing");
    assert!(t.len() == 2 && t.iter().all(|x| *x > 0.0));
    let received: Vec<usize> = (1..128).collect();
    let mut dec = c
        .decode_batch(64, 64, 4096, &received, 1)
        .expect("decode batch");
    let t = dec.time_device_only(2).expect("timing");
    assert!(t.len() == 2 && t.iter().all(|x| *x > 0.0));
    println!("batched encode/decode byte-identical");
}

#[test]
fn too_little_device_memory_is_an_error() {
    let Some(c) = coder("too_little_device_memory_is_an_error") else {
        return;
    };
    // 16384 + 16384 shards of 16 MiB: 256 GiB of work buffer.
    match c.encode_batch(16384, 16384, 16 << 20, 1) {
        Err(GpuError::OutOfDeviceMemory { bytes }) => assert!(bytes > 0),
        Err(e) => panic!("expected OutOfDeviceMemory, got {e}"),
        Ok(_) => panic!("a 256 GiB allocation succeeded"),
    }
    // And the coder still works afterwards.
    let mut rng = StdRng::seed_from_u64(8);
    check_encode_shape(c, &mut rng, 5, 3, 640);
}

/// Validation comes before device work and is the DA core's (`kaizen_da_core::codec::
/// check_*`, whose cases are tested there): the GPU coder refuses bad input with the CPU
/// coder's own errors.
#[test]
fn bad_input_gets_the_cpu_codecs_errors() {
    let s = vec![0u8; 64];
    let mut few = BTreeMap::new();
    few.insert(0, s.clone());
    few.insert(9, s.clone());
    if let Some(c) = coder("bad_input_gets_the_cpu_codecs_errors (device half)") {
        let cpu = CpuCoder::new(1);
        assert_eq!(
            c.encode(&[&s[..63]], 1),
            Err(GpuError::Input(CodecError::InvalidShardSize(63)))
        );
        assert_eq!(
            c.encode(&[&s[..63]], 1).map_err(|e| e.to_string()),
            cpu.encode(&[&s[..63]], 1).map_err(|e| e.to_string())
        );
        assert_eq!(
            c.reconstruct(2, 2, &few),
            Err(GpuError::Input(CodecError::InvalidShardIndex {
                index: 9,
                total: 4
            }))
        );
    }
}
