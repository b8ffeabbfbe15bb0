//! Blobs and their shards: a blob of `size` bytes becomes `k` original shards of equal
//! size (a multiple of 64 bytes, zero-padded), extended by `m` recovery shards.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::codec::{check_shape, CodecError, ErasureCoder, SHARD_ALIGN};
use crate::commitment::{BlobCommitment, Hash};

/// The codec name a [`BlobRef`] carries: Reed-Solomon over GF(2^16), `reed-solomon-simd`'s
/// layout, shards padded to 64 bytes.
pub const CODEC_RS16: &str = "rs16";
/// Largest blob a client or node accepts.
pub const MAX_BLOB_BYTES: u64 = 1 << 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureParams {
    pub k: usize,
    pub m: usize,
}

/// The bytes of each shard for a blob of `size` bytes cut into `k` shards.
pub fn shard_bytes(size: u64, k: usize) -> usize {
    let per = (size as usize).div_ceil(k.max(1)).max(1);
    per.div_ceil(SHARD_ALIGN) * SHARD_ALIGN
}

/// Cuts `blob` into `k` zero-padded original shards.
pub fn split(blob: &[u8], k: usize) -> Vec<Vec<u8>> {
    let size = shard_bytes(blob.len() as u64, k);
    (0..k)
        .map(|i| {
            let mut shard = vec![0u8; size];
            let start = (i * size).min(blob.len());
            let end = ((i + 1) * size).min(blob.len());
            shard[..end - start].copy_from_slice(&blob[start..end]);
            shard
        })
        .collect()
}

/// Joins original shards back into the blob of `size` bytes.
pub fn join(originals: &[Vec<u8>], size: u64) -> Result<Vec<u8>, CodecError> {
    let total: usize = originals.iter().map(Vec::len).sum();
    if (size as usize) > total {
        return Err(CodecError::NotEnoughShards {
            got: total,
            need: size as usize,
        });
    }
    let mut out = Vec::with_capacity(total);
    for s in originals {
        out.extend_from_slice(s);
    }
    out.truncate(size as usize);
    Ok(out)
}

/// A blob's name on chain: where it lives, what it commits to, and how it was coded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    pub partition: u32,
    pub commitment: Hash,
    pub size: u64,
    pub k: usize,
    pub m: usize,
    pub codec: String,
}

/// A blob encoded for dispersal: all `k + m` shards and their commitment.
#[derive(Debug, Clone)]
pub struct EncodedBlob {
    pub blob_ref: BlobRef,
    pub shards: Vec<Vec<u8>>,
    pub commitment: BlobCommitment,
}

/// Splits, encodes and commits to `blob`.
pub fn encode_blob(
    coder: &dyn ErasureCoder,
    partition: u32,
    blob: &[u8],
    params: ErasureParams,
) -> Result<EncodedBlob, CodecError> {
    if blob.len() as u64 > MAX_BLOB_BYTES {
        return Err(CodecError::Codec(format!(
            "blob of {} bytes is over the {MAX_BLOB_BYTES}-byte limit",
            blob.len()
        )));
    }
    check_shape(params.k, params.m, shard_bytes(blob.len() as u64, params.k))?;
    let mut shards = split(blob, params.k);
    let refs: Vec<&[u8]> = shards.iter().map(Vec::as_slice).collect();
    let recovery = coder.encode(&refs, params.m)?;
    shards.extend(recovery);
    let commitment = BlobCommitment::from_shards(&shards);
    Ok(EncodedBlob {
        blob_ref: BlobRef {
            partition,
            commitment: commitment.root,
            size: blob.len() as u64,
            k: params.k,
            m: params.m,
            codec: CODEC_RS16.into(),
        },
        shards,
        commitment,
    })
}

impl fmt::Display for BlobRef {
    /// `p<partition>/<commitment hex>/<size>/<k>+<m>/<codec>`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p{}/{}/{}/{}+{}/{}",
            self.partition,
            hex::encode(self.commitment),
            self.size,
            self.k,
            self.m,
            self.codec
        )
    }
}

impl FromStr for BlobRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let [p, c, size, km, codec] = parts.as_slice() else {
            return Err(format!(
                "{s:?}: want p<partition>/<commitment>/<size>/<k>+<m>/<codec>"
            ));
        };
        let partition = p
            .strip_prefix('p')
            .and_then(|x| x.parse().ok())
            .ok_or("bad partition")?;
        let bytes = hex::decode(c).map_err(|e| format!("commitment: {e}"))?;
        let commitment: Hash = bytes
            .try_into()
            .map_err(|_| "commitment is not 32 bytes".to_string())?;
        let size = size.parse().map_err(|_| "bad size".to_string())?;
        let (k, m) = km.split_once('+').ok_or("bad k+m")?;
        Ok(Self {
            partition,
            commitment,
            size,
            k: k.parse().map_err(|_| "bad k".to_string())?,
            m: m.parse().map_err(|_| "bad m".to_string())?,
            codec: codec.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::{codec::CpuCoder, commitment::verify_shard};

    fn roundtrip(blob: &[u8], k: usize, m: usize, lose: &[usize]) -> Vec<u8> {
        let coder = CpuCoder::default();
        let enc = encode_blob(&coder, 0, blob, ErasureParams { k, m }).unwrap();
        let given: BTreeMap<usize, Vec<u8>> = enc
            .shards
            .iter()
            .enumerate()
            .filter(|(i, _)| !lose.contains(i))
            .map(|(i, s)| (i, s.clone()))
            .collect();
        let originals = coder.reconstruct(k, m, &given).unwrap();
        let back = join(&originals, enc.blob_ref.size).unwrap();
        // The recovered shards match the commitment too.
        let again = encode_blob(&coder, 0, &back, ErasureParams { k, m }).unwrap();
        assert_eq!(again.blob_ref, enc.blob_ref);
        back
    }

    #[test]
    fn blobs_of_one_byte_and_odd_sizes_round_trip_with_m_shards_lost() {
        for size in [1usize, 63, 64, 65, 1000, 4097, 100_003] {
            let blob: Vec<u8> = (0..size).map(|i| (i * 13 + 7) as u8).collect();
            assert_eq!(roundtrip(&blob, 4, 2, &[]), blob);
            assert_eq!(roundtrip(&blob, 4, 2, &[0, 3]), blob, "size {size}");
            assert_eq!(roundtrip(&blob, 5, 3, &[1, 2, 6]), blob, "size {size}");
        }
    }

    #[test]
    fn a_corrupted_shard_fails_its_proof() {
        let blob = vec![42u8; 10_000];
        let enc =
            encode_blob(&CpuCoder::default(), 0, &blob, ErasureParams { k: 4, m: 4 }).unwrap();
        let p = enc.commitment.shard_proof(5).unwrap();
        assert!(verify_shard(&enc.blob_ref.commitment, &enc.shards[5], &p));
        let mut bad = enc.shards[5].clone();
        bad[100] ^= 1;
        assert!(!verify_shard(&enc.blob_ref.commitment, &bad, &p));
    }

    #[test]
    fn blob_refs_print_and_parse() {
        let enc = encode_blob(
            &CpuCoder::default(),
            3,
            b"hello",
            ErasureParams { k: 2, m: 2 },
        )
        .unwrap();
        let text = enc.blob_ref.to_string();
        assert!(text.starts_with("p3/"));
        assert_eq!(text.parse::<BlobRef>().unwrap(), enc.blob_ref);
        assert!("p3/zz/1/2+2/rs16".parse::<BlobRef>().is_err());
        assert!("nonsense".parse::<BlobRef>().is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn any_blob_survives_losing_any_m_shards(
            blob in prop::collection::vec(any::<u8>(), 1..5000),
            k in 1usize..8,
            m in 1usize..8,
            seed in any::<u64>(),
        ) {
            let total = k + m;
            let mut lose: Vec<usize> = (0..total).collect();
            // A seeded shuffle picks which m shards are lost.
            let mut x = seed | 1;
            for i in (1..total).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                lose.swap(i, (x % (i as u64 + 1)) as usize);
            }
            lose.truncate(m);
            prop_assert_eq!(roundtrip(&blob, k, m, &lose), blob);
        }
    }
}
