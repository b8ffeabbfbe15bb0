//! Blob commitments: a Merkle tree (RFC 6962 shape, SHA-256, domain-separated leaves and
//! nodes) over the hashes of all `k + m` shards, where each shard's hash is itself the
//! root of a Merkle tree over its [`SEGMENT_BYTES`] segments. A shard is proven with one
//! path; a storage challenge is answered with one segment, its path to the shard hash,
//! and the shard's path to the commitment.
//!
//! SHA-256: with the SHA extensions of current x86 and ARM cores it hashes at memory-ish
//! speed (see `cargo bench -p kaizen-da --bench codec`), Cosmos light clients and ICS23
//! already speak it, and it needs no new dependency in consensus code.

use sha2::{Digest, Sha256};

/// Segment size of the inner trees: the unit a storage challenge asks for.
pub const SEGMENT_BYTES: usize = 1024;

pub type Hash = [u8; 32];

fn leaf(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Largest power of two strictly below `n` (n >= 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 Merkle tree hash over already-hashed leaves.
fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split_point(n);
            node(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

fn path_of(index: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if index < k {
        path_of(index, &leaves[..k], out);
        out.push(root_of(&leaves[k..]));
    } else {
        path_of(index - k, &leaves[k..], out);
        out.push(root_of(&leaves[..k]));
    }
}

/// The path of segment `index` to the hash of `shard` (for a storage challenge).
pub fn segment_path(shard: &[u8], index: usize) -> Option<Vec<Hash>> {
    let leaves = segment_leaves(shard);
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    path_of(index, &leaves, &mut path);
    Some(path)
}

/// Appends to `out[i]` the path of leaf `i` within `leaves`, bottom up.
fn all_paths(leaves: &[Hash], out: &mut [Vec<Hash>]) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    let (left, right) = leaves.split_at(k);
    let (out_left, out_right) = out.split_at_mut(k);
    all_paths(left, out_left);
    all_paths(right, out_right);
    let (lr, rr) = (root_of(left), root_of(right));
    out_left.iter_mut().for_each(|p| p.push(rr));
    out_right.iter_mut().for_each(|p| p.push(lr));
}

/// Checks an RFC 9162 inclusion proof of `leaf_hash` at `index` in a tree of `size`.
pub fn verify_path(
    index: usize,
    size: usize,
    leaf_hash: &Hash,
    path: &[Hash],
    root: &Hash,
) -> bool {
    root_from_path(index, size, leaf_hash, path).as_ref() == Some(root)
}

fn segment_leaves(shard: &[u8]) -> Vec<Hash> {
    if shard.is_empty() {
        return vec![leaf(&[])];
    }
    shard.chunks(SEGMENT_BYTES).map(leaf).collect()
}

/// The hash of one shard: the root over its segments.
pub fn shard_hash(shard: &[u8]) -> Hash {
    root_of(&segment_leaves(shard))
}

/// The commitment to a blob's `k + m` shards, and their hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobCommitment {
    pub root: Hash,
    pub shard_hashes: Vec<Hash>,
}

/// A shard's place in the commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardProof {
    pub index: usize,
    pub total: usize,
    pub path: Vec<Hash>,
}

/// One segment of a shard, proven against the commitment (a storage challenge's answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentProof {
    pub shard: ShardProof,
    pub segment_index: usize,
    pub segment_count: usize,
    pub path: Vec<Hash>,
}

impl BlobCommitment {
    /// Hashes every shard (in parallel) and builds the commitment.
    pub fn from_shards<S: AsRef<[u8]> + Sync>(shards: &[S]) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per = shards.len().div_ceil(threads).max(1);
        let shard_hashes: Vec<Hash> = std::thread::scope(|scope| {
            let handles: Vec<_> = shards
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|s| shard_hash(s.as_ref()))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        Self::from_shard_hashes(shard_hashes)
    }

    pub fn from_shard_hashes(shard_hashes: Vec<Hash>) -> Self {
        let leaves: Vec<Hash> = shard_hashes.iter().map(|h| leaf(h)).collect();
        Self {
            root: root_of(&leaves),
            shard_hashes,
        }
    }

    pub fn shard_proof(&self, index: usize) -> Option<ShardProof> {
        if index >= self.shard_hashes.len() {
            return None;
        }
        let leaves: Vec<Hash> = self.shard_hashes.iter().map(|h| leaf(h)).collect();
        let mut path = Vec::new();
        path_of(index, &leaves, &mut path);
        Some(ShardProof {
            index,
            total: leaves.len(),
            path,
        })
    }

    /// The Merkle path of every shard, in O(n log n) (one `shard_proof` call is O(n)).
    pub fn all_shard_paths(&self) -> Vec<Vec<Hash>> {
        let leaves: Vec<Hash> = self.shard_hashes.iter().map(|h| leaf(h)).collect();
        let mut out = vec![Vec::new(); leaves.len()];
        all_paths(&leaves, &mut out);
        out
    }

    pub fn segment_proof(
        &self,
        shard: &[u8],
        shard_index: usize,
        segment_index: usize,
    ) -> Option<SegmentProof> {
        let leaves = segment_leaves(shard);
        if segment_index >= leaves.len() {
            return None;
        }
        let mut path = Vec::new();
        path_of(segment_index, &leaves, &mut path);
        Some(SegmentProof {
            shard: self.shard_proof(shard_index)?,
            segment_index,
            segment_count: leaves.len(),
            path,
        })
    }
}

/// Whether `shard` is shard `proof.index` of the blob committed to by `root`.
pub fn verify_shard(root: &Hash, shard: &[u8], proof: &ShardProof) -> bool {
    verify_path(
        proof.index,
        proof.total,
        &leaf(&shard_hash(shard)),
        &proof.path,
        root,
    )
}

/// Whether `segment` is the claimed segment of the claimed shard under `root`.
pub fn verify_segment(root: &Hash, segment: &[u8], proof: &SegmentProof) -> bool {
    if segment.len() > SEGMENT_BYTES {
        return false;
    }
    // Rebuild the shard hash from the segment and its path, then place it in the blob.
    let seg_leaf = leaf(segment);
    let Some(shard_root) = root_from_path(
        proof.segment_index,
        proof.segment_count,
        &seg_leaf,
        &proof.path,
    ) else {
        return false;
    };
    verify_path(
        proof.shard.index,
        proof.shard.total,
        &leaf(&shard_root),
        &proof.shard.path,
        root,
    )
}

/// The root an inclusion path leads to (RFC 9162 §2.1.3.2, returning the root).
fn root_from_path(index: usize, size: usize, leaf_hash: &Hash, path: &[Hash]) -> Option<Hash> {
    if index >= size || path.len() > 64 {
        return None;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in path {
        if s == 0 {
            return None;
        }
        if f & 1 == 1 || f == s {
            r = node(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    (s == 0).then_some(r)
}

#[cfg(test)]
mod all_paths_tests {
    use super::*;

    #[test]
    fn all_shard_paths_equal_one_by_one_proofs() {
        for n in [1usize, 2, 3, 5, 8, 13] {
            let shards: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; 100]).collect();
            let c = BlobCommitment::from_shards(&shards);
            let all = c.all_shard_paths();
            for (i, path) in all.iter().enumerate() {
                assert_eq!(
                    Some(path),
                    c.shard_proof(i).map(|p| p.path).as_ref(),
                    "n={n} i={i}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shards(n: usize, size: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| (0..size).map(|j| (i ^ j) as u8).collect())
            .collect()
    }

    #[test]
    fn every_shard_proves_and_no_other_bytes_do() {
        for n in [1usize, 2, 3, 5, 8, 13, 64] {
            let s = shards(n, 3000);
            let c = BlobCommitment::from_shards(&s);
            for i in 0..n {
                let p = c.shard_proof(i).unwrap();
                assert!(verify_shard(&c.root, &s[i], &p), "n={n} i={i}");
                let mut bad = s[i].clone();
                bad[7] ^= 1;
                assert!(!verify_shard(&c.root, &bad, &p));
                if n > 1 {
                    let other = ShardProof {
                        index: (i + 1) % n,
                        ..p.clone()
                    };
                    assert!(!verify_shard(&c.root, &s[i], &other) || s[i] == s[(i + 1) % n]);
                }
            }
            assert!(c.shard_proof(n).is_none());
        }
    }

    #[test]
    fn segments_answer_challenges_and_forged_segments_fail() {
        let s = shards(6, SEGMENT_BYTES * 5 + 320);
        let c = BlobCommitment::from_shards(&s);
        for shard in 0..6 {
            for seg in 0..6 {
                let p = c.segment_proof(&s[shard], shard, seg).unwrap();
                let start = seg * SEGMENT_BYTES;
                let bytes = &s[shard][start..(start + SEGMENT_BYTES).min(s[shard].len())];
                assert!(verify_segment(&c.root, bytes, &p));
                let mut forged = bytes.to_vec();
                forged[0] ^= 0x80;
                assert!(!verify_segment(&c.root, &forged, &p));
            }
        }
        assert!(c.segment_proof(&s[0], 0, 6).is_none());
    }

    #[test]
    fn the_root_commits_to_order_and_count() {
        let s = shards(4, 100);
        let a = BlobCommitment::from_shards(&s);
        let mut swapped = s.clone();
        swapped.swap(1, 2);
        assert_ne!(a.root, BlobCommitment::from_shards(&swapped).root);
        assert_ne!(a.root, BlobCommitment::from_shards(&s[..3]).root);
    }
}
