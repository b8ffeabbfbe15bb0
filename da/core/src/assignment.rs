//! Who holds which shard, and the messages operators sign: shared by the chain (which
//! checks certificates and issues challenges), DA nodes and clients, so that all three
//! agree by construction.

use crate::commitment::Hash;

/// Domain of availability signatures.
const AVAILABILITY_DOMAIN: &[u8] = b"kaizen-da-availability/v1";
/// Domain of epoch-randomness (VRF) outputs.
const RANDOMNESS_DOMAIN: &[u8] = b"kaizen-da-randomness/v1";

fn framed(domain: &[u8], chain_id: &str, body: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + chain_id.len());
    out.extend_from_slice(domain);
    out.extend_from_slice(&(chain_id.len() as u64).to_be_bytes());
    out.extend_from_slice(chain_id.as_bytes());
    for part in body {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// What a DA operator signs when it stores its shards of a blob: `(chain_id,
/// commitment, epoch, paid_height)`, length-framed under a domain tag. The payment's
/// height ties the signatures to that one payment (no two payments of a commitment share
/// a height): a certificate collected for one payment cannot certify a later payment of
/// the same commitment with another shape, whose challenges its holders could not answer.
pub fn availability_message(
    chain_id: &str,
    commitment: &Hash,
    epoch: u64,
    paid_height: u64,
) -> Vec<u8> {
    framed(
        AVAILABILITY_DOMAIN,
        chain_id,
        &[commitment, &epoch.to_be_bytes(), &paid_height.to_be_bytes()],
    )
}

/// What an operator signs as its VRF output for `next_epoch`, given the seed of the
/// epoch before it. A BLS signature is unique for (key, message), so the output cannot
/// be ground; it is unknown to others until revealed.
pub fn randomness_message(chain_id: &str, next_epoch: u64, previous_seed: &[u8]) -> Vec<u8> {
    framed(
        RANDOMNESS_DOMAIN,
        chain_id,
        &[&next_epoch.to_be_bytes(), previous_seed],
    )
}

/// The rotation of a blob's shards over a quorum of `quorum_size`: the commitment's
/// first 8 bytes, big-endian, mod the quorum size.
pub fn rotation(commitment: &Hash, quorum_size: usize) -> usize {
    if quorum_size == 0 {
        return 0;
    }
    let mut first = [0u8; 8];
    first.copy_from_slice(&commitment[..8]);
    (u64::from_be_bytes(first) % quorum_size as u64) as usize
}

/// The quorum position holding shard `index`: `(index + rotation) % quorum_size`.
pub fn shard_holder(commitment: &Hash, index: usize, quorum_size: usize) -> Option<usize> {
    if quorum_size == 0 {
        return None;
    }
    Some((index % quorum_size + rotation(commitment, quorum_size)) % quorum_size)
}

/// The shard indexes (of `total`) that quorum position `position` holds, ascending.
pub fn shards_of(
    commitment: &Hash,
    position: usize,
    total: usize,
    quorum_size: usize,
) -> Vec<usize> {
    if quorum_size == 0 || position >= quorum_size {
        return Vec::new();
    }
    let rot = rotation(commitment, quorum_size);
    let first = (position + quorum_size - rot) % quorum_size;
    (first..total).step_by(quorum_size).collect()
}

/// How many of `total` shards quorum position `position` holds, in O(1).
pub fn shard_count_of(
    commitment: &Hash,
    position: usize,
    total: usize,
    quorum_size: usize,
) -> usize {
    if quorum_size == 0 || position >= quorum_size {
        return 0;
    }
    let rot = rotation(commitment, quorum_size);
    let first = (position + quorum_size - rot) % quorum_size;
    if first >= total {
        0
    } else {
        (total - first).div_ceil(quorum_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shard_has_exactly_one_holder_and_counts_agree() {
        for n in 1..10 {
            for total in [1usize, 2, 7, 16, 33] {
                let c: Hash = [(n as u8).wrapping_mul(37); 32];
                let mut seen = vec![0; total];
                for p in 0..n {
                    let mine = shards_of(&c, p, total, n);
                    assert_eq!(mine.len(), shard_count_of(&c, p, total, n));
                    for i in mine {
                        assert_eq!(shard_holder(&c, i, n), Some(p));
                        seen[i] += 1;
                    }
                }
                assert!(seen.iter().all(|&s| s == 1), "n={n} total={total}");
            }
        }
    }

    #[test]
    fn messages_are_framed_so_fields_cannot_slide() {
        let a = availability_message("ab", &[1; 32], 2, 7);
        let b = availability_message("a", &[1; 32], 2, 7);
        assert_ne!(a, b);
        // Another payment of the same commitment in the same epoch: another message.
        assert_ne!(a, availability_message("ab", &[1; 32], 2, 8));
        assert_ne!(
            randomness_message("x", 1, b"s"),
            randomness_message("x", 1, b"s2")
        );
    }
}
