//! A job's life: creation, rounds, the reveal window, the verdict, time-outs.
//!
//! Every function here runs inside a transaction (creation, commit, reveal) or the
//! end-block hook (window ends); they only read and write state and never fail on
//! anything a user sent except with an [`AttestError`] that rolls the transaction back.

use std::collections::BTreeMap;

use cnidarium::{StateRead, StateWrite};
use kaizen_bank::BankWrite;
use kaizen_framework::{
    parse_amount, Address, Coins, GasMeter, HandlerError, MeteredStateWrite, NATIVE_DENOM,
};
use kaizen_proto::kaizen::attest::v1::{
    Artifacts, Attestation, EvalLimits, EvaluationJob, JobKind, JobStatus, Outcome, Params,
};
use kaizen_staking::{Evaluator, RandomnessRead, StakingRead, StakingWrite};

use crate::{
    attest_pool,
    committee::{draw_committee, Candidate},
    error::AttestError,
    events::{
        EventJobAssigned, EventJobAwaitingBeacon, EventJobFinal, EventJobQueued, EventRevealOpened,
    },
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

/// Creates a job and requests its first round: the committee is drawn later, from a
/// beacon nobody knows yet (see [`request_round`]). Fails (rolling the transaction back)
/// when fewer than `quorum` evaluators could be drawn as things stand.
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
    let mut artifacts = new.artifacts;
    artifacts.limits = Some(eval_limits(&params));
    let mut job = EvaluationJob {
        id,
        kind: new.kind as i32,
        bounty_id: new.bounty_id,
        submission_id: new.submission_id,
        artifacts: Some(artifacts),
        committee_size: new.committee_size,
        quorum: new.quorum,
        fee: new.fee.to_string(),
        refund_to: new.refund_to.to_string(),
        round: 0,
        created_height: height,
        excluded: new.interested.iter().map(Address::to_string).collect(),
        requested_height: height,
        ..Default::default()
    };
    // The draw happens in a block hook; the creator pays for its reads now.
    let evaluators = load_evaluators(state, gas).await?;
    let available = candidates(&evaluators, &job, &params)?.len();
    if available < new.quorum as usize {
        return Err(AttestError::NotEnoughEvaluators {
            available,
            quorum: new.quorum,
        }
        .into());
    }
    request_round(state, gas, &mut job, height).await?;
    state.put_job(gas, &job)?;
    Ok(job)
}

/// The limits a job created now carries (see `EvalLimits`).
pub fn eval_limits(params: &Params) -> EvalLimits {
    EvalLimits {
        wasm_fuel: params.wasm_fuel,
        max_model_cost: params.max_model_cost,
        max_artifact_bytes: params.max_artifact_bytes,
    }
}

/// The most blocks a job created now can take to reach its verdict, queueing for room
/// aside: every round waits for a beacon (at most two epochs) and runs its commit and
/// reveal windows. Artifacts must stay on DA at least this long after the last height a
/// job may be created for them.
pub fn evaluation_span(params: &Params, epoch_blocks: u64) -> u64 {
    let round = epoch_blocks
        .saturating_mul(2)
        .saturating_add(params.commit_window_blocks)
        .saturating_add(params.reveal_window_blocks);
    round.saturating_mul(u64::from(params.max_rounds))
}

/// Every registered evaluator, charged as one read each (the committee draws read them
/// all).
pub async fn load_evaluators<S: StateRead>(
    state: &S,
    gas: &GasMeter,
) -> Result<Vec<Evaluator>, HandlerError> {
    let evaluators = state.all_evaluators().await?;
    gas.consume(
        gas.schedule()
            .read_flat
            .saturating_mul(evaluators.len() as u64),
        "committee draw",
    )?;
    Ok(evaluators)
}

/// The evaluators the current round of `job` may draw, in address order: bonded at
/// least `min_evaluator_bond`, not jailed, not excluded from the job (its interested
/// parties, members that failed it), and active since the round was requested, so that
/// nobody can register or unjail into a draw whose beacon is already known.
fn candidates(
    evaluators: &[Evaluator],
    job: &EvaluationJob,
    params: &Params,
) -> Result<Vec<Candidate>, HandlerError> {
    let min_bond = parse_amount(&params.min_evaluator_bond)?;
    let mut out = Vec::new();
    for ev in evaluators {
        let bond = parse_amount(&ev.bond)?;
        if ev.jailed
            || bond < min_bond
            || ev.active_since_height > job.requested_height
            || job.excluded.contains(&ev.address)
        {
            continue;
        }
        out.push(Candidate {
            address: ev.address.clone(),
            weight: bond,
        });
    }
    Ok(out)
}

/// Most epochs past the earliest one a round looks at for a beacon with room.
const MAX_BEACON_SEARCH: u64 = 64;

/// Requests the committee of `job.round`: it will be drawn from the seed of the first
/// epoch at least two after the current one whose beacon has room. That seed is made of
/// VRF outputs over the next epoch's seed, which nobody can sign yet, so nobody knows
/// the committee now; job ids and the timing of reveals buy a grinder nothing.
async fn request_round<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    height: u64,
) -> Result<(), HandlerError> {
    let params = state.attest_params(gas).await?;
    let epoch_blocks = state.staking_params(gas).await?.epoch_blocks.max(1);
    let earliest = state.epoch_at(gas, height).await?.saturating_add(2);
    let mut beacon_epoch = None;
    for e in earliest..earliest.saturating_add(MAX_BEACON_SEARCH) {
        if state.beacon_load(gas, e).await? < u64::from(params.max_jobs_per_beacon) {
            beacon_epoch = Some(e);
            break;
        }
    }
    let beacon_epoch = beacon_epoch.ok_or(AttestError::BeaconsFull {
        from: earliest,
        epochs: MAX_BEACON_SEARCH,
    })?;
    job.status = JobStatus::AwaitingBeacon as i32;
    job.beacon_epoch = beacon_epoch;
    job.requested_height = height;
    job.committee.clear();
    job.commit_deadline_height = 0;
    job.reveal_deadline_height = 0;
    state.put_raw_metered(gas, state_key::awaiting(beacon_epoch, job.id), vec![1])?;
    state.add_beacon_load(gas, beacon_epoch, 1).await?;
    state.emit(
        gas,
        &EventJobAwaitingBeacon {
            job_id: job.id,
            round: job.round,
            beacon_epoch,
            beacon_height: beacon_epoch.saturating_mul(epoch_blocks),
        },
    )
}

/// Room left at each evaluator during one pass of the hook (its open-job cap minus what
/// it holds, less what earlier queued jobs reserved).
pub type Room = BTreeMap<String, u64>;

async fn room_of<S: StateRead>(
    state: &S,
    gas: &GasMeter,
    room: &mut Room,
    member: &str,
    cap: u64,
) -> Result<u64, HandlerError> {
    if let Some(r) = room.get(member) {
        return Ok(*r);
    }
    let open = state.open_jobs(gas, &member.parse()?).await?;
    let r = cap.saturating_sub(open);
    room.insert(member.to_string(), r);
    Ok(r)
}

/// Starts the round of a job whose committee is drawn if every member has room;
/// otherwise the job stays (or becomes) queued and reserves one slot at each member
/// that has one, so that later jobs cannot starve it. Returns whether it started.
pub async fn start_if_room<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    room: &mut Room,
    height: u64,
) -> Result<bool, HandlerError> {
    let cap = u64::from(state.attest_params(gas).await?.max_open_jobs_per_evaluator);
    let mut all_have_room = true;
    for member in &job.committee {
        if room_of(state, gas, room, member, cap).await? == 0 {
            all_have_room = false;
        }
    }
    for member in &job.committee {
        if let Some(r) = room.get_mut(member) {
            *r = r.saturating_sub(1);
        }
    }
    if !all_have_room {
        if job.status != JobStatus::Queued as i32 {
            job.status = JobStatus::Queued as i32;
            state.put_raw_metered(gas, state_key::queued(job.id), vec![1])?;
            state.emit(
                gas,
                &EventJobQueued {
                    job_id: job.id,
                    round: job.round,
                    committee: job.committee.join(","),
                },
            )?;
        }
        return Ok(false);
    }
    if job.status == JobStatus::Queued as i32 {
        state.delete_metered(gas, state_key::queued(job.id))?;
    }
    open_commit_window(state, gas, job, height).await?;
    Ok(true)
}

/// Draws the committee of a round whose beacon is available (from `evaluators`, every
/// registered evaluator) and starts it, or queues it; a draw short of a quorum ends the
/// round at once.
pub async fn draw_round<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    evaluators: &[Evaluator],
    room: &mut Room,
    height: u64,
) -> Result<(), HandlerError> {
    let params = state.attest_params(gas).await?;
    state.add_beacon_load(gas, job.beacon_epoch, -1).await?;
    let seed = state
        .epoch_seed(gas, job.beacon_epoch)
        .await?
        .ok_or_else(|| {
            HandlerError::internal(format!("epoch {} has no seed yet", job.beacon_epoch))
        })?
        .seed;
    let candidates = candidates(evaluators, job, &params)?;
    job.committee = draw_committee(
        &seed,
        job.id,
        job.round,
        &candidates,
        job.committee_size as usize,
    );
    if job.committee.len() < job.quorum as usize {
        return next_round(state, gas, job, height).await;
    }
    start_if_room(state, gas, job, room, height).await?;
    Ok(())
}

/// Opens the commit window of the current round: its members are assigned.
async fn open_commit_window<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    job: &mut EvaluationJob,
    height: u64,
) -> Result<(), HandlerError> {
    let params = state.attest_params(gas).await?;
    job.status = JobStatus::Committing as i32;
    job.commit_deadline_height = height.saturating_add(params.commit_window_blocks);
    job.reveal_deadline_height = 0;
    for member in &job.committee {
        state.assign(gas, &member.parse()?, job.id).await?;
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
    )
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

/// Whether the attestation revealed an abstention ([`crate::ABSTAIN_CODE`]): it counts
/// towards no outcome and is never slashed as a minority.
pub fn abstained(a: &Attestation) -> bool {
    a.outcome
        .as_ref()
        .is_some_and(|o| o.failure_code == crate::ABSTAIN_CODE)
}

/// Whether a revealed outcome that differs from the verdict is a fault. Not when either
/// is "artifact unavailable" (code 10): whether an artifact could be fetched can depend
/// on who serves it to whom, so neither the members who fetched it nor those who could
/// not are slashed for the other side's quorum.
pub fn slashable_against(revealed: Option<&Outcome>, verdict: &Outcome) -> bool {
    let unavailable = crate::ARTIFACT_UNAVAILABLE_CODE;
    verdict.failure_code != unavailable
        && revealed
            .is_none_or(|o| o.failure_code != unavailable && o.failure_code != crate::ABSTAIN_CODE)
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
        .filter(|a| a.round == job.round && a.revealed && !abstained(a))
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
        .filter(|a| a.round == job.round && a.revealed && !abstained(a))
        .filter(|a| a.outcome.as_ref().map(outcome_key) != Some(wanted.clone()))
        .filter(|a| slashable_against(a.outcome.as_ref(), &outcome))
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
        state.unassign(gas, &a.evaluator.parse()?, job.id).await?;
    }
    for member in &job.committee {
        let committed = job
            .attestations
            .iter()
            .any(|a| a.round == job.round && &a.evaluator == member);
        if !committed {
            state.unassign(gas, &member.parse()?, job.id).await?;
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
        state.unassign(gas, &member.parse()?, job.id).await?;
    }
    Ok(())
}

/// The round ended without a quorum: a new round (its committee drawn from a later
/// beacon), or `NO_QUORUM` after `max_rounds` (the fee goes back to `refund_to`).
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
        return request_round(state, gas, job, height).await;
    }
    // A last round where a quorum abstained: honest machines could not run the job
    // within its limits. Its fee is burned, not refunded, so that a model built to make
    // every evaluator abstain costs its sender the fee instead of being free.
    let abstentions = job
        .attestations
        .iter()
        .filter(|a| a.round == job.round && abstained(a))
        .count();
    let burned = abstentions >= job.quorum as usize;
    job.status = JobStatus::NoQuorum as i32;
    job.final_height = height;
    job.committee.clear();
    let fee = parse_amount(&job.fee)?;
    if fee > 0 {
        let coins = Coins::single(NATIVE_DENOM, fee);
        if burned {
            state.burn(gas, &attest_pool(), &coins).await?;
        } else {
            state
                .send(gas, &attest_pool(), &job.refund_to.parse()?, &coins)
                .await?;
        }
    }
    state.put_raw_metered(gas, state_key::finalized(job.id), vec![1])?;
    state.emit(
        gas,
        &EventJobFinal {
            job_id: job.id,
            status: "no_quorum".into(),
            score_ppm: 0,
            failure_code: if burned { crate::ABSTAIN_CODE } else { 0 },
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
        state.unassign(gas, &address, job.id).await?;
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
        // Who abstained could not evaluate this job on its machine: the next round
        // draws others (not slashed: abstaining is not a fault).
        let abstainers: Vec<String> = job
            .attestations
            .iter()
            .filter(|a| a.round == round && abstained(a))
            .map(|a| a.evaluator.clone())
            .collect();
        for member in abstainers {
            if !job.excluded.contains(&member) {
                job.excluded.push(member);
            }
        }
        next_round(state, gas, job, height).await?;
    }
    Ok(())
}

/// The queue entries of jobs finalized and not yet handled, oldest first, at most
/// `limit`; [`take_finalized`] handles one.
pub async fn finalized_keys<S: StateRead>(
    state: &S,
    limit: usize,
) -> Result<Vec<String>, HandlerError> {
    use futures::StreamExt;
    let mut keys = Vec::new();
    let mut stream = Box::pin(state.prefix_keys(state_key::finalized_prefix()));
    while keys.len() < limit {
        let Some(key) = stream.next().await else {
            break;
        };
        keys.push(key.map_err(HandlerError::internal)?);
    }
    Ok(keys)
}

/// Removes one entry of [`finalized_keys`] from the queue; its job, if it exists.
pub async fn take_finalized<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    key: &str,
) -> Result<Option<EvaluationJob>, HandlerError> {
    state.delete_metered(gas, key.to_string())?;
    match state_key::parse_finalized(key) {
        Some(id) => state.job(gas, id).await,
        None => Ok(None),
    }
}
