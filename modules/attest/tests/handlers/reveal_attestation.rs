//! `MsgRevealAttestation`: a member opens its commitment of the current round within
//! the reveal window, emitting `EventAttestationRevealed`. The reveal that completes a
//! quorum of equal outcomes decides the job in that transaction (`EventJobFinal`): the
//! fee is split among the agreeing members, disagreeing revealers are slashed, and the
//! job is queued for its creator. A reveal after the verdict is not paid, and slashed
//! if it disagrees. Every refusal leaves state as it was.

use kaizen_attest::{
    attest_pool,
    events::{EventAttestationRevealed, EventJobFinal},
    state_key, EvaluationJob, JobStatus, Outcome, RevealAttestation,
};
use kaizen_framework::{Address, HandlerError};
use kaizen_proto::kaizen::attest::v1::MsgRevealAttestation;
use kaizen_staking::events::EventEvaluatorSlashed;

use crate::setup::{
    commit, events_of, failed, members, nobody, outsider, reveal, salt, scored, sponsor, TestChain,
    EVALUATOR_BOND, JAIL_BLOCKS, JOB_FEE, SLASH_PPM, SPONSOR_UKZN,
};

/// A chain at height 3 whose job's three members all committed `outcomes[i]` at height
/// 2, so that its reveal window is open; the job and its members.
async fn revealing(outcomes: [Outcome; 3]) -> (TestChain, EvaluationJob, Vec<Address>) {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    chain.begin_block(2).await;
    let everyone = members(&job);
    for (member, outcome) in everyone.iter().zip(&outcomes) {
        chain.ok(&commit(&job, member, outcome)).await;
    }
    chain.next_block().await;
    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Revealing as i32);
    (chain, job, everyone)
}

fn agreeing(outcome: Outcome) -> [Outcome; 3] {
    [outcome.clone(), outcome.clone(), outcome]
}

fn slashed_bond() -> u128 {
    EVALUATOR_BOND - EVALUATOR_BOND * u128::from(SLASH_PPM) / 1_000_000
}

#[tokio::test]
async fn a_reveal_before_a_quorum_records_the_outcome_without_a_verdict() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let events = chain
        .ok(&reveal(&job, &everyone[0], &scored(900_000)))
        .await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Revealing as i32);
    assert!(job.outcome.is_none());
    let a = job
        .attestations
        .iter()
        .find(|a| a.evaluator == everyone[0].to_string())
        .unwrap();
    assert!(a.revealed);
    assert_eq!(a.outcome, Some(scored(900_000)));
    assert_eq!(a.reveal_height, 3);
    assert_eq!(
        events_of::<EventAttestationRevealed>(&events),
        vec![EventAttestationRevealed {
            job_id: job.id,
            evaluator: everyone[0].to_string(),
            score_ppm: 900_000,
            failure_code: 0,
        }]
    );
    assert!(events_of::<EventJobFinal>(&events).is_empty());
    assert!(!chain.has(&state_key::finalized(job.id)).await);
}

#[tokio::test]
async fn the_reveal_that_completes_a_quorum_decides_the_job_and_pays_the_agreeing_members() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let before: Vec<u128> = {
        let mut v = Vec::new();
        for m in &everyone {
            v.push(chain.balance(m).await);
        }
        v
    };
    assert_eq!(chain.balance(&attest_pool()).await, JOB_FEE);
    chain
        .ok(&reveal(&job, &everyone[1], &scored(900_000)))
        .await;
    let events = chain
        .ok(&reveal(&job, &everyone[0], &scored(900_000)))
        .await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Scored as i32);
    assert_eq!(job.outcome, Some(scored(900_000)));
    let pair = vec![everyone[0].to_string(), everyone[1].to_string()];
    assert_eq!(job.agreeing, pair, "sorted by address");
    assert_eq!(job.final_height, 3);
    // The fee, split evenly; the remainder goes to the first agreeing member.
    let each = JOB_FEE / 2;
    assert_eq!(chain.balance(&everyone[0]).await, before[0] + each + 1);
    assert_eq!(chain.balance(&everyone[1]).await, before[1] + each);
    assert_eq!(chain.balance(&everyone[2]).await, before[2]);
    assert_eq!(chain.balance(&attest_pool()).await, 0);
    for m in &everyone[..2] {
        assert_eq!(chain.evaluator(m).await.jobs_agreed, 1);
        assert!(!chain.has(&state_key::assigned(m, job.id)).await);
    }
    // The silent member stays assigned until its window ends.
    assert!(chain.has(&state_key::assigned(&everyone[2], job.id)).await);
    assert!(chain.has(&state_key::finalized(job.id)).await);
    assert_eq!(
        events_of::<EventJobFinal>(&events),
        vec![EventJobFinal {
            job_id: job.id,
            status: "scored".into(),
            score_ppm: 900_000,
            failure_code: 0,
            agreeing: pair.join(","),
        }]
    );
    assert_eq!(events_of::<EventAttestationRevealed>(&events).len(), 1);
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
}

#[tokio::test]
async fn a_quorum_of_the_same_failure_code_fails_the_job() {
    let (mut chain, job, everyone) = revealing(agreeing(failed(3))).await;
    chain.ok(&reveal(&job, &everyone[0], &failed(3))).await;
    let events = chain.ok(&reveal(&job, &everyone[2], &failed(3))).await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Failed as i32);
    assert_eq!(job.outcome, Some(failed(3)));
    let final_events = events_of::<EventJobFinal>(&events);
    assert_eq!(final_events.len(), 1);
    assert_eq!(final_events[0].status, "failed");
    assert_eq!(final_events[0].failure_code, 3);
    assert_eq!(
        events_of::<EventAttestationRevealed>(&events)[0].failure_code,
        3
    );
}

#[tokio::test]
async fn a_minority_reveal_is_slashed_when_the_quorum_forms() {
    let (mut chain, job, everyone) =
        revealing([scored(900_000), scored(800_000), scored(900_000)]).await;
    chain
        .ok(&reveal(&job, &everyone[1], &scored(800_000)))
        .await;
    chain
        .ok(&reveal(&job, &everyone[0], &scored(900_000)))
        .await;
    let events = chain
        .ok(&reveal(&job, &everyone[2], &scored(900_000)))
        .await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Scored as i32);
    assert_eq!(
        job.agreeing,
        vec![everyone[0].to_string(), everyone[2].to_string()]
    );
    let minority = chain.evaluator(&everyone[1]).await;
    assert!(minority.jailed);
    assert_eq!(minority.jailed_until_height, 3 + JAIL_BLOCKS);
    assert_eq!(minority.bond, slashed_bond().to_string());
    assert_eq!(minority.faults, 1);
    let slashed = events_of::<EventEvaluatorSlashed>(&events);
    assert_eq!(slashed.len(), 1);
    assert_eq!(slashed[0].evaluator, everyone[1].to_string());
    assert_eq!(slashed[0].reason, "minority result");
    assert_eq!(slashed[0].job_id, job.id);
    // Everyone revealed: nobody is left assigned.
    for m in &everyone {
        assert!(!chain.has(&state_key::assigned(m, job.id)).await);
    }
}

#[tokio::test]
async fn a_late_reveal_that_agrees_with_the_verdict_is_neither_paid_nor_slashed() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    for m in &everyone[..2] {
        chain.ok(&reveal(&job, m, &scored(900_000))).await;
    }
    let decided = chain.job(job.id).await;
    let balance = chain.balance(&everyone[2]).await;
    let events = chain
        .ok(&reveal(&job, &everyone[2], &scored(900_000)))
        .await;

    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Scored as i32);
    assert_eq!(job.agreeing, decided.agreeing);
    assert!(job.attestations.iter().all(|a| a.revealed));
    assert_eq!(chain.balance(&everyone[2]).await, balance);
    let late = chain.evaluator(&everyone[2]).await;
    assert!(!late.jailed);
    assert_eq!(late.jobs_agreed, 0);
    assert!(!chain.has(&state_key::assigned(&everyone[2], job.id)).await);
    assert_eq!(events_of::<EventAttestationRevealed>(&events).len(), 1);
    assert!(events_of::<EventJobFinal>(&events).is_empty());
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
}

#[tokio::test]
async fn a_late_reveal_that_disagrees_with_the_verdict_is_slashed() {
    let (mut chain, job, everyone) = revealing([scored(900_000), scored(900_000), scored(1)]).await;
    for m in &everyone[..2] {
        chain.ok(&reveal(&job, m, &scored(900_000))).await;
    }
    let events = chain.ok(&reveal(&job, &everyone[2], &scored(1))).await;

    let late = chain.evaluator(&everyone[2]).await;
    assert!(late.jailed);
    assert_eq!(late.bond, slashed_bond().to_string());
    let slashed = events_of::<EventEvaluatorSlashed>(&events);
    assert_eq!(slashed.len(), 1);
    assert_eq!(slashed[0].evaluator, everyone[2].to_string());
    assert_eq!(slashed[0].reason, "minority result");
    assert!(!chain.has(&state_key::assigned(&everyone[2], job.id)).await);
    assert_eq!(chain.job(job.id).await.outcome, Some(scored(900_000)));
}

#[tokio::test]
async fn a_salt_of_the_wrong_length_is_refused_before_state() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let good = reveal(&job, &everyone[0], &scored(900_000));
    let short = RevealAttestation {
        salt: vec![7; 15],
        ..good.clone()
    };
    assert_eq!(chain.refused(&short).await, ("attest", 11));
    let long = RevealAttestation {
        salt: vec![7; 65],
        ..good
    };
    assert_eq!(chain.refused(&long).await, ("attest", 11));
}

#[tokio::test]
async fn a_malformed_outcome_is_refused_before_state() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let with = |outcome: Outcome| reveal(&job, &everyone[0], &outcome);
    let short_digest = Outcome {
        predictions_digest: vec![1; 31],
        ..scored(900_000)
    };
    assert_eq!(chain.refused(&with(short_digest)).await, ("attest", 10));
    let no_digest = Outcome {
        predictions_digest: vec![],
        ..scored(900_000)
    };
    assert_eq!(chain.refused(&with(no_digest)).await, ("attest", 10));
    let failure_with_score = Outcome {
        score_ppm: 5,
        ..failed(3)
    };
    assert_eq!(
        chain.refused(&with(failure_with_score)).await,
        ("attest", 10)
    );
    let failure_with_digest = Outcome {
        predictions_digest: vec![1; 32],
        ..failed(3)
    };
    assert_eq!(
        chain.refused(&with(failure_with_digest)).await,
        ("attest", 10)
    );
}

#[tokio::test]
async fn a_reveal_for_an_unknown_job_is_refused_and_changes_nothing() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let unknown = RevealAttestation {
        job_id: job.id + 1,
        ..reveal(&job, &everyone[0], &scored(900_000))
    };
    assert_eq!(chain.refused(&unknown).await, ("attest", 2));
}

#[tokio::test]
async fn a_reveal_without_a_commitment_in_this_round_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let everyone = members(&job);
    for m in &everyone[..2] {
        chain.ok(&commit(&job, m, &scored(900_000))).await;
    }
    chain.advance_to(job.commit_deadline_height).await;
    chain.next_block().await;
    assert_eq!(chain.job(job.id).await.status, JobStatus::Revealing as i32);
    let silent = reveal(&job, &everyone[2], &scored(900_000));
    assert_eq!(chain.refused(&silent).await, ("attest", 6));
    let outside = reveal(&job, &outsider(&job), &scored(900_000));
    assert_eq!(chain.refused(&outside).await, ("attest", 6));
    let stranger = reveal(&job, &nobody(), &scored(900_000));
    assert_eq!(chain.refused(&stranger).await, ("attest", 6));
}

#[tokio::test]
async fn a_second_reveal_is_refused_and_changes_nothing() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let msg = reveal(&job, &everyone[0], &scored(900_000));
    chain.ok(&msg).await;
    assert_eq!(chain.refused(&msg).await, ("attest", 7));
}

#[tokio::test]
async fn a_reveal_while_commitments_are_open_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    let first = members(&job)[0];
    chain.ok(&commit(&job, &first, &scored(900_000))).await;
    let early = reveal(&job, &first, &scored(900_000));
    assert_eq!(chain.refused(&early).await, ("attest", 8));
}

#[tokio::test]
async fn a_reveal_after_the_window_is_refused_before_the_window_is_even_closed() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let msg = reveal(&job, &everyone[0], &scored(900_000));
    chain.height = job.reveal_deadline_height + 1;
    assert_eq!(chain.refused(&msg).await, ("attest", 8));
    // The window's last block is still in time.
    chain.height = job.reveal_deadline_height;
    chain.ok(&msg).await;
}

#[tokio::test]
async fn a_reveal_after_the_job_ended_without_a_quorum_is_refused() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.create_job().await;
    // Round 0: one commitment of the two needed; the job is drawn again.
    chain.ok(&commit(&job, &members(&job)[0], &scored(1))).await;
    chain.advance_to(job.commit_deadline_height).await;
    chain.next_block().await;
    let job = chain.draw(job.id).await;
    assert_eq!(job.round, 1);
    // Round 1, the last: again one commitment; the job ends without a quorum.
    let loner = members(&job)[0];
    chain.ok(&commit(&job, &loner, &scored(1))).await;
    chain.advance_to(job.commit_deadline_height).await;
    let events = chain.next_block().await;
    let ended = chain.job(job.id).await;
    assert_eq!(ended.status, JobStatus::NoQuorum as i32);
    assert_eq!(events_of::<EventJobFinal>(&events)[0].status, "no_quorum");
    assert_eq!(chain.balance(&attest_pool()).await, 0);

    let late = reveal(&job, &loner, &scored(1));
    assert_eq!(chain.refused(&late).await, ("attest", 8));
    // The fee went back to the sponsor.
    assert_eq!(chain.balance(&sponsor()).await, SPONSOR_UKZN);
}

#[tokio::test]
async fn a_reveal_that_does_not_match_the_commitment_is_refused_and_changes_nothing() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let other_score = reveal(&job, &everyone[0], &scored(900_001));
    assert_eq!(chain.refused(&other_score).await, ("attest", 9));
    let other_salt = RevealAttestation {
        salt: salt(&everyone[1]),
        ..reveal(&job, &everyone[0], &scored(900_000))
    };
    assert_eq!(chain.refused(&other_salt).await, ("attest", 9));
    let failure_instead = reveal(&job, &everyone[0], &failed(1));
    assert_eq!(chain.refused(&failure_instead).await, ("attest", 9));
}

#[tokio::test]
async fn a_reveal_out_of_gas_is_refused_and_changes_nothing() {
    let (mut chain, job, everyone) = revealing(agreeing(scored(900_000))).await;
    let msg = reveal(&job, &everyone[0], &scored(900_000));
    assert_eq!(chain.refused_with(&msg, 1_000, true).await, ("sdk", 11));
}

#[test]
fn a_reveal_with_a_malformed_address_does_not_parse() {
    let msg = |evaluator: String| MsgRevealAttestation {
        evaluator,
        job_id: 1,
        score_ppm: 1,
        predictions_digest: vec![0; 32],
        failure_code: 0,
        salt: vec![0; 16],
    };
    let code = |m: &MsgRevealAttestation| {
        RevealAttestation::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&msg(nobody().to_string())), Ok(()));
    assert_eq!(code(&msg("kaizen1nope".into())), Err(("sdk", 7)));
}

/// Issue 15, item 3: a member whose machine cannot finish the job within its own time or
/// memory used to report a time-out (code 4) or a crash (code 7) that the others did not
/// see, and was slashed as a minority. It now abstains: counted towards no outcome, never
/// slashed; the others' quorum decides.
#[tokio::test]
async fn an_abstention_is_neither_counted_nor_slashed_and_the_others_quorum_decides() {
    let abstain = failed(kaizen_attest::ABSTAIN_CODE);
    let (mut chain, job, everyone) =
        revealing([abstain.clone(), scored(900_000), scored(900_000)]).await;
    chain.ok(&reveal(&job, &everyone[0], &abstain)).await;
    assert_eq!(chain.job(job.id).await.status, JobStatus::Revealing as i32);
    chain
        .ok(&reveal(&job, &everyone[1], &scored(900_000)))
        .await;
    let events = chain
        .ok(&reveal(&job, &everyone[2], &scored(900_000)))
        .await;
    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Scored as i32);
    assert_eq!(job.outcome, Some(scored(900_000)));
    assert!(!job.agreeing.contains(&everyone[0].to_string()));
    let abstainer = chain.evaluator(&everyone[0]).await;
    assert!(!abstainer.jailed);
    assert_eq!(abstainer.bond, EVALUATOR_BOND.to_string());
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
}

/// Two of three abstain: no quorum, nobody slashed, and the next round goes to others.
#[tokio::test]
async fn a_round_whose_members_abstain_goes_to_others_without_slashing_them() {
    let abstain = failed(kaizen_attest::ABSTAIN_CODE);
    let (mut chain, job, everyone) =
        revealing([abstain.clone(), abstain.clone(), scored(900_000)]).await;
    for (m, o) in everyone.iter().zip([&abstain, &abstain, &scored(900_000)]) {
        chain.ok(&reveal(&job, m, o)).await;
    }
    let deadline = chain.job(job.id).await.reveal_deadline_height;
    let mut events = Vec::new();
    while chain.height <= deadline {
        events.extend(chain.next_block().await);
    }
    let job = chain.job(job.id).await;
    assert_eq!(job.round, 1, "a new round");
    for m in &everyone[..2] {
        assert!(
            job.excluded.contains(&m.to_string()),
            "abstainers sit it out"
        );
        let e = chain.evaluator(m).await;
        assert!(!e.jailed);
        assert_eq!(e.bond, EVALUATOR_BOND.to_string());
    }
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
}

/// Whether an artifact could be fetched can depend on who serves it to whom (a sponsor
/// colluding with DA operators can serve some evaluators and not others): neither side
/// of a split on "artifact unavailable" (code 10) is slashed for the other's quorum.
#[tokio::test]
async fn a_split_on_an_unavailable_artifact_slashes_neither_side() {
    let unavailable = failed(kaizen_attest::ARTIFACT_UNAVAILABLE_CODE);
    // The fetching minority against a quorum on code 10.
    let (mut chain, job, everyone) =
        revealing([unavailable.clone(), unavailable.clone(), scored(900_000)]).await;
    let mut events = Vec::new();
    for (m, o) in everyone
        .iter()
        .zip([&unavailable, &unavailable, &scored(900_000)])
    {
        events.extend(chain.ok(&reveal(&job, m, o)).await);
    }
    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::Failed as i32);
    assert!(!chain.evaluator(&everyone[2]).await.jailed);
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
    // The members that could not fetch against a scoring quorum.
    let (mut chain, job, everyone) =
        revealing([unavailable.clone(), scored(900_000), scored(900_000)]).await;
    let mut events = Vec::new();
    for (m, o) in everyone
        .iter()
        .zip([&unavailable, &scored(900_000), &scored(900_000)])
    {
        events.extend(chain.ok(&reveal(&job, m, o)).await);
    }
    assert_eq!(chain.job(job.id).await.status, JobStatus::Scored as i32);
    assert!(!chain.evaluator(&everyone[0]).await.jailed);
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
}

/// A model built so that every honest machine abstains (too heavy for them, on an edge)
/// would otherwise cost nothing: the fee went back to its sender at NO_QUORUM. When the
/// last round's abstentions reach the quorum, the fee is burned instead.
#[tokio::test]
async fn a_last_round_where_a_quorum_abstained_burns_the_fee_instead_of_refunding_it() {
    use crate::setup::{GenesisShape, EVALUATORS};
    use kaizen_attest::genesis::Params;
    let mut chain = TestChain::with(GenesisShape {
        evaluators: EVALUATORS,
        attest: Params {
            max_rounds: 1,
            ..TestChain::params()
        },
    })
    .await;
    let (job, _) = chain.create_job().await;
    let abstain = failed(kaizen_attest::ABSTAIN_CODE);
    let everyone = members(&job);
    for m in &everyone {
        chain.ok(&commit(&job, m, &abstain)).await;
    }
    chain.next_block().await;
    for m in &everyone {
        chain.ok(&reveal(&job, m, &abstain)).await;
    }
    let sponsor_before = chain.balance(&sponsor()).await;
    let deadline = chain.job(job.id).await.reveal_deadline_height;
    let mut events = Vec::new();
    while chain.height <= deadline {
        events.extend(chain.next_block().await);
    }
    let job = chain.job(job.id).await;
    assert_eq!(job.status, JobStatus::NoQuorum as i32);
    assert_eq!(chain.balance(&sponsor()).await, sponsor_before, "no refund");
    assert_eq!(chain.balance(&attest_pool()).await, 0, "burned");
    let last = events_of::<EventJobFinal>(&events);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].failure_code, kaizen_attest::ABSTAIN_CODE);
    assert!(events_of::<EventEvaluatorSlashed>(&events).is_empty());
}
