//! Erasure coding: `k` original shards, `m` recovery shards, any `k` of them recover the
//! originals.
//!
//! The code is the one of `reed-solomon-simd` (Leopard-style Reed-Solomon over GF(2^16),
//! its shard layout). Every implementation of [`ErasureCoder`] must produce recovery
//! shards byte-identical to [`CpuCoder`]'s, so that a blob's commitment does not depend
//! on who encoded it.

use std::collections::BTreeMap;

/// Shard sizes are multiples of `SHARD_ALIGN` (the codec's natural chunk: 32 GF(2^16)
/// symbols); at most `MAX_TOTAL_SHARDS` shards, original plus recovery. The rules live
/// with the input checks in `kaizen_cuda`, which every coder runs, so that the CPU and
/// GPU coders refuse the same inputs with the same errors.
pub use kaizen_cuda::{MAX_TOTAL_SHARDS, SHARD_ALIGN};

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
pub fn check_shape(original: usize, recovery: usize, shard_bytes: usize) -> Result<(), CodecError> {
    kaizen_cuda::check_shape(original, recovery, shard_bytes).map_err(CodecError::from)
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
        let shard_bytes = kaizen_cuda::check_encode(originals, recovery_count)?;
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
        let shard_bytes = kaizen_cuda::check_reconstruct(k, m, shards)?;
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
}
