//! Erasure coding: `k` original shards, `m` recovery shards, any `k` of them recover the
//! originals.
//!
//! The code is the one of `reed-solomon-simd` (Leopard-style Reed-Solomon over GF(2^16),
//! its shard layout). Every implementation of [`ErasureCoder`] must produce recovery
//! shards byte-identical to [`CpuCoder`]'s, so that a blob's commitment does not depend
//! on who encoded it.

use std::collections::BTreeMap;

/// Shard sizes are multiples of this (the codec's natural chunk: 32 GF(2^16) symbols).
pub const SHARD_ALIGN: usize = 64;
/// Most shards, original plus recovery, the codec supports.
pub const MAX_TOTAL_SHARDS: usize = 65536;

/// Why a coder refused its input or failed. The input variants are reported by every
/// coder (CPU and GPU) for exactly the same inputs, since all run [`check_encode`] /
/// [`check_reconstruct`] first.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("unsupported shard counts: {original} original + {recovery} recovery")]
    UnsupportedShardCount { original: usize, recovery: usize },
    #[error("shard size {0} is not a positive multiple of 64 bytes")]
    InvalidShardSize(usize),
    #[error("shard {index} has {got} bytes, the others {want}")]
    DifferentShardSize {
        index: usize,
        got: usize,
        want: usize,
    },
    #[error("shard index {index} is out of range for {total} shards")]
    InvalidShardIndex { index: usize, total: usize },
    #[error("{got} shards given, {need} needed")]
    NotEnoughShards { got: usize, need: usize },
    /// A failure of the coder itself (a library error, a device error), not of the input.
    #[error("{0}")]
    Codec(String),
}

impl From<reed_solomon_simd::Error> for CodecError {
    fn from(e: reed_solomon_simd::Error) -> Self {
        CodecError::Codec(e.to_string())
    }
}

/// An erasure coder. Indexes `0..k` are the originals, `k..k+m` the recovery shards.
pub trait ErasureCoder: Send + Sync {
    /// A name for logs (`cpu`, `cuda`).
    fn name(&self) -> &'static str;

    /// The `m` recovery shards of `originals` (all the same size, a multiple of 64).
    fn encode(
        &self,
        originals: &[&[u8]],
        recovery_count: usize,
    ) -> Result<Vec<Vec<u8>>, CodecError>;

    /// The `k` originals, from any `k` or more of the `k + m` shards, keyed by index.
    fn reconstruct(
        &self,
        original_count: usize,
        recovery_count: usize,
        shards: &BTreeMap<usize, Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, CodecError>;
}

/// Checks counts and sizes the way every coder must, so that all report the same errors.
/// It is also a consensus rule: `MsgPayForBlob` accepts only shapes that pass it.
pub fn check_shape(original: usize, recovery: usize, shard_bytes: usize) -> Result<(), CodecError> {
    if original == 0
        || recovery == 0
        || original + recovery > MAX_TOTAL_SHARDS
        || !reed_solomon_simd::ReedSolomonEncoder::supports(original, recovery)
    {
        return Err(CodecError::UnsupportedShardCount { original, recovery });
    }
    if shard_bytes == 0 || !shard_bytes.is_multiple_of(SHARD_ALIGN) {
        return Err(CodecError::InvalidShardSize(shard_bytes));
    }
    Ok(())
}

/// Validates an encoding request: shape, then each shard's size. Returns the shard size.
pub fn check_encode(originals: &[&[u8]], recovery_count: usize) -> Result<usize, CodecError> {
    let s = originals.first().map_or(0, |x| x.len());
    check_shape(originals.len(), recovery_count, s)?;
    for (index, o) in originals.iter().enumerate() {
        if o.len() != s {
            return Err(CodecError::DifferentShardSize {
                index,
                got: o.len(),
                want: s,
            });
        }
    }
    Ok(s)
}

/// Validates a reconstruction request: shape, then each shard's index and size in index
/// order, then the count. Returns the shard size.
pub fn check_reconstruct(
    k: usize,
    m: usize,
    shards: &BTreeMap<usize, Vec<u8>>,
) -> Result<usize, CodecError> {
    let shard_bytes = shards.values().next().map_or(0, Vec::len);
    check_shape(k, m, shard_bytes)?;
    for (&index, s) in shards {
        if index >= k + m {
            return Err(CodecError::InvalidShardIndex {
                index,
                total: k + m,
            });
        }
        if s.len() != shard_bytes {
            return Err(CodecError::DifferentShardSize {
                index,
                got: s.len(),
                want: shard_bytes,
            });
        }
    }
    if shards.len() < k {
        return Err(CodecError::NotEnoughShards {
            got: shards.len(),
            need: k,
        });
    }
    Ok(shard_bytes)
}

/// The CPU codec, `reed-solomon-simd`, striped over `threads` cores: the code works
/// column by column, so each thread encodes its own 64-byte-aligned byte range of every
/// shard, and the result is byte-identical to one thread's.
#[derive(Debug, Clone)]
pub struct CpuCoder {
    threads: usize,
}

impl Default for CpuCoder {
    fn default() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

impl CpuCoder {
    pub fn new(threads: usize) -> Self {
        Self {
            threads: threads.max(1),
        }
    }

    pub fn single_threaded() -> Self {
        Self::new(1)
    }

    /// Byte ranges of a shard, one per thread, each a multiple of 64 bytes.
    fn stripes(&self, shard_bytes: usize) -> Vec<(usize, usize)> {
        let chunks = shard_bytes / SHARD_ALIGN;
        let parts = self.threads.min(chunks).max(1);
        let per = chunks.div_ceil(parts);
        (0..parts)
            .map(|p| {
                (
                    p * per * SHARD_ALIGN,
                    ((p + 1) * per * SHARD_ALIGN).min(shard_bytes),
                )
            })
            .filter(|(a, b)| a < b)
            .collect()
    }
}

fn encode_range(
    originals: &[&[u8]],
    recovery_count: usize,
    a: usize,
    b: usize,
) -> Result<Vec<Vec<u8>>, CodecError> {
    let mut enc =
        reed_solomon_simd::ReedSolomonEncoder::new(originals.len(), recovery_count, b - a)?;
    for s in originals {
        enc.add_original_shard(&s[a..b])?;
    }
    let result = enc.encode()?;
    Ok(result.recovery_iter().map(<[u8]>::to_vec).collect())
}

fn decode_range(
    k: usize,
    m: usize,
    shards: &BTreeMap<usize, Vec<u8>>,
    a: usize,
    b: usize,
) -> Result<BTreeMap<usize, Vec<u8>>, CodecError> {
    let mut dec = reed_solomon_simd::ReedSolomonDecoder::new(k, m, b - a)?;
    for (&i, s) in shards {
        if i < k {
            dec.add_original_shard(i, &s[a..b])?;
        } else {
            dec.add_recovery_shard(i - k, &s[a..b])?;
        }
    }
    let result = dec.decode()?;
    Ok(result
        .restored_original_iter()
        .map(|(i, s)| (i, s.to_vec()))
        .collect())
}

impl ErasureCoder for CpuCoder {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn encode(
        &self,
        originals: &[&[u8]],
        recovery_count: usize,
    ) -> Result<Vec<Vec<u8>>, CodecError> {
        let shard_bytes = check_encode(originals, recovery_count)?;
        let stripes = self.stripes(shard_bytes);
        let parts: Vec<Result<Vec<Vec<u8>>, CodecError>> = if stripes.len() == 1 {
            vec![encode_range(originals, recovery_count, 0, shard_bytes)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = stripes
                    .iter()
                    .map(|&(a, b)| {
                        scope.spawn(move || encode_range(originals, recovery_count, a, b))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(CodecError::Codec("encoder thread panicked".into()))
                        })
                    })
                    .collect()
            })
        };
        let mut out = vec![Vec::with_capacity(shard_bytes); recovery_count];
        for part in parts {
            for (shard, piece) in out.iter_mut().zip(part?) {
                shard.extend_from_slice(&piece);
            }
        }
        Ok(out)
    }

    fn reconstruct(
        &self,
        k: usize,
        m: usize,
        shards: &BTreeMap<usize, Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, CodecError> {
        let shard_bytes = check_reconstruct(k, m, shards)?;
        let have_all = (0..k).all(|i| shards.contains_key(&i));
        let mut restored: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        if !have_all {
            let stripes = self.stripes(shard_bytes);
            let parts: Vec<Result<BTreeMap<usize, Vec<u8>>, CodecError>> =
                std::thread::scope(|scope| {
                    let handles: Vec<_> = stripes
                        .iter()
                        .map(|&(a, b)| scope.spawn(move || decode_range(k, m, shards, a, b)))
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| {
                            h.join().unwrap_or_else(|_| {
                                Err(CodecError::Codec("decoder thread panicked".into()))
                            })
                        })
                        .collect()
                });
            for part in parts {
                for (i, piece) in part? {
                    restored
                        .entry(i)
                        .or_insert_with(|| Vec::with_capacity(shard_bytes))
                        .extend_from_slice(&piece);
                }
            }
        }
        (0..k)
            .map(|i| {
                shards
                    .get(&i)
                    .cloned()
                    .or_else(|| restored.remove(&i))
                    .ok_or(CodecError::NotEnoughShards {
                        got: shards.len(),
                        need: k,
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shards(k: usize, size: usize, seed: u8) -> Vec<Vec<u8>> {
        (0..k)
            .map(|i| (0..size).map(|j| (i * 31 + j * 7) as u8 ^ seed).collect())
            .collect()
    }

    #[test]
    fn striped_encoding_is_byte_identical_to_one_thread() {
        let orig = shards(10, 64 * 37, 5);
        let refs: Vec<&[u8]> = orig.iter().map(Vec::as_slice).collect();
        let one = CpuCoder::single_threaded().encode(&refs, 6).unwrap();
        let many = CpuCoder::new(4).encode(&refs, 6).unwrap();
        assert_eq!(one, many);
        // And both equal the library's one-shot encoder.
        assert_eq!(one, reed_solomon_simd::encode(10, 6, &orig).unwrap());
    }

    #[test]
    fn any_k_shards_reconstruct_the_originals() {
        let (k, m) = (4, 3);
        let orig = shards(k, 128, 9);
        let refs: Vec<&[u8]> = orig.iter().map(Vec::as_slice).collect();
        let coder = CpuCoder::new(2);
        let rec = coder.encode(&refs, m).unwrap();
        let all: Vec<Vec<u8>> = orig.iter().chain(rec.iter()).cloned().collect();
        // Every subset of exactly k shards.
        for mask in 0u32..(1 << (k + m)) {
            if mask.count_ones() as usize != k {
                continue;
            }
            let given: BTreeMap<usize, Vec<u8>> = (0..k + m)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| (i, all[i].clone()))
                .collect();
            assert_eq!(
                coder.reconstruct(k, m, &given).unwrap(),
                orig,
                "mask {mask:b}"
            );
        }
    }

    #[test]
    fn bad_shapes_get_the_same_errors() {
        let c = CpuCoder::single_threaded();
        let s = vec![0u8; 64];
        assert!(matches!(
            c.encode(&[&s], 0),
            Err(CodecError::UnsupportedShardCount { .. })
        ));
        assert!(matches!(
            c.encode(&[&s[..63]], 1),
            Err(CodecError::InvalidShardSize(63))
        ));
        assert!(matches!(
            c.encode(&[&s, &s[..0]], 1),
            Err(CodecError::DifferentShardSize { .. })
        ));
        assert!(matches!(
            c.encode(&[], 1),
            Err(CodecError::UnsupportedShardCount { .. })
        ));
        let mut few = BTreeMap::new();
        few.insert(0, s.clone());
        assert!(matches!(
            c.reconstruct(2, 2, &few),
            Err(CodecError::NotEnoughShards { .. })
        ));
        few.insert(9, s.clone());
        assert!(matches!(
            c.reconstruct(2, 2, &few),
            Err(CodecError::InvalidShardIndex { .. })
        ));
        assert!(matches!(
            check_shape(40000, 30000, 64),
            Err(CodecError::UnsupportedShardCount { .. })
        ));
    }

    #[test]
    fn shard_counts_are_those_the_library_supports() {
        assert_eq!(
            check_shape(40000, 30000, 64),
            Err(CodecError::UnsupportedShardCount {
                original: 40000,
                recovery: 30000
            })
        );
        // Up to 65536 in all, and not every split of it.
        assert!(check_shape(32768, 32768, 64).is_ok());
        assert!(check_shape(40000, 25536, 64).is_err());
    }

    /// Bad input is refused with these errors by the CPU codec; the GPU coder runs the
    /// same checks ([`check_encode`], [`check_reconstruct`]) before any device work.
    #[test]
    fn bad_input_is_refused_with_the_codecs_errors() {
        use CodecError::*;
        let cpu = CpuCoder::new(2);
        let s = [0u8; 128];
        let encodes: Vec<(Vec<&[u8]>, usize, CodecError)> = vec![
            (
                vec![&s[..64]],
                0,
                UnsupportedShardCount {
                    original: 1,
                    recovery: 0,
                },
            ),
            (vec![&s[..63]], 1, InvalidShardSize(63)),
            (vec![&s[..0]], 1, InvalidShardSize(0)),
            (
                vec![&s[..64], &s[..0]],
                1,
                DifferentShardSize {
                    index: 1,
                    got: 0,
                    want: 64,
                },
            ),
            (
                vec![&s[..64], &s[..64], &s[..128]],
                2,
                DifferentShardSize {
                    index: 2,
                    got: 128,
                    want: 64,
                },
            ),
            (
                vec![],
                1,
                UnsupportedShardCount {
                    original: 0,
                    recovery: 1,
                },
            ),
        ];
        for (orig, m, want) in encodes {
            assert_eq!(cpu.encode(&orig, m).err(), Some(want.clone()));
            assert_eq!(check_encode(&orig, m).err(), Some(want));
        }
        type Case = (usize, usize, Vec<(usize, usize)>, CodecError);
        let cases: Vec<Case> = vec![
            (2, 2, vec![(0, 64)], NotEnoughShards { got: 1, need: 2 }),
            (
                2,
                2,
                vec![(0, 64), (9, 64)],
                InvalidShardIndex { index: 9, total: 4 },
            ),
            (
                2,
                2,
                vec![(0, 64), (1, 128)],
                DifferentShardSize {
                    index: 1,
                    got: 128,
                    want: 64,
                },
            ),
            (2, 2, vec![(0, 63), (1, 63)], InvalidShardSize(63)),
            (
                0,
                2,
                vec![(0, 64)],
                UnsupportedShardCount {
                    original: 0,
                    recovery: 2,
                },
            ),
            (2, 2, vec![], InvalidShardSize(0)),
        ];
        for (k, m, shards, want) in cases {
            let map: BTreeMap<usize, Vec<u8>> =
                shards.iter().map(|&(i, n)| (i, vec![0u8; n])).collect();
            assert_eq!(
                cpu.reconstruct(k, m, &map).err(),
                Some(want.clone()),
                "{k}+{m} {shards:?}"
            );
            assert_eq!(
                check_reconstruct(k, m, &map).err(),
                Some(want),
                "{k}+{m} {shards:?}"
            );
        }
    }
}
