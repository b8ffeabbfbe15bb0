//! Committee draws: stake-weighted sampling without replacement, from a seed.
//!
//! The seed is the epoch seed of the block that opens the round (fed by the DA
//! operators' BLS VRF outputs, see `kaizen_staking::randomness`), hashed with the job id,
//! the round and the draw index. A submitter cannot choose its committee: the job id is
//! assigned in order by the chain, and the seed of the epoch is fixed before the round
//! starts. What remains (docs/bounty.md): a submitter that watches the seed could time
//! its reveal to land on a job id whose committee it likes, paying a submission fee per
//! try, and the committee is known once the round starts; the commit-reveal of
//! attestations is what keeps members from copying each other.

use sha2::{Digest, Sha256};

/// An evaluator that may be drawn, with its weight (its bond).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub address: String,
    pub weight: u128,
}

fn draw_word(seed: &[u8], job_id: u64, round: u32, j: u32) -> u128 {
    let mut h = Sha256::new();
    h.update(b"kaizen/attest/committee");
    h.update((seed.len() as u64).to_be_bytes());
    h.update(seed);
    h.update(job_id.to_be_bytes());
    h.update(round.to_be_bytes());
    h.update(j.to_be_bytes());
    let digest: [u8; 32] = h.finalize().into();
    let mut word = [0u8; 16];
    word.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(word)
}

/// Draws up to `size` distinct candidates; each draw picks among those left with
/// probability proportional to weight (the modulo bias of a 128-bit word over any real
/// total stake is below 2^-60). Zero-weight candidates are never drawn. The result is
/// sorted by address. `candidates` must be in a deterministic order (address order).
pub fn draw_committee(
    seed: &[u8],
    job_id: u64,
    round: u32,
    candidates: &[Candidate],
    size: usize,
) -> Vec<String> {
    let mut left: Vec<&Candidate> = candidates.iter().filter(|c| c.weight > 0).collect();
    let mut chosen = Vec::new();
    let mut j = 0u32;
    while chosen.len() < size && !left.is_empty() {
        let total: u128 = left.iter().fold(0u128, |a, c| a.saturating_add(c.weight));
        let mut r = draw_word(seed, job_id, round, j) % total.max(1);
        j = j.saturating_add(1);
        let mut pick = left.len() - 1;
        for (i, c) in left.iter().enumerate() {
            if r < c.weight {
                pick = i;
                break;
            }
            r -= c.weight;
        }
        chosen.push(left.remove(pick).address.clone());
    }
    chosen.sort();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands(weights: &[u128]) -> Vec<Candidate> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| Candidate {
                address: format!("ev{i:02}"),
                weight: *w,
            })
            .collect()
    }

    #[test]
    fn draws_are_distinct_deterministic_and_capped_by_the_candidates() {
        let c = cands(&[1, 1, 1, 1, 1]);
        let a = draw_committee(b"seed", 7, 0, &c, 3);
        assert_eq!(a.len(), 3);
        assert_eq!(a, draw_committee(b"seed", 7, 0, &c, 3));
        let mut dedup = a.clone();
        dedup.dedup();
        assert_eq!(dedup, a);
        assert_eq!(draw_committee(b"seed", 7, 0, &c, 9).len(), 5);
        assert!(draw_committee(b"seed", 7, 0, &[], 3).is_empty());
    }

    #[test]
    fn zero_weight_candidates_are_never_drawn() {
        let c = cands(&[0, 5, 0, 5]);
        for job in 0..50 {
            let a = draw_committee(b"s", job, 0, &c, 4);
            assert_eq!(a, vec!["ev01".to_string(), "ev03".to_string()]);
        }
    }

    #[test]
    fn heavier_stake_is_drawn_more_often() {
        let c = cands(&[1, 9]);
        let heavy = (0..2000)
            .filter(|job| draw_committee(b"s", *job, 0, &c, 1) == vec!["ev01".to_string()])
            .count();
        // Expect 1800 of 2000; allow a wide margin.
        assert!((1650..1950).contains(&heavy), "{heavy}");
    }

    #[test]
    fn another_round_or_seed_gives_another_committee() {
        let c = cands(&[1; 20]);
        let a = draw_committee(b"s", 1, 0, &c, 3);
        assert_ne!(a, draw_committee(b"s", 1, 1, &c, 3));
        assert_ne!(a, draw_committee(b"t", 1, 0, &c, 3));
    }
}
