//! Epoch starts: the next quorum and storage challenges, drawn from the epoch's seed
//! (`kaizen_staking::randomness`, drawn by `staking`'s begin-block just before).

use cnidarium::StateWrite;
use kaizen_da_core::assignment::shard_holder;
use kaizen_framework::{
    parse_amount, Address, BlockCtx, GasMeter, HandlerError, MeteredStateWrite,
};
use kaizen_proto::kaizen::da::v1::{BlobStatus, Challenge, ChallengeStatus, Quorum, QuorumMember};
use kaizen_staking::{
    randomness::EpochSeed, DaOperator, RandomnessRead, StakingRead, StakingWrite,
};
use sha2::{Digest, Sha256};

use crate::{
    events::{EventChallengeIssued, EventEpochStarted, EventRandomnessWithheld},
    state_key,
    view::{DaRead, DaWrite},
};

fn draw(seed: &[u8], what: &[u8], j: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed);
    h.update(what);
    h.update(j.to_be_bytes());
    h.finalize().into()
}

fn word(bytes: &[u8; 32], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_be_bytes(w)
}

/// Whether an operator may serve in a quorum.
fn is_active(op: &DaOperator, min_bond: u128) -> bool {
    !op.jailed && parse_amount(&op.bond).is_ok_and(|b| b >= min_bond)
}

/// The quorum of `epoch`: up to `max_size` active operators drawn one at a time from
/// the seed, each draw picking among those left with probability proportional to bond
/// (sampling without replacement). Weighting by bond means splitting a stake over many
/// minimum-bond registrations buys no more seats than the stake itself would (ranking by
/// a hash of the address, as before, gave every registration the same chance).
///
/// Work: `max_size` draws over at most `max_da_operators` operators (at most
/// 1024 x 4096). When every active operator fits, all get a seat, whatever their bond.
pub fn select_quorum(
    epoch: u64,
    seed: &[u8],
    operators: &[DaOperator],
    min_bond: u128,
    max_size: usize,
) -> Result<Quorum, HandlerError> {
    let mut pool: Vec<(u128, &DaOperator)> = Vec::new();
    let mut pool_bond: u128 = 0;
    for op in operators.iter().filter(|op| is_active(op, min_bond)) {
        let bond = parse_amount(&op.bond)?;
        pool_bond = pool_bond
            .checked_add(bond)
            .ok_or_else(|| HandlerError::internal("quorum bond overflows"))?;
        pool.push((bond, op));
    }
    let mut ranked = Vec::with_capacity(max_size.min(pool.len()));
    let mut j = 0u64;
    while ranked.len() < max_size && pool_bond > 0 {
        // A point in [0, pool_bond) from 128 bits of a draw (modulo bias below
        // pool_bond / 2^128: under 2^-28 even for a bond total of 2^100 ukzn).
        let d = draw(seed, b"quorum", j);
        let point = u128::from_be_bytes(d[..16].try_into().unwrap_or_default()) % pool_bond;
        let mut at = 0;
        let mut below: u128 = 0;
        for (i, (bond, _)) in pool.iter().enumerate() {
            below = below.saturating_add(*bond);
            if point < below {
                at = i;
                break;
            }
        }
        let (bond, op) = pool.remove(at);
        pool_bond = pool_bond.saturating_sub(bond);
        ranked.push(op);
        j = j.saturating_add(1);
    }
    let mut total: u128 = 0;
    let mut members = Vec::with_capacity(ranked.len());
    for op in ranked {
        let bond = parse_amount(&op.bond)?;
        total = total
            .checked_add(bond)
            .ok_or_else(|| HandlerError::internal("quorum bond overflows"))?;
        members.push(QuorumMember {
            operator: op.address.clone(),
            bls_public_key: op.bls_public_key.clone(),
            endpoint: op.endpoint.clone(),
            bond: op.bond.clone(),
        });
    }
    Ok(Quorum {
        epoch,
        seed: seed.to_vec(),
        members,
        total_bond: total.to_string(),
    })
}

/// Writes the quorum of `epoch` from `seed` and the registry as it stands.
pub async fn install_quorum<S: StateWrite>(
    state: &mut S,
    epoch: u64,
    seed: &[u8],
    contributions: u32,
) -> Result<Quorum, HandlerError> {
    let gas = GasMeter::unlimited();
    let staking = state.staking_params(&gas).await?;
    let params = state.da_params(&gas).await?;
    let operators = state.all_da_operators().await?;
    let quorum = select_quorum(
        epoch,
        seed,
        &operators,
        parse_amount(&staking.min_da_bond)?,
        params.max_quorum_size as usize,
    )?;
    state.put_proto_metered(&gas, state_key::quorum(epoch), &quorum)?;
    state.emit(
        &gas,
        &EventEpochStarted {
            epoch,
            seed: hex::encode(seed),
            quorum_size: quorum.members.len() as u32,
            randomness_contributions: contributions,
        },
    )?;
    Ok(quorum)
}

/// At the first block of an epoch: quorum and challenges from the epoch's seed.
pub async fn start_epoch<S: StateWrite>(
    state: &mut S,
    ctx: &BlockCtx,
    epoch: u64,
) -> Result<(), HandlerError> {
    let seed = state
        .epoch_seed(&GasMeter::unlimited(), epoch)
        .await?
        .ok_or_else(|| HandlerError::internal(format!("epoch {epoch} has no seed")))?;
    // Before the new quorum is drawn, so that a slashed bond already weighs less.
    slash_withheld_randomness(state, epoch, &seed).await?;
    install_quorum(state, epoch, &seed.seed, seed.contributions).await?;
    issue_challenges(state, ctx, epoch, &seed.seed).await
}

/// Slashes every member of the previous epoch's quorum whose VRF output is not among
/// the contributors of `seed` (the seed of `epoch`): each withheld output is a choice
/// between seeds, and this makes every such choice cost `randomness_miss_slash_ppm` of
/// a bond. A member jailed since could not send, and is already paying; it is left
/// alone. The work is bounded by the quorum size.
async fn slash_withheld_randomness<S: StateWrite>(
    state: &mut S,
    epoch: u64,
    seed: &EpochSeed,
) -> Result<(), HandlerError> {
    let gas = GasMeter::unlimited();
    let Some(previous) = epoch.checked_sub(1) else {
        return Ok(());
    };
    let Some(quorum) = state.quorum(&gas, previous).await? else {
        return Ok(());
    };
    let ppm = state.da_params(&gas).await?.randomness_miss_slash_ppm;
    for member in &quorum.members {
        if seed.contributors.contains(&member.operator) {
            continue;
        }
        let address: Address = member.operator.parse()?;
        let Some(mut op) = state.da_operator(&gas, &address).await? else {
            continue;
        };
        if op.jailed {
            continue;
        }
        let slashed = state.slash_bond(&gas, &mut op, ppm).await?;
        op.withheld_randomness = op.withheld_randomness.saturating_add(1);
        state.put_da_operator(&gas, &op)?;
        state.emit(
            &gas,
            &EventRandomnessWithheld {
                epoch: previous,
                operator: member.operator.clone(),
                slashed: slashed.to_string(),
            },
        )?;
    }
    Ok(())
}

/// Draws `challenges_per_epoch` challenges over the live (certified, unexpired) blobs.
async fn issue_challenges<S: StateWrite>(
    state: &mut S,
    ctx: &BlockCtx,
    epoch: u64,
    seed: &[u8],
) -> Result<(), HandlerError> {
    let gas = GasMeter::unlimited();
    let params = state.da_params(&gas).await?;
    let live = state.live_count(&gas).await?;
    if live == 0 {
        return Ok(());
    }
    for j in 0..u64::from(params.challenges_per_epoch) {
        let r = draw(seed, b"challenge", j);
        let Some(commitment) = state.live_at(&gas, word(&r, 0) % live).await? else {
            continue;
        };
        let Some(blob) = state.blob(&gas, &commitment).await? else {
            continue;
        };
        if blob.status != BlobStatus::Available as i32 {
            continue;
        }
        let Some(quorum) = state.quorum(&gas, blob.epoch).await? else {
            continue;
        };
        let n = quorum.members.len();
        let total = u64::from(blob.original_shards) + u64::from(blob.recovery_shards);
        if n == 0 || total == 0 {
            continue;
        }
        let Ok(commit): Result<[u8; 32], _> = commitment.as_slice().try_into() else {
            continue;
        };
        // The first shard from a random start whose holder signed the certificate: only
        // signers claimed to store. At most n steps reach every holder.
        let start = word(&r, 8) % total;
        let mut chosen = None;
        for step in 0..(n as u64).min(total) {
            let index = (start + step) % total;
            let Some(pos) = shard_holder(&commit, index as usize, n) else {
                continue;
            };
            let signed = blob
                .signer_bitmap
                .get(pos / 8)
                .is_some_and(|b| b & (1 << (pos % 8)) != 0);
            if signed {
                chosen = Some((index, pos));
                break;
            }
        }
        let Some((shard_index, pos)) = chosen else {
            continue;
        };
        let operator: Address = quorum.members[pos].operator.parse()?;
        match state.da_operator(&gas, &operator).await? {
            Some(op) if !op.jailed => {}
            _ => continue,
        }
        let segments = blob
            .shard_bytes
            .div_ceil(kaizen_da_core::SEGMENT_BYTES as u64)
            .max(1);
        let segment_index = word(&r, 16) % segments;
        let id = state.take_challenge_id(&gas).await?;
        let deadline = ctx.height.saturating_add(params.challenge_window_blocks);
        let challenge = Challenge {
            id,
            commitment: commitment.clone(),
            shard_index: shard_index as u32,
            segment_index: segment_index as u32,
            operator: operator.to_string(),
            epoch,
            issued_height: ctx.height,
            deadline_height: deadline,
            status: ChallengeStatus::Open as i32,
            reward: "0".into(),
        };
        state.put_challenge(&gas, &challenge)?;
        state.put_raw_metered(&gas, state_key::open_challenge(&operator, id), vec![])?;
        state.put_raw_metered(&gas, state_key::challenge_deadline(deadline, id), vec![])?;
        state.emit(
            &gas,
            &EventChallengeIssued {
                id,
                operator: challenge.operator.clone(),
                commitment: hex::encode(&commitment),
                shard_index: challenge.shard_index,
                segment_index: challenge.segment_index,
                deadline_height: deadline,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(addr: &str, bond: &str, jailed: bool) -> DaOperator {
        DaOperator {
            address: addr.into(),
            bond: bond.into(),
            jailed,
            ..Default::default()
        }
    }

    #[test]
    fn quorum_leaves_out_jailed_and_underbonded_operators_and_caps_the_size() {
        let ops = vec![
            op("a", "10", false),
            op("b", "10", true),
            op("c", "5", false),
            op("d", "10", false),
            op("e", "10", false),
        ];
        let q = select_quorum(3, b"seed", &ops, 10, 2).unwrap();
        assert_eq!(q.members.len(), 2);
        assert!(q
            .members
            .iter()
            .all(|m| m.operator != "b" && m.operator != "c"));
        assert_eq!(q.total_bond, "20");
        // Another seed, another order: the choice depends on the seed.
        let orders: std::collections::BTreeSet<Vec<String>> = (0..16u8)
            .map(|s| {
                select_quorum(1, &[s], &ops, 10, 3)
                    .unwrap()
                    .members
                    .into_iter()
                    .map(|m| m.operator)
                    .collect()
            })
            .collect();
        assert!(orders.len() > 1);
    }

    /// The attack: a party with a quarter of the bond splits it over 96 minimum-bond
    /// registrations next to 32 honest operators with the rest. Ranked by address hash
    /// it took about 3/4 of a 32-seat quorum; weighted by bond about a third.
    #[test]
    fn splitting_a_bond_over_many_registrations_buys_no_extra_quorum_seats() {
        let mut ops = Vec::new();
        for i in 0..32 {
            ops.push(op(&format!("honest{i:02}"), "3000", false));
        }
        for i in 0..96 {
            ops.push(op(&format!("sybil{i:02}"), "333", false));
        }
        let (mut sybil_seats, mut seats) = (0usize, 0usize);
        for s in 0..64u8 {
            let q = select_quorum(1, &[s], &ops, 1, 32).unwrap();
            seats += q.members.len();
            sybil_seats += q
                .members
                .iter()
                .filter(|m| m.operator.starts_with("sybil"))
                .count();
        }
        assert_eq!(seats, 64 * 32);
        // Bond share 96*333 / (96*333 + 32*3000) = 25%; without replacement about 34%
        // (once heavy operators are drawn the light ones gain): far from 75%.
        let share = sybil_seats * 100 / seats;
        assert!((20..40).contains(&share), "sybils took {share}% of seats");
    }

    #[test]
    fn a_heavier_bond_is_drawn_first_in_proportion() {
        let ops = vec![op("light", "1", false), op("heavy", "999", false)];
        let heavy_first = (0..200u8)
            .filter(|s| select_quorum(1, &[*s], &ops, 1, 1).unwrap().members[0].operator == "heavy")
            .count();
        assert!(heavy_first >= 190, "{heavy_first} of 200");
    }
}
