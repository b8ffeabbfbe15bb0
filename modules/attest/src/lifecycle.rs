//! A job's life: creation, rounds, the reveal window, the verdict, time-outs.
//!
//! Every function here runs inside a transaction (creation, commit, reveal) or the
//! end-block hook (window ends); they only read and write state and never fail on
//! anything a user sent except with an [`AttestError`] that rolls the transaction back.

use std::collections::BTreeMap;

use cnidarium::StateWrite;
use kaizen_bank::BankWrite;
use kaizen_framework::{
    parse_amount, Address, Coins, GasMeter, HandlerError, MeteredStateWrite, NATIVE_DENOM,
};
use kaizen_proto::kaizen::attest::v1::{Artifacts, EvaluationJob, JobKind, JobStatus, Outcome};
use kaizen_staking::{RandomnessRead, StakingRead, StakingWrite};

use crate::{
    attest_pool,
    committee::{draw_committee, Candidate},
    error::AttestError,
    events::{EventJobAssigned, EventJobFinal, EventRevealOpened},
    state_key,
    view::{AttestRead, AttestWrite},
};

/// What the creator of a job (`bounty`) supplies.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub bounty_id: u64,
    pub submission_id: u64,
    pub artifacts: Artifacts,
    pub committee_size: u32,
    pub quorum: u32,
    /// Moved from `payer` to the attest pool now; paid to the agreeing members.
    pub fee: u128,
    pub payer: Address,
    /// Gets the fee back if no round reaches a quorum.
    pub refund_to: Address,
    /// The parties with a stake in the verdict (a bounty's sponsor, a submission's
    /// submitter): never drawn into its committee, even when registered as evaluators.
    pub interested: Vec<Address>,
}

/// Committee shape rules: a quorum is a strict majority of the committee, so two
/// different outcomes can never both reach it.
pub fn check_committee_shape(size: u32, quorum: u32, max_size: u32) -> Result<(), AttestError> {
    if size == 0 || size > max_size {
        return Err(AttestError::InvalidCommittee(format!(
            "committee size {size} must be in 1..={max_size}"
        )));
    }
    if quorum > size || quorum.saturating_mul(2) <= size {
        return Err(AttestError::InvalidCommittee(format!(
            "quorum {quorum} must be a strict majority of the committee ({size}) and at most its size"
        )));
    }
    Ok(())
}

/// Creates a job and draws its first committee. Fails (rolling the transaction back)
/// when fewer than `quorum` evaluators can be drawn.
pub async fn create_job<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    new: NewJob,
    height: u64,
) -> Result<EvaluationJob, HandlerError> {
    let params = state.attest_params(gas).await?;
    check_committee_shape(new.committee_size, new.quorum, params.max_committee_size)?;
    let id = state.take_job_id(gas).await?;
    if new.fee > 0 {
        state
            .send(
                gas,
                &new.payer,
                &attest_pool(),
                &Coins::single(NATIVE_DENOM, new.fee),
            )
            .await?;
    }
    let mut job = EvaluationJob {
        id,
        kind: new.kind as i32,
        bounty_id: new.bounty_id,
        submission_id: new.submission_id,
        artifacts: Some(new.artifacts),
        committee_size: new.committee_size,
        quorum: new.quorum,
        fee: new.fee.to_string(),
        refund_to: new.refund_to.to_string(),
        round: 0,
        status: JobStatus::Committing as i32,
        created_height: height,
        excluded: new.interested.iter().map(Address::to_string).collect(),
        ..Default::default()
    };
    if !start_round(state, gas, &mut job, height).await? {
        let available = job.committee.len();
        return Err(AttestError::NotEnoughEvaluators {
            available,
            quorum: new.quorum,
        }
        .into());
    }
    state.put_job(gas, &job)?;
    Ok(job)
}

/// Draws the committee of `job.round` and opens its commit window. Returns false (and
/// leaves the drawn members in `job.committee` for the error message) when fewer than
/// `quorum` evaluators could be drawn.
async fn start_round<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    height: u64,
) -> Result<bool, HandlerError> {
    let params = state.attest_params(gas).await?;
    let min_bond = parse_amount(&params.min_evaluator_bond)?;
    let evaluators = state.all_evaluators().await?;
    // The draw reads every evaluator: paid like reads.
    gas.consume(
        gas.schedule()
            .read_flat
            .saturating_mul(evaluators.len() as u64),
        "committee draw",
    )?;
    let mut candidates = Vec::new();
    for ev in &evaluators {
        let bond = parse_amount(&ev.bond)?;
        if ev.jailed || bond < min_bond || job.excluded.contains(&ev.address) {
            continue;
        }
        candidates.push(Candidate {
            address: ev.address.clone(),
            weight: bond,
        });
    }
    let epoch = state.epoch_at(gas, height).await?;
    let seed = state
        .epoch_seed(gas, epoch)
        .await?
        .map(|s| s.seed)
        .unwrap_or_default();
    let committee = draw_committee(
        &seed,
        job.id,
        job.round,
        &candidates,
        job.committee_size as usize,
    );
    job.committee = committee;
    if job.committee.len() < job.quorum as usize {
        return Ok(false);
    }
    job.status = JobStatus::Committing as i32;
    job.commit_deadline_height = height.saturating_add(params.commit_window_blocks);
    job.reveal_deadline_height = 0;
    for member in &job.committee {
        let address: Address = member.parse()?;
        state.put_raw_metered(gas, state_key::assigned(&address, job.id), vec![1])?;
    }
    state.put_raw_metered(
        gas,
        state_key::deadline(job.commit_deadline_height, job.id, job.round, "commit"),
        vec![1],
    )?;
    state.emit(
        gas,
        &EventJobAssigned {
            job_id: job.id,
            round: job.round,
            committee: job.committee.join(","),
            commit_deadline_height: job.commit_deadline_height,
        },
    )?;
    Ok(true)
}

/// Closes commitments and opens the reveal window of the current round.
pub async fn open_reveal<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    height: u64,
) -> Result<(), HandlerError> {
    let params = state.attest_params(gas).await?;
    job.status = JobStatus::Revealing as i32;
    job.reveal_deadline_height = height.saturating_add(params.reveal_window_blocks);
    state.put_raw_metered(
        gas,
        state_key::deadline(job.reveal_deadline_height, job.id, job.round, "reveal"),
        vec![1],
    )?;
    state.emit(
        gas,
        &EventRevealOpened {
            job_id: job.id,
            reveal_deadline_height: job.reveal_deadline_height,
        },
    )
}

/// Whether a job is decided (scored, failed or without quorum).
pub fn is_final(job: &EvaluationJob) -> bool {
    matches!(
        JobStatus::try_from(job.status),
        Ok(JobStatus::Scored | JobStatus::Failed | JobStatus::NoQuorum)
    )
}

fn outcome_key(o: &Outcome) -> (u64, Vec<u8>, u32) {
    (o.score_ppm, o.predictions_digest.clone(), o.failure_code)
}

/// If `quorum` reveals of the current round agree, the job becomes final: the fee is
/// paid to the agreeing members, disagreeing revealers are slashed, and the job is
/// queued for its creator.
pub async fn try_finalize<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    height: u64,
) -> Result<(), HandlerError> {
    let mut groups: BTreeMap<(u64, Vec<u8>, u32), Vec<String>> = BTreeMap::new();
    for a in job
        .attestations
        .iter()
        .filter(|a| a.round == job.round && a.revealed)
    {
        if let Some(o) = &a.outcome {
            groups
                .entry(outcome_key(o))
                .or_default()
                .push(a.evaluator.clone());
        }
    }
    let Some(((score, digest, code), mut agreeing)) = groups
        .into_iter()
        .find(|(_, members)| members.len() >= job.quorum as usize)
    else {
        return Ok(());
    };
    agreeing.sort();
    let outcome = Outcome {
        score_ppm: score,
        predictions_digest: digest,
        failure_code: code,
    };
    job.status = if code == 0 {
        JobStatus::Scored
    } else {
        JobStatus::Failed
    } as i32;
    job.outcome = Some(outcome.clone());
    job.agreeing = agreeing.clone();
    job.final_height = height;

    // The fee, split evenly; the remainder of the division goes to the first member.
    let fee = parse_amount(&job.fee)?;
    let n = agreeing.len() as u128;
    if fee > 0 && n > 0 {
        let each = fee / n;
        let dust = fee - each * n;
        for (i, member) in agreeing.iter().enumerate() {
            let amount = if i == 0 { each + dust } else { each };
            if amount > 0 {
                state
                    .send(
                        gas,
                        &attest_pool(),
                        &member.parse()?,
                        &Coins::single(NATIVE_DENOM, amount),
                    )
                    .await?;
            }
        }
    }
    let params = state.attest_params(gas).await?;
    for member in &agreeing {
        state.record_evaluator_agreed(gas, &member.parse()?).await?;
    }
    let wanted = outcome_key(&outcome);
    let minority: Vec<String> = job
        .attestations
        .iter()
        .filter(|a| a.round == job.round && a.revealed)
        .filter(|a| a.outcome.as_ref().map(outcome_key) != Some(wanted.clone()))
        .map(|a| a.evaluator.clone())
        .collect();
    for member in minority {
        state
            .slash_evaluator(
                gas,
                &member.parse()?,
                params.slash_ppm,
                params.jail_blocks,
                height,
                "minority result",
                job.id,
            )
            .await?;
    }
    // Members that revealed are done; the others stay assigned until their window ends.
    for a in job
        .attestations
        .iter()
        .filter(|a| a.round == job.round && a.revealed)
    {
        state.delete_metered(gas, state_key::assigned(&a.evaluator.parse()?, job.id))?;
    }
    for member in &job.committee {
        let committed = job
            .attestations
            .iter()
            .any(|a| a.round == job.round && &a.evaluator == member);
        if !committed {
            state.delete_metered(gas, state_key::assigned(&member.parse()?, job.id))?;
        }
    }
    state.put_raw_metered(gas, state_key::finalized(job.id), vec![1])?;
    state.emit(
        gas,
        &EventJobFinal {
            job_id: job.id,
            status: if code == 0 { "scored" } else { "failed" }.into(),
            score_ppm: score,
            failure_code: code,
            agreeing: agreeing.join(","),
        },
    )
}

async fn unassign_all<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &EvaluationJob,
) -> Result<(), HandlerError> {
    for member in &job.committee {
        state.delete_metered(gas, state_key::assigned(&member.parse()?, job.id))?;
    }
    Ok(())
}

/// The round ended without a quorum: a new committee, or `NO_QUORUM` after `max_rounds`
/// (the fee goes back to `refund_to`).
async fn next_round<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    height: u64,
) -> Result<(), HandlerError> {
    let params = state.attest_params(gas).await?;
    unassign_all(state, gas, job).await?;
    if job.round.saturating_add(1) < params.max_rounds {
        job.round += 1;
        if start_round(state, gas, job, height).await? {
            return Ok(());
        }
    }
    job.status = JobStatus::NoQuorum as i32;
    job.final_height = height;
    job.committee.clear();
    let fee = parse_amount(&job.fee)?;
    if fee > 0 {
        state
            .send(
                gas,
                &attest_pool(),
                &job.refund_to.parse()?,
                &Coins::single(NATIVE_DENOM, fee),
            )
            .await?;
    }
    state.put_raw_metered(gas, state_key::finalized(job.id), vec![1])?;
    state.emit(
        gas,
        &EventJobFinal {
            job_id: job.id,
            status: "no_quorum".into(),
            score_ppm: 0,
            failure_code: 0,
            agreeing: String::new(),
        },
    )
}

async fn slash_absent<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    members: Vec<String>,
    reason: &str,
    height: u64,
) -> Result<(), HandlerError> {
    let params = state.attest_params(gas).await?;
    for member in members {
        let address: Address = member.parse()?;
        state
            .slash_evaluator(
                gas,
                &address,
                params.slash_ppm,
                params.jail_blocks,
                height,
                reason,
                job.id,
            )
            .await?;
        state.delete_metered(gas, state_key::assigned(&address, job.id))?;
        if !job.excluded.contains(&member) {
            job.excluded.push(member);
        }
    }
    Ok(())
}

/// A commit window ended (`round` is the round it belonged to).
pub async fn commit_window_ended<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    round: u32,
    height: u64,
) -> Result<(), HandlerError> {
    if job.round != round || job.status != JobStatus::Committing as i32 {
        return Ok(());
    }
    let committed: Vec<String> = job
        .attestations
        .iter()
        .filter(|a| a.round == round)
        .map(|a| a.evaluator.clone())
        .collect();
    let absent: Vec<String> = job
        .committee
        .iter()
        .filter(|m| !committed.contains(m))
        .cloned()
        .collect();
    slash_absent(state, gas, job, absent, "no commitment in time", height).await?;
    if committed.len() >= job.quorum as usize {
        open_reveal(state, gas, job, height).await
    } else {
        next_round(state, gas, job, height).await
    }
}

/// A reveal window ended.
pub async fn reveal_window_ended<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    round: u32,
    height: u64,
) -> Result<(), HandlerError> {
    if job.round != round {
        return Ok(());
    }
    let silent: Vec<String> = job
        .attestations
        .iter()
        .filter(|a| a.round == round && !a.revealed)
        .map(|a| a.evaluator.clone())
        .collect();
    slash_absent(state, gas, job, silent, "no reveal in time", height).await?;
    if job.status == JobStatus::Revealing as i32 {
        next_round(state, gas, job, height).await?;
    }
    Ok(())
}

/// The job ids finalized and not yet handled, oldest first, at most `limit`; each is
/// removed from the queue.
pub async fn take_finalized<S: StateWrite>(
    state: &mut S,
    limit: usize,
) -> Result<Vec<EvaluationJob>, HandlerError> {
    use futures::StreamExt;
    let gas = GasMeter::unlimited();
    let mut keys = Vec::new();
    {
        let mut stream = Box::pin(state.prefix_keys(state_key::finalized_prefix()));
        while let Some(key) = stream.next().await {
            keys.push(key.map_err(HandlerError::internal)?);
            if keys.len() >= limit {
                break;
            }
        }
    }
    let mut jobs = Vec::new();
    for key in keys {
        state.delete(key.clone());
        let Some(id) = state_key::parse_finalized(&key) else {
            continue;
        };
        if let Some(job) = state.job(&gas, id).await? {
            jobs.push(job);
        }
    }
    Ok(jobs)
}
