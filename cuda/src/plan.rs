//! The encoder's and decoder's step sequences, independent of where they run: the same
//! functions drive the GPU (coder.rs) and, in the tests below, a CPU emulation of every
//! kernel that is checked against `reed-solomon-simd` itself.
//!
//! This follows `reed-solomon-simd` 3.x (`rate/rate_high.rs`, `rate/rate_low.rs`,
//! `rate/rate_default.rs`): the same work-buffer positions, transforms, truncations and
//! skew offsets, so that the bytes produced are the same.

use reed_solomon_simd::engine::{GF_MODULUS, GF_ORDER};

/// Most layers one transform pass runs per load/store of the data (kernels exist for 1..=4).
pub(crate) const MAX_PASS_LAYERS: u32 = 4;

/// Work-buffer position marker: no shard goes there (zero it).
pub(crate) const NONE: u32 = u32::MAX;

/// The CPU codec's choice between its high-rate and low-rate algorithms
/// (`rate_default::use_high_rate`), for counts it supports.
pub(crate) fn use_high_rate(original: usize, recovery: usize) -> bool {
    let op = original.next_power_of_two();
    let rp = recovery.next_power_of_two();
    match op.cmp(&rp) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => original <= recovery,
    }
}

/// The layer split of a transform of `2^log_size` shards: (log2 of the smallest distance
/// in the pass, number of layers), in execution order (FFT: large distances first).
pub(crate) fn passes(log_size: u32, inverse: bool) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut lo = 0;
    while lo < log_size {
        let l = (log_size - lo).min(MAX_PASS_LAYERS);
        out.push((lo, l));
        lo += l;
    }
    if !inverse {
        out.reverse();
    }
    out
}

/// Which groups of a decoder transform may be skipped without changing any output that
/// is read afterwards (the encoder skips none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    None,
    /// IFFT: an aligned block of positions that received nothing is zero and stays zero.
    Unreceived,
    /// FFT: an aligned block that holds no missing original is never read.
    Unwanted,
}

/// What a device (or the CPU emulation) must provide. Positions are shard indexes in the
/// work buffer.
pub(crate) trait Exec {
    type Err;
    /// `nblk` independent (I)FFTs of `2^log_size` shards, transform `b` at positions
    /// `b << log_size ..`, skew offset `sd_base + b * sd_step`, outputs needed below
    /// `trunc - b << log_size` (capped at the size). With `skip`, a pass leaves out
    /// each group whose aligned block of positions `[r0, r0 + 2^(log_d + layers))` has
    /// no counted position (prefix counts: [`DecodePlan::received_prefix`] or
    /// [`DecodePlan::wanted_prefix`]).
    #[allow(clippy::too_many_arguments)]
    fn transform(
        &mut self,
        skip: Skip,
        inverse: bool,
        log_size: u32,
        nblk: usize,
        trunc: usize,
        sd_base: usize,
        sd_step: usize,
    ) -> Result<(), Self::Err>;
    /// `work[p] ^= work[b * chunk + p]` for `b` in `1..nblk`, `p < chunk`.
    fn xor_reduce(&mut self, chunk: usize, nblk: usize) -> Result<(), Self::Err>;
    /// `work[b * chunk + p] = work[p]` for `b` in `1..nblk`.
    fn broadcast(&mut self, chunk: usize, nblk: usize) -> Result<(), Self::Err>;
    /// The formal derivative over the first `2^log_n` shards.
    fn derivative(&mut self, log_n: u32) -> Result<(), Self::Err>;
}

/// Shards of work buffer the encoder needs for `k + m`.
pub(crate) fn encode_work_count(k: usize, m: usize) -> usize {
    if use_high_rate(k, m) {
        k.next_multiple_of(m.next_power_of_two())
    } else {
        m.next_multiple_of(k.next_power_of_two())
    }
}

/// Shards of work buffer the decoder needs for `k + m` (the same for every pattern).
pub(crate) fn decode_work_count(k: usize, m: usize) -> usize {
    if use_high_rate(k, m) {
        (m.next_power_of_two() + k).next_power_of_two()
    } else {
        (k.next_power_of_two() + m).next_power_of_two()
    }
}

/// Encodes in place: before, `work[0..k]` holds the originals and the rest of the
/// `encode_work_count` shards are zero; after, `work[0..m]` holds the recovery shards.
pub(crate) fn run_encode<E: Exec>(e: &mut E, k: usize, m: usize) -> Result<(), E::Err> {
    if use_high_rate(k, m) {
        let chunk = m.next_power_of_two();
        let log = chunk.trailing_zeros();
        let nblk = k.div_ceil(chunk);
        // Every chunk of originals: IFFT with the skew of its end, truncated at k.
        e.transform(Skip::None, true, log, nblk, k, chunk, chunk)?;
        if nblk > 1 {
            e.xor_reduce(chunk, nblk)?;
        }
        e.transform(Skip::None, false, log, 1, m, 0, 0)
    } else {
        let chunk = k.next_power_of_two();
        let log = chunk.trailing_zeros();
        let nblk = m.div_ceil(chunk);
        e.transform(Skip::None, true, log, 1, k, 0, 0)?;
        if nblk > 1 {
            e.broadcast(chunk, nblk)?;
        }
        e.transform(Skip::None, false, log, nblk, m, chunk, chunk)
    }
}

/// Everything the decoder needs for one erasure pattern.
#[derive(Debug, Clone)]
pub(crate) struct DecodePlan {
    pub work_count: usize,
    /// Where the transforms may stop (original end for high rate, recovery end for low).
    pub end: usize,
    /// Per work position: index of the received shard (in ascending global index order)
    /// that goes there, or [`NONE`].
    pub map: Vec<u32>,
    /// Per work position: the log factor received shards are multiplied by.
    pub factor: Vec<u16>,
    /// Missing originals, ascending: their indexes,
    pub missing: Vec<usize>,
    /// their work positions,
    pub missing_pos: Vec<u32>,
    /// and the log factors their outputs are multiplied by.
    pub missing_factor: Vec<u16>,
    /// `received_prefix[p]`: how many positions below `p` receive a shard (work_count + 1).
    pub received_prefix: Vec<u32>,
    /// `wanted_prefix[p]`: how many positions below `p` hold a missing original.
    pub wanted_prefix: Vec<u32>,
}

impl DecodePlan {
    /// `received`: ascending global shard indexes (`< k` original, `k..k+m` recovery),
    /// at least one original missing, counts supported.
    pub(crate) fn new(k: usize, m: usize, received: &[usize]) -> Self {
        let high = use_high_rate(k, m);
        let (original_base, recovery_base, end) = if high {
            let chunk = m.next_power_of_two();
            (chunk, 0, chunk + k)
        } else {
            let chunk = k.next_power_of_two();
            (0, chunk, chunk + m)
        };
        let work_count = end.next_power_of_two();
        debug_assert_eq!(work_count, decode_work_count(k, m));
        let pos_of = |i: usize| {
            if i < k {
                original_base + i
            } else {
                recovery_base + i - k
            }
        };
        let mut map = vec![NONE; work_count];
        for (q, &i) in received.iter().enumerate() {
            map[pos_of(i)] = q as u32;
        }
        // The erasure locator, as the CPU codec computes it: 1 at every position that
        // is not received (padding between the two ranges included, and after the end
        // for low rate), then evaluated with the FWHT.
        // (The low-rate decoder leaves the padding between originals and recovery at 0.)
        let mut erasures = Box::new([0u16; GF_ORDER]);
        for (p, e) in erasures.iter_mut().enumerate().take(end) {
            let padding = !high && p >= k && p < recovery_base;
            if map[p] == NONE && !padding {
                *e = 1;
            }
        }
        let truncated = if high {
            end
        } else {
            erasures[end..].fill(1);
            GF_ORDER
        };
        reed_solomon_simd::engine::utils::eval_poly(&mut erasures, truncated);
        let factor: Vec<u16> = (0..work_count).map(|p| erasures[p]).collect();
        let missing: Vec<usize> = (0..k).filter(|&i| map[pos_of(i)] == NONE).collect();
        let missing_pos = missing.iter().map(|&i| pos_of(i) as u32).collect();
        let missing_factor = missing
            .iter()
            .map(|&i| GF_MODULUS - erasures[pos_of(i)])
            .collect();
        let prefix = |count: &dyn Fn(usize) -> bool| {
            let mut v = Vec::with_capacity(work_count + 1);
            let mut n = 0u32;
            v.push(0);
            for p in 0..work_count {
                n += u32::from(count(p));
                v.push(n);
            }
            v
        };
        let received_prefix = prefix(&|p| map[p] != NONE);
        let wanted: Vec<bool> = {
            let mut w = vec![false; work_count];
            for &i in &missing {
                w[pos_of(i)] = true;
            }
            w
        };
        let wanted_prefix = prefix(&|p| wanted[p]);
        Self {
            received_prefix,
            wanted_prefix,
            work_count,
            end,
            map,
            factor,
            missing,
            missing_pos,
            missing_factor,
        }
    }
}

/// The decoder's transforms, between `scatter_scale` (received shards into the work
/// buffer, multiplied by `factor`, everything else zero) and `gather_scale` (missing
/// originals out, multiplied by `missing_factor`).
pub(crate) fn run_decode_core<E: Exec>(e: &mut E, plan: &DecodePlan) -> Result<(), E::Err> {
    let log = plan.work_count.trailing_zeros();
    e.transform(Skip::Unreceived, true, log, 1, plan.end, 0, 0)?;
    e.derivative(log)?;
    e.transform(Skip::Unwanted, false, log, 1, plan.end, 0, 0)
}

#[cfg(test)]
pub(crate) mod emu {
    //! A CPU emulation of each kernel, loop for loop, on the codec's byte layout.
    use super::*;
    use reed_solomon_simd::engine::tables;

    pub struct Emu {
        pub work: Vec<u8>,
        pub shard_bytes: usize,
        pub plan: Option<DecodePlan>,
    }

    fn get(w: &[u8], s: usize, pos: usize, sym: usize) -> u16 {
        let off = pos * s + (sym / 32) * 64 + sym % 32;
        u16::from(w[off]) | (u16::from(w[off + 32]) << 8)
    }

    fn set(w: &mut [u8], s: usize, pos: usize, sym: usize, v: u16) {
        let off = pos * s + (sym / 32) * 64 + sym % 32;
        w[off] = v as u8;
        w[off + 32] = (v >> 8) as u8;
    }

    pub fn mul(x: u16, log_m: u16) -> u16 {
        let lut = &tables::get_mul16()[usize::from(log_m)];
        lut[0][usize::from(x & 15)]
            ^ lut[1][usize::from((x >> 4) & 15)]
            ^ lut[2][usize::from((x >> 8) & 15)]
            ^ lut[3][usize::from(x >> 12)]
    }

    impl Emu {
        pub fn symbols(&self) -> usize {
            self.shard_bytes / 2
        }

        pub fn scatter_scale(&mut self, src: &[u8], plan: &DecodePlan) {
            let s = self.shard_bytes;
            for p in 0..plan.work_count {
                for sym in 0..self.symbols() {
                    let v = match plan.map[p] {
                        NONE => 0,
                        q => mul(get(src, s, q as usize, sym), plan.factor[p]),
                    };
                    set(&mut self.work, s, p, sym, v);
                }
            }
        }

        pub fn gather_scale(&self, plan: &DecodePlan) -> Vec<u8> {
            let s = self.shard_bytes;
            let mut out = vec![0u8; plan.missing.len() * s];
            for q in 0..plan.missing.len() {
                for sym in 0..self.symbols() {
                    let v = get(&self.work, s, plan.missing_pos[q] as usize, sym);
                    set(&mut out, s, q, sym, mul(v, plan.missing_factor[q]));
                }
            }
            out
        }
    }

    impl Exec for Emu {
        type Err = ();

        fn transform(
            &mut self,
            skip: Skip,
            inverse: bool,
            log_size: u32,
            nblk: usize,
            trunc: usize,
            sd_base: usize,
            sd_step: usize,
        ) -> Result<(), ()> {
            let prefix = match (&self.plan, skip) {
                (Some(p), Skip::Unreceived) => Some(p.received_prefix.clone()),
                (Some(p), Skip::Unwanted) => Some(p.wanted_prefix.clone()),
                _ => None,
            };
            let skew = tables::get_skew();
            let s = self.shard_bytes;
            let size = 1usize << log_size;
            for (log_d, l) in passes(log_size, inverse) {
                let groups = size >> l;
                for b in 0..nblk {
                    let start = b * size;
                    if start >= trunc {
                        continue;
                    }
                    let tb = (trunc - start).min(size);
                    let sd = sd_base + b * sd_step;
                    for gi in 0..groups {
                        let r0 = (gi >> log_d) << (log_d + l);
                        let o = gi & ((1 << log_d) - 1);
                        if r0 >= tb {
                            continue;
                        }
                        if let Some(pre) = &prefix {
                            let a = start + r0;
                            if pre[a + (1 << (log_d + l))] == pre[a] {
                                continue;
                            }
                        }
                        let base = start + r0 + o;
                        for sym in 0..self.symbols() {
                            let mut v: Vec<u16> = (0..1usize << l)
                                .map(|j| get(&self.work, s, base + (j << log_d), sym))
                                .collect();
                            for step in 0..l {
                                let ll = if inverse { step } else { l - 1 - step };
                                let dist = 1usize << (log_d + ll);
                                for j in 0..1usize << l {
                                    if j & (1 << ll) != 0 {
                                        continue;
                                    }
                                    let r = r0 + ((j >> (ll + 1)) << (log_d + ll + 1));
                                    if r >= tb {
                                        continue;
                                    }
                                    let log_m = skew[r + dist + sd - 1];
                                    let (mut a, mut c) = (v[j], v[j + (1 << ll)]);
                                    if inverse {
                                        c ^= a;
                                        if log_m != GF_MODULUS {
                                            a ^= mul(c, log_m);
                                        }
                                    } else {
                                        if log_m != GF_MODULUS {
                                            a ^= mul(c, log_m);
                                        }
                                        c ^= a;
                                    }
                                    v[j] = a;
                                    v[j + (1 << ll)] = c;
                                }
                            }
                            for (j, x) in v.into_iter().enumerate() {
                                set(&mut self.work, s, base + (j << log_d), sym, x);
                            }
                        }
                    }
                }
            }
            Ok(())
        }

        fn xor_reduce(&mut self, chunk: usize, nblk: usize) -> Result<(), ()> {
            let s = self.shard_bytes;
            for b in 1..nblk {
                for i in 0..chunk * s {
                    let x = self.work[b * chunk * s + i];
                    self.work[i] ^= x;
                }
            }
            Ok(())
        }

        fn broadcast(&mut self, chunk: usize, nblk: usize) -> Result<(), ()> {
            let n = chunk * self.shard_bytes;
            for b in 1..nblk {
                self.work.copy_within(0..n, b * n);
            }
            Ok(())
        }

        fn derivative(&mut self, log_n: u32) -> Result<(), ()> {
            let s = self.shard_bytes;
            let input = self.work.clone();
            for p in 0..1usize << log_n {
                for sym in 0..self.symbols() {
                    let mut acc = get(&input, s, p, sym);
                    for b in 0..log_n {
                        if p & (1 << b) == 0 {
                            acc ^= get(&input, s, p | (1 << b), sym);
                        }
                    }
                    set(&mut self.work, s, p, sym, acc);
                }
            }
            Ok(())
        }
    }

    pub fn encode(originals: &[Vec<u8>], m: usize) -> Vec<Vec<u8>> {
        let k = originals.len();
        let s = originals[0].len();
        let mut work = vec![0u8; encode_work_count(k, m) * s];
        for (i, o) in originals.iter().enumerate() {
            work[i * s..(i + 1) * s].copy_from_slice(o);
        }
        let mut e = Emu {
            work,
            shard_bytes: s,
            plan: None,
        };
        run_encode(&mut e, k, m).unwrap();
        (0..m)
            .map(|i| e.work[i * s..(i + 1) * s].to_vec())
            .collect()
    }

    /// The missing originals, ascending.
    pub fn decode(k: usize, m: usize, shards: &[(usize, Vec<u8>)]) -> Vec<(usize, Vec<u8>)> {
        let s = shards[0].1.len();
        let received: Vec<usize> = shards.iter().map(|(i, _)| *i).collect();
        let plan = DecodePlan::new(k, m, &received);
        let src: Vec<u8> = shards.iter().flat_map(|(_, d)| d.iter().copied()).collect();
        let mut e = Emu {
            work: vec![0u8; plan.work_count * s],
            shard_bytes: s,
            plan: Some(plan.clone()),
        };
        e.scatter_scale(&src, &plan);
        run_decode_core(&mut e, &plan).unwrap();
        let out = e.gather_scale(&plan);
        plan.missing
            .iter()
            .enumerate()
            .map(|(q, &i)| (i, out[q * s..(q + 1) * s].to_vec()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(k: usize, s: usize, seed: u64) -> Vec<Vec<u8>> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..k)
            .map(|_| {
                (0..s)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        x as u8
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn rate_choice_and_passes() {
        assert!(use_high_rate(3, 2));
        assert!(!use_high_rate(2, 5));
        assert!(use_high_rate(3, 4)); // equal powers of two, k <= m: high rate
        assert!(!use_high_rate(4, 3));
        assert_eq!(passes(0, true), vec![]);
        assert_eq!(passes(9, true), vec![(0, 4), (4, 4), (8, 1)]);
        assert_eq!(passes(9, false), vec![(8, 1), (4, 4), (0, 4)]);
    }

    #[test]
    fn emulated_kernels_encode_like_the_cpu_codec() {
        let shapes = [
            (1, 1),
            (1, 2),
            (2, 1),
            (3, 2),
            (2, 3),
            (3, 3),
            (3, 4),
            (4, 3),
            (5, 11),
            (11, 5),
            (1, 31),
            (31, 1),
            (17, 17),
            (33, 7),
            (7, 33),
            (64, 64),
            (100, 27),
            (27, 100),
            (200, 3),
            (3, 200),
        ];
        for (n, &(k, m)) in shapes.iter().enumerate() {
            let orig = data(k, 128, n as u64);
            let want = reed_solomon_simd::encode(k, m, &orig).unwrap();
            assert_eq!(emu::encode(&orig, m), want, "{k}+{m}");
        }
    }

    #[test]
    fn emulated_kernels_decode_like_the_cpu_codec() {
        for (k, m) in [
            (1, 1),
            (2, 2),
            (3, 2),
            (2, 3),
            (3, 4),
            (4, 3),
            (1, 4),
            (5, 2),
        ] {
            let orig = data(k, 64, (k * 10 + m) as u64);
            let rec = reed_solomon_simd::encode(k, m, &orig).unwrap();
            let all: Vec<Vec<u8>> = orig.iter().chain(rec.iter()).cloned().collect();
            for mask in 0u32..(1 << (k + m)) {
                if (mask.count_ones() as usize) < k || (0..k).all(|i| mask & (1 << i) != 0) {
                    continue;
                }
                let given: Vec<(usize, Vec<u8>)> = (0..k + m)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| (i, all[i].clone()))
                    .collect();
                for (i, shard) in emu::decode(k, m, &given) {
                    assert_eq!(shard, orig[i], "{k}+{m} mask {mask:b} shard {i}");
                }
            }
        }
        // Larger shapes, both rates, many missing.
        for (k, m) in [(40, 90), (90, 40), (64, 64), (300, 20)] {
            let orig = data(k, 64, 7);
            let rec = reed_solomon_simd::encode(k, m, &orig).unwrap();
            let given: Vec<(usize, Vec<u8>)> = (0..k + m)
                .filter(|i| i % 3 != 0 || *i >= k)
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
                .take(k)
                .collect();
            if given.len() < k {
                continue;
            }
            for (i, shard) in emu::decode(k, m, &given) {
                assert_eq!(shard, orig[i], "{k}+{m} shard {i}");
            }
        }
        // Few losses (most groups skipped) and clustered losses, both rates.
        for (k, m, lost) in [
            (1000, 200, vec![0, 17, 500, 999]),
            (200, 1000, vec![3, 150]),
            (300, 300, (0..40).collect::<Vec<_>>()),
            (300, 300, (200..300).chain(300..400).collect()),
            (700, 100, (0..100).map(|i| i * 7).collect()),
        ] {
            let orig = data(k, 64, 11);
            let rec = reed_solomon_simd::encode(k, m, &orig).unwrap();
            let given: Vec<(usize, Vec<u8>)> = (0..k + m)
                .filter(|i| !lost.contains(i))
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
            let out = emu::decode(k, m, &given);
            assert_eq!(out.len(), lost.iter().filter(|&&i| i < k).count());
            for (i, shard) in out {
                assert_eq!(shard, orig[i], "{k}+{m} shard {i}");
            }
        }
    }
}
