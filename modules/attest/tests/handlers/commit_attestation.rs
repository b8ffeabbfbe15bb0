//! `MsgCommitAttestation`: a member of the job's current committee seals its outcome
//! within the commit window, once per round, emitting `EventAttestationCommitted`; the
//! last member's commitment opens the reveal window at once (`EventRevealOpened`).
//! Every refusal leaves state as it was.

use kaizen_attest::{
    events::{EventAttestationCommitted, EventRevealOpened},
    state_key, CommitAttestation, JobStatus,
};
use kaizen_framework::HandlerError;
use kaizen_proto::kaizen::attest::v1::MsgCommitAttestation;

use crate::setup::{
    commit, events_of, members, nobody, outsider, reveal, scored, TestChain, COMMIT_WINDOW,
    EVALUATORS, REVEAL_WINDOW,
};

#[tokio::test]
async fn a_members_commitment_is_recorded_and_the_commit_window_stays_open() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let at = chain.height + 1;
    chain.height = at;
    let first = members(&job)[0];
    let msg = commit(&job, &first, &scored(900_000));
    let events = chain.ok(&msg).await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Committing as i32);
    assert_eq!(job.attestations.len(), 1);
    let a = &job.attestations[0];
    assert_eq!(a.evaluator, first.to_string());
    assert_eq!((a.round, a.commit_height), (0, at));
    assert_eq!(a.commitment, msg.commitment);
    assert!(!a.revealed && a.outcome.is_none());
    let committed = events_of::<EventAttestationCommitted>(&events);
    assert_eq!(
        committed,
        vec![EventAttestationCommitted {
            job_id: job.id,
            evaluator: first.to_string(),
        }]
    );
    assert!(events_of::<EventRevealOpened>(&events).is_empty());
}

#[tokio::test]
async fn the_last_members_commitment_opens_the_reveal_window_at_once() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let at = chain.height + 2;
    chain.height = at;
    let everyone = members(&job);
    let (last, others) = everyone.split_last().unwrap();
    for member in others {
        chain.ok(&commit(&job, member, &scored(900_000))).await;
    }
    let events = chain.ok(&commit(&job, last, &scored(900_000))).await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Revealing as i32);
    assert_eq!(job.reveal_deadline_height, at + REVEAL_WINDOW);
    assert_eq!(job.attestations.len(), everyone.len());
    assert!(
        chain
            .has(&state_key::deadline(
                at + REVEAL_WINDOW,
                job.id,
                0,
                "reveal"
            ))
            .await,
        "the end of the reveal window is queued"
    );
    assert_eq!(
        events_of::<EventAttestationCommitted>(&events).len(),
        1,
        "one commitment, one event"
    );
    assert_eq!(
        events_of::<EventRevealOpened>(&events),
        vec![EventRevealOpened {
            job_id: job.id,
            reveal_deadline_height: at + REVEAL_WINDOW,
        }]
    );
}

#[tokio::test]
async fn a_member_that_committed_in_a_round_without_quorum_commits_again_in_the_next() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let loner = members(&job)[0];
    chain.ok(&commit(&job, &loner, &scored(1))).await;
    // The window ends with one commitment of the two needed: the silent members are
    // excluded and the job is drawn again among the three evaluators left, from a
    // later beacon.
    chain.advance_to(job.commit_deadline_height).await;
    chain.next_block().await;
    let job = chain.job(job.id).await;
    assert_eq!(job.round, 1);
    assert_eq!(job.status, JobStatus::AwaitingBeacon as i32);
    let job = chain.draw(job.id).await;
    assert_eq!(job.status, JobStatus::Committing as i32);
    assert!(job.committee.contains(&loner.to_string()));

    let events = chain.ok(&commit(&job, &loner, &scored(2))).await;
    assert_eq!(events_of::<EventAttestationCommitted>(&events).len(), 1);
    let job = chain.job(job.id).await;
    let rounds: Vec<u32> = job
        .attestations
        .iter()
        .filter(|a| a.evaluator == loner.to_string())
        .map(|a| a.round)
        .collect();
    assert_eq!(rounds, vec![0, 1]);
}

#[tokio::test]
async fn a_commitment_that_is_not_32_bytes_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let good = commit(&job, &members(&job)[0], &scored(900_000));
    let mut short = good.clone();
    short.commitment.pop();
    assert_eq!(chain.refused(&short).await, ("attest", 10));
    let mut long = good.clone();
    long.commitment.push(0);
    assert_eq!(chain.refused(&long).await, ("attest", 10));
    let empty = CommitAttestation {
        commitment: vec![],
        ..good
    };
    assert_eq!(chain.refused(&empty).await, ("attest", 10));
}

#[tokio::test]
async fn a_commitment_to_an_unknown_job_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let unknown = CommitAttestation {
        job_id: job.id + 1,
        ..commit(&job, &members(&job)[0], &scored(900_000))
    };
    assert_eq!(chain.refused(&unknown).await, ("attest", 2));
}

#[tokio::test]
async fn an_evaluator_outside_the_committee_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    assert!(EVALUATORS > job.committee.len());
    let outside = commit(&job, &outsider(&job), &scored(900_000));
    assert_eq!(chain.refused(&outside).await, ("attest", 3));
    let stranger = commit(&job, &nobody(), &scored(900_000));
    assert_eq!(chain.refused(&stranger).await, ("attest", 3));
}

#[tokio::test]
async fn a_second_commitment_in_the_same_round_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let member = members(&job)[0];
    chain.ok(&commit(&job, &member, &scored(900_000))).await;
    let again = commit(&job, &member, &scored(900_000));
    assert_eq!(chain.refused(&again).await, ("attest", 4));
    let changed_mind = commit(&job, &member, &scored(100));
    assert_eq!(chain.refused(&changed_mind).await, ("attest", 4));
}

#[tokio::test]
async fn a_commitment_after_the_window_is_refused_before_the_window_is_even_closed() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    assert_eq!(
        job.commit_deadline_height,
        chain.beacon_height(&job) + COMMIT_WINDOW
    );
    let msg = commit(&job, &members(&job)[0], &scored(900_000));
    chain.height = job.commit_deadline_height + 1;
    assert_eq!(chain.refused(&msg).await, ("attest", 5));
    // The window's last block is still in time.
    chain.height = job.commit_deadline_height;
    chain.ok(&msg).await;
}

#[tokio::test]
async fn a_commitment_once_everyone_committed_is_refused_as_the_phase_is_over() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    chain.commit_all(job.id, &scored(900_000)).await;
    // Not a duplicate (4): the commit phase itself is over.
    let again = commit(&job, &members(&job)[0], &scored(900_000));
    assert_eq!(chain.refused(&again).await, ("attest", 5));
}

#[tokio::test]
async fn a_silent_member_is_refused_once_the_window_closed_with_a_quorum() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let everyone = members(&job);
    for member in &everyone[..2] {
        chain.ok(&commit(&job, member, &scored(900_000))).await;
    }
    chain.advance_to(job.commit_deadline_height).await;
    chain.end_block().await;
    let closed = chain.job(job.id).await;
    assert_eq!(closed.status, JobStatus::Revealing as i32);
    // Still in the committee, but the phase is over.
    assert!(closed.committee.contains(&everyone[2].to_string()));
    let late = commit(&job, &everyone[2], &scored(900_000));
    assert_eq!(chain.refused(&late).await, ("attest", 5));
}

#[tokio::test]
async fn a_commitment_to_a_decided_job_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let everyone = members(&job);
    for member in &everyone[..2] {
        chain.ok(&commit(&job, member, &scored(900_000))).await;
    }
    chain.advance_to(job.commit_deadline_height).await;
    chain.next_block().await;
    for member in &everyone[..2] {
        chain.ok(&reveal(&job, member, &scored(900_000))).await;
    }
    assert_eq!(chain.job(job.id).await.status, JobStatus::Scored as i32);
    let late = commit(&job, &everyone[2], &scored(900_000));
    assert_eq!(chain.refused(&late).await, ("attest", 5));
}

#[tokio::test]
async fn a_commitment_out_of_gas_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let msg = commit(&job, &members(&job)[0], &scored(900_000));
    assert_eq!(chain.refused_with(&msg, 1_000, true).await, ("sdk", 11));
}

#[test]
fn a_commitment_with_a_malformed_address_does_not_parse() {
    let msg = |evaluator: String| MsgCommitAttestation {
        evaluator,
        job_id: 1,
        commitment: vec![0; 32],
    };
    let code = |m: &MsgCommitAttestation| {
        CommitAttestation::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&msg(nobody().to_string())), Ok(()));
    assert_eq!(code(&msg("cosmos1xyz".into())), Err(("sdk", 7)));
    assert_eq!(code(&msg(String::new())), Err(("sdk", 7)));
}
