//! Verdicts, expiries, deadlines and the money that moves when a bounty closes.
//!
//! Every amount here is integer ukzn and conserved exactly: at a win the escrow pays
//! `reward * submitter_share_ppm / 10^6` (rounded down) to the submitter and the rest to
//! the agreeing committee members of the winning job, evenly, the remainder of that
//! division to the submitter. At a refund the escrow pays the reward back to the
//! sponsor. Either way, fees of commitments still waiting for their reveal go back to
//! their submitters, and forfeited fees (commitments never revealed) are burned: paid to
//! the sponsor, they made filling a bounty's submission slots free for the sponsor.
//!
//! Settlement reads only a bounty's live submissions (`Bounty.live_submissions`): the
//! commits waiting for a reveal, the evaluations under way and the one leader. The
//! others cannot change a decision, so they leave the live set (and free their slot)
//! the moment their fate is known.

use cnidarium::StateWrite;
use kaizen_bank::BankWrite;
use kaizen_framework::{
    parse_amount, Address, Coins, GasMeter, HandlerError, MeteredStateWrite, NATIVE_DENOM,
};
use kaizen_proto::kaizen::{
    attest::v1::{EvaluationJob, JobKind, JobStatus},
    bounty::v1::{
        Bounty, BountyMode, BountyStatus, Model, RoyaltyShare, Submission, SubmissionStatus,
    },
};

use crate::{
    bounty_escrow,
    events::{EventBountyClosed, EventBountyOpened, EventBountySettled, EventSubmissionScored},
    metric::{better, reaches},
    state_key,
    view::{BountyRead, BountyWrite},
    NO_QUORUM_FAILURE,
};

/// Most royalty beneficiaries a model carries along its lineage.
pub const MAX_LINEAGE: usize = 16;

async fn pay<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    to: &Address,
    amount: u128,
) -> Result<(), HandlerError> {
    if amount == 0 {
        return Ok(());
    }
    state
        .send(
            gas,
            &bounty_escrow(),
            to,
            &Coins::single(NATIVE_DENOM, amount),
        )
        .await
}

/// Closes a bounty without a winner (`Cancelled`, `Refunded`, `BaselineFailed`).
pub async fn close_with_refund<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty: &mut Bounty,
    status: BountyStatus,
    height: u64,
) -> Result<(), HandlerError> {
    let refund = parse_amount(&bounty.reward)?;
    pay(state, gas, &bounty.sponsor.parse()?, refund).await?;
    release_live(state, gas, bounty, height).await?;
    burn_forfeited(state, gas, bounty).await?;
    bounty.status = status as i32;
    bounty.closed_height = height;
    state.put_bounty(gas, bounty)?;
    state.emit(
        gas,
        &EventBountyClosed {
            bounty_id: bounty.id,
            status: match status {
                BountyStatus::Cancelled => "cancelled",
                BountyStatus::BaselineFailed => "baseline_failed",
                _ => "refunded",
            }
            .into(),
            refunded: refund.to_string(),
        },
    )
}

/// Burns the fees of the bounty's commitments that were never revealed (held in escrow
/// until the bounty closes).
async fn burn_forfeited<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty: &Bounty,
) -> Result<(), HandlerError> {
    let forfeited = parse_amount(&bounty.forfeited_fees)?;
    if forfeited == 0 {
        return Ok(());
    }
    state
        .burn(
            gas,
            &bounty_escrow(),
            &Coins::single(NATIVE_DENOM, forfeited),
        )
        .await
}

/// At close, the live set empties (the caller stores `bounty`, then burns what is
/// forfeited). Commitments still inside their reveal window get their fee back: they
/// never had the chance to be evaluated; one whose window ended (its expiry waiting for
/// a later block's budget) is forfeited as it would have been. Evaluations under way
/// finish; their verdicts are recorded but decide nothing.
async fn release_live<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty: &mut Bounty,
    height: u64,
) -> Result<(), HandlerError> {
    let fee = parse_amount(&bounty.submission_fee)?;
    for mut sub in state.live_submissions(gas, bounty.id).await? {
        if sub.status != SubmissionStatus::Committed as i32 {
            state.leave_live(gas, bounty, sub.id).await?;
            continue;
        }
        if height >= sub.reveal_deadline_height {
            forfeit(state, gas, bounty, sub).await?;
            continue;
        }
        state.leave_live(gas, bounty, sub.id).await?;
        pay(state, gas, &sub.submitter.parse()?, fee).await?;
        settle_expiry(state, gas, &mut sub)?;
        emit_scored(state, gas, &sub, "expired")?;
    }
    Ok(())
}

fn emit_scored<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    sub: &Submission,
    status: &str,
) -> Result<(), HandlerError> {
    state.emit(
        gas,
        &EventSubmissionScored {
            bounty_id: sub.bounty_id,
            submission_id: sub.id,
            status: status.into(),
            score_ppm: sub.score_ppm,
            failure_code: sub.failure_code,
            beats_target: sub.beats_target,
        },
    )
}

/// A submission's reveal window ended without a reveal: its fee is forfeited (burned when
/// the bounty closes). Returns the bounty to re-decide.
pub async fn expire_submission<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    id: u64,
    height: u64,
) -> Result<Option<u64>, HandlerError> {
    let Some(sub) = state.submission(gas, id).await? else {
        return Ok(None);
    };
    if sub.status != SubmissionStatus::Committed as i32 || height < sub.reveal_deadline_height {
        return Ok(None);
    }
    let Some(mut bounty) = state.bounty(gas, sub.bounty_id).await? else {
        return Ok(None);
    };
    forfeit(state, gas, &mut bounty, sub).await?;
    state.put_bounty(gas, &bounty)?;
    Ok(Some(bounty.id))
}

/// An unrevealed commitment expires and its fee is forfeited (the caller stores
/// `bounty`).
async fn forfeit<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty: &mut Bounty,
    mut sub: Submission,
) -> Result<(), HandlerError> {
    let fee = parse_amount(&bounty.submission_fee)?;
    let forfeited = parse_amount(&bounty.forfeited_fees)?.saturating_add(fee);
    bounty.forfeited_fees = forfeited.to_string();
    state.leave_live(gas, bounty, sub.id).await?;
    settle_expiry(state, gas, &mut sub)?;
    emit_scored(state, gas, &sub, "expired")
}

/// A commitment leaves its reveal window for good: `Expired`, and its entry in the
/// expiry queue goes (nothing is left for a later block to read).
fn settle_expiry<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    sub: &mut Submission,
) -> Result<(), HandlerError> {
    sub.status = SubmissionStatus::Expired as i32;
    state.put_submission(gas, sub)?;
    state.delete_metered(
        gas,
        state_key::reveal_expiry(sub.reveal_deadline_height, sub.id),
    )
}

/// Records a final job's verdict on its baseline or submission. Returns the bounty to
/// re-decide.
pub async fn apply_verdict<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &EvaluationJob,
    height: u64,
) -> Result<Option<u64>, HandlerError> {
    let Some(mut bounty) = state.bounty(gas, job.bounty_id).await? else {
        return Ok(None);
    };
    let outcome = job.outcome.clone().unwrap_or_default();
    let scored = job.status == JobStatus::Scored as i32;
    if job.kind == JobKind::Baseline as i32 {
        if bounty.status != BountyStatus::EvaluatingBaseline as i32
            || bounty.baseline_job_id != job.id
        {
            return Ok(None);
        }
        if !scored {
            close_with_refund(
                state,
                gas,
                &mut bounty,
                BountyStatus::BaselineFailed,
                height,
            )
            .await?;
            return Ok(None);
        }
        bounty.baseline_score_ppm = outcome.score_ppm;
        bounty.effective_target_ppm = if !bounty.target_is_improvement {
            bounty.target_score_ppm
        } else if bounty.higher_is_better {
            outcome.score_ppm.saturating_add(bounty.min_improvement_ppm)
        } else {
            outcome.score_ppm.saturating_sub(bounty.min_improvement_ppm)
        };
        let model_id = state.take_id(gas, state_key::next_model_id()).await?;
        state.put_model(
            gas,
            &Model {
                id: model_id,
                blob: bounty.baseline_model.clone(),
                bounty_id: bounty.id,
                improver: bounty.sponsor.clone(),
                score_ppm: outcome.score_ppm,
                metric: bounty.metric.clone(),
                registered_height: height,
                ..Default::default()
            },
        )?;
        bounty.baseline_model_id = model_id;
        bounty.status = BountyStatus::Open as i32;
        state.put_bounty(gas, &bounty)?;
        state.emit(
            gas,
            &EventBountyOpened {
                bounty_id: bounty.id,
                baseline_score_ppm: bounty.baseline_score_ppm,
                target_ppm: bounty.effective_target_ppm,
            },
        )?;
        // A verdict that comes after the deadline finds the deadline's queue entry
        // already consumed: the bounty is decided now (a refund, as nobody could commit
        // while the baseline was evaluated), not left open with its reward in escrow.
        return Ok((height >= bounty.deadline_height).then_some(bounty.id));
    }
    let Some(mut sub) = state.submission(gas, job.submission_id).await? else {
        return Ok(None);
    };
    if sub.status != SubmissionStatus::Evaluating as i32 || sub.job_id != job.id {
        return Ok(None);
    }
    if scored {
        sub.status = SubmissionStatus::Scored as i32;
        sub.score_ppm = outcome.score_ppm;
        sub.predictions_digest = outcome.predictions_digest;
        sub.beats_target = reaches(
            outcome.score_ppm,
            bounty.effective_target_ppm,
            bounty.higher_is_better,
        );
        state.rank(gas, &bounty, &sub)?;
    } else {
        sub.status = SubmissionStatus::Failed as i32;
        sub.failure_code = if job.status == JobStatus::NoQuorum as i32 {
            NO_QUORUM_FAILURE
        } else {
            outcome.failure_code
        };
    }
    state.put_submission(gas, &sub)?;
    emit_scored(state, gas, &sub, if scored { "scored" } else { "failed" })?;
    if sub.beats_target && bounty.status == BountyStatus::Open as i32 {
        contest_lead(state, gas, &mut bounty, &sub).await?;
    } else {
        state.leave_live(gas, &mut bounty, sub.id).await?;
    }
    state.put_bounty(gas, &bounty)?;
    Ok(Some(bounty.id))
}

/// A new beater takes the lead or leaves the live set: of two beaters only the leader
/// can still win, so the other's slot is freed (the caller stores `bounty`).
async fn contest_lead<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty: &mut Bounty,
    beater: &Submission,
) -> Result<(), HandlerError> {
    let leader = match bounty.leading_submission_id {
        0 => None,
        id => state.submission(gas, id).await?,
    };
    match leader {
        Some(leader) if !leads(bounty, beater, &leader) => {
            state.leave_live(gas, bounty, beater.id).await
        }
        Some(leader) => {
            state.leave_live(gas, bounty, leader.id).await?;
            bounty.leading_submission_id = beater.id;
            Ok(())
        }
        None => {
            bounty.leading_submission_id = beater.id;
            Ok(())
        }
    }
}

/// Whether beater `a` would win over beater `b` under the bounty's mode: first-to-beat
/// by the earlier commit, best-by-deadline by the better score, then the earlier commit.
pub fn leads(bounty: &Bounty, a: &Submission, b: &Submission) -> bool {
    let earlier = (a.commit_height, a.id) < (b.commit_height, b.id);
    if bounty.mode == BountyMode::FirstToBeat as i32 {
        return earlier;
    }
    better(a.score_ppm, b.score_ppm, bounty.higher_is_better)
        || (a.score_ppm == b.score_ppm && earlier)
}

/// What a bounty's submissions decide right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not yet: an earlier commit or an evaluation is pending, or the deadline is ahead.
    Wait,
    /// This submission wins.
    Win(u64),
    /// The deadline passed and nobody reached the target.
    Refund,
}

fn pending(s: &Submission) -> bool {
    s.status == SubmissionStatus::Committed as i32
        || s.status == SubmissionStatus::Evaluating as i32
}

/// The rule of each mode (submissions in any order; priority is `(commit_height, id)`).
pub fn decide(bounty: &Bounty, subs: &[Submission], height: u64) -> Decision {
    let mut order: Vec<&Submission> = subs.iter().collect();
    order.sort_by_key(|s| (s.commit_height, s.id));
    let after_deadline = height >= bounty.deadline_height;
    if bounty.mode == BountyMode::FirstToBeat as i32 {
        for s in &order {
            if pending(s) {
                return Decision::Wait;
            }
            if s.status == SubmissionStatus::Scored as i32 && s.beats_target {
                return Decision::Win(s.id);
            }
        }
        return if after_deadline {
            Decision::Refund
        } else {
            Decision::Wait
        };
    }
    if !after_deadline || order.iter().any(|s| pending(s)) {
        return Decision::Wait;
    }
    let mut best: Option<&Submission> = None;
    for s in order {
        if s.status != SubmissionStatus::Scored as i32 || !s.beats_target {
            continue;
        }
        // Strictly better only: on a tie the earlier commit (seen first) stays.
        if best.is_none_or(|b| better(s.score_ppm, b.score_ppm, bounty.higher_is_better)) {
            best = Some(s);
        }
    }
    best.map_or(Decision::Refund, |s| Decision::Win(s.id))
}

/// Applies the decision of an open bounty, if there is one.
pub async fn decide_and_settle<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty_id: u64,
    height: u64,
) -> Result<(), HandlerError> {
    let Some(mut bounty) = state.bounty(gas, bounty_id).await? else {
        return Ok(());
    };
    if bounty.status != BountyStatus::Open as i32 {
        return Ok(());
    }
    let subs = state.live_submissions(gas, bounty_id).await?;
    match decide(&bounty, &subs, height) {
        Decision::Wait => Ok(()),
        Decision::Refund => {
            close_with_refund(state, gas, &mut bounty, BountyStatus::Refunded, height).await
        }
        Decision::Win(id) => {
            let Some(winner) = subs.into_iter().find(|s| s.id == id) else {
                return Ok(());
            };
            settle_win(state, gas, &mut bounty, winner, height).await
        }
    }
}

async fn settle_win<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty: &mut Bounty,
    mut winner: Submission,
    height: u64,
) -> Result<(), HandlerError> {
    use kaizen_attest::AttestRead;
    let reward = parse_amount(&bounty.reward)?;
    let submitter_part = reward
        .checked_mul(u128::from(bounty.submitter_share_ppm))
        .map(|x| x / 1_000_000)
        .ok_or_else(|| HandlerError::internal("reward share overflows"))?;
    let verifier_part = reward - submitter_part;
    let agreeing = state
        .job(gas, winner.job_id)
        .await?
        .map(|j| j.agreeing)
        .unwrap_or_default();
    let winner_address: Address = winner.submitter.parse()?;
    let mut to_winner = submitter_part;
    if agreeing.is_empty() {
        to_winner = reward;
    } else {
        let n = agreeing.len() as u128;
        let each = verifier_part / n;
        to_winner += verifier_part - each * n;
        for member in &agreeing {
            pay(state, gas, &member.parse()?, each).await?;
        }
    }
    pay(state, gas, &winner_address, to_winner).await?;
    release_live(state, gas, bounty, height).await?;
    burn_forfeited(state, gas, bounty).await?;

    // The registry: the improver first, then the parent's beneficiaries.
    let parent_id = if winner.parent_model_id != 0 {
        winner.parent_model_id
    } else {
        bounty.baseline_model_id
    };
    let mut beneficiaries = vec![RoyaltyShare {
        beneficiary: winner.submitter.clone(),
        royalty_ppm: bounty.royalty_ppm,
    }];
    if let Some(parent) = state.model(gas, parent_id).await? {
        beneficiaries.extend(parent.beneficiaries);
    }
    beneficiaries.truncate(MAX_LINEAGE);
    let model_id = state.take_id(gas, state_key::next_model_id()).await?;
    state.put_model(
        gas,
        &Model {
            id: model_id,
            blob: winner.model.clone(),
            parent_id,
            patch: winner.patch.clone(),
            bounty_id: bounty.id,
            improver: winner.submitter.clone(),
            score_ppm: winner.score_ppm,
            metric: bounty.metric.clone(),
            beneficiaries,
            registered_height: height,
        },
    )?;
    winner.status = SubmissionStatus::Won as i32;
    state.put_submission(gas, &winner)?;
    bounty.status = BountyStatus::Settled as i32;
    bounty.winning_submission_id = winner.id;
    bounty.winning_model_id = model_id;
    bounty.closed_height = height;
    state.put_bounty(gas, bounty)?;
    state.emit(
        gas,
        &EventBountySettled {
            bounty_id: bounty.id,
            submission_id: winner.id,
            winner: winner.submitter.clone(),
            submitter_amount: to_winner.to_string(),
            verifier_amount: (reward - to_winner).to_string(),
            model_id,
        },
    )
}

/// Deadline of a bounty: commitments that were never revealed expire now (the bounty
/// read and written once, whatever the number of its live submissions).
pub async fn deadline_passed<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    bounty_id: u64,
) -> Result<(), HandlerError> {
    let Some(mut bounty) = state.bounty(gas, bounty_id).await? else {
        return Ok(());
    };
    let mut expired = false;
    for s in state.live_submissions(gas, bounty_id).await? {
        if s.status == SubmissionStatus::Committed as i32 {
            forfeit(state, gas, &mut bounty, s).await?;
            expired = true;
        }
    }
    if expired {
        state.put_bounty(gas, &bounty)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounty(mode: BountyMode, deadline: u64) -> Bounty {
        Bounty {
            mode: mode as i32,
            deadline_height: deadline,
            higher_is_better: true,
            effective_target_ppm: 900_000,
            status: BountyStatus::Open as i32,
            ..Default::default()
        }
    }

    fn sub(id: u64, commit: u64, status: SubmissionStatus, score: u64) -> Submission {
        Submission {
            id,
            commit_height: commit,
            status: status as i32,
            score_ppm: score,
            beats_target: score >= 900_000,
            ..Default::default()
        }
    }

    /// The leader is the one beater `decide` would pick from all of them, so the
    /// beaters it drops from the live set could never change a decision.
    #[test]
    fn the_leader_is_the_beater_decide_would_pick() {
        let beaters = [
            sub(1, 10, SubmissionStatus::Scored, 950_000),
            sub(2, 9, SubmissionStatus::Scored, 920_000),
            sub(3, 11, SubmissionStatus::Scored, 990_000),
            sub(4, 9, SubmissionStatus::Scored, 990_000),
            sub(5, 9, SubmissionStatus::Scored, 920_000),
        ];
        for mode in [BountyMode::FirstToBeat, BountyMode::BestByDeadline] {
            let b = bounty(mode, 100);
            let mut leader = beaters[0].clone();
            for s in &beaters[1..] {
                if leads(&b, s, &leader) {
                    leader = s.clone();
                }
                assert!(!leads(&b, &leader, &leader), "nobody leads itself");
            }
            assert_eq!(
                decide(&b, &beaters, 100),
                Decision::Win(leader.id),
                "{mode:?}"
            );
        }
        assert!(leads(
            &bounty(BountyMode::BestByDeadline, 100),
            &beaters[3],
            &beaters[2]
        ));
        let lower_is_better = Bounty {
            higher_is_better: false,
            ..bounty(BountyMode::BestByDeadline, 100)
        };
        assert!(leads(&lower_is_better, &beaters[1], &beaters[0]));
    }

    #[test]
    fn first_to_beat_waits_for_earlier_commits_then_pays_the_earliest_beater() {
        let b = bounty(BountyMode::FirstToBeat, 100);
        let early_pending = sub(1, 10, SubmissionStatus::Evaluating, 0);
        let later_beater = sub(2, 11, SubmissionStatus::Scored, 950_000);
        assert_eq!(
            decide(&b, &[later_beater.clone(), early_pending], 50),
            Decision::Wait
        );
        let early_miss = sub(1, 10, SubmissionStatus::Scored, 800_000);
        assert_eq!(
            decide(&b, &[later_beater.clone(), early_miss], 50),
            Decision::Win(2)
        );
        let early_beater = sub(3, 9, SubmissionStatus::Scored, 910_000);
        assert_eq!(
            decide(&b, &[later_beater, early_beater], 50),
            Decision::Win(3)
        );
        // A later pending commit does not hold up an earlier winner.
        let b2 = bounty(BountyMode::FirstToBeat, 100);
        assert_eq!(
            decide(
                &b2,
                &[
                    sub(1, 5, SubmissionStatus::Scored, 990_000),
                    sub(2, 6, SubmissionStatus::Committed, 0)
                ],
                50
            ),
            Decision::Win(1)
        );
    }

    #[test]
    fn best_by_deadline_waits_for_the_deadline_and_breaks_ties_by_commit_height() {
        let b = bounty(BountyMode::BestByDeadline, 100);
        let subs = [
            sub(1, 10, SubmissionStatus::Scored, 950_000),
            sub(2, 8, SubmissionStatus::Scored, 950_000),
            sub(3, 5, SubmissionStatus::Scored, 940_000),
        ];
        assert_eq!(decide(&b, &subs, 99), Decision::Wait);
        assert_eq!(decide(&b, &subs, 100), Decision::Win(2));
        let with_pending = [
            sub(1, 10, SubmissionStatus::Scored, 950_000),
            sub(4, 11, SubmissionStatus::Evaluating, 0),
        ];
        assert_eq!(decide(&b, &with_pending, 120), Decision::Wait);
    }

    #[test]
    fn nobody_beating_the_target_by_the_deadline_refunds() {
        for mode in [BountyMode::FirstToBeat, BountyMode::BestByDeadline] {
            let b = bounty(mode, 100);
            let subs = [
                sub(1, 10, SubmissionStatus::Scored, 800_000),
                sub(2, 11, SubmissionStatus::Failed, 0),
                sub(3, 12, SubmissionStatus::Expired, 0),
            ];
            assert_eq!(decide(&b, &subs, 99), Decision::Wait);
            assert_eq!(decide(&b, &subs, 100), Decision::Refund);
            assert_eq!(decide(&b, &[], 100), Decision::Refund);
        }
    }
}
