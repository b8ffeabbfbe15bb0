//! `MsgRevealSubmission`: the submitter opens its commitment within the reveal window,
//! naming a whole model blob or a registered parent model and a patch blob, both
//! certified on DA; the submission's evaluation job starts, paid by its fee
//! (`EventSubmissionRevealed`, `EventJobAwaitingBeacon`). Every refusal leaves state as it
//! was.

use cnidarium::StateWrite;
use kaizen_attest::{attest_pool, events::EventJobAwaitingBeacon, JobKind};
use kaizen_bounty::{
    bounty_escrow, events::EventSubmissionRevealed, state_key, BountyStatus, BountyWrite,
    RevealSubmission, SubmissionStatus,
};
use kaizen_framework::{GasMeter, HandlerError};
use kaizen_proto::kaizen::bounty::v1::MsgRevealSubmission;

use crate::setup::{
    alice, bob, evaluator, events_of, patched, reveal_msg, scored, whole, TestChain, BASELINE,
    MIN_IMPROVEMENT, SUBMISSION_FEE, SUBMITTER_UKZN,
};

/// A score that beats the target of [`TestChain::open_bounty`].
const BEATING: u64 = BASELINE + MIN_IMPROVEMENT + 1;

#[tokio::test]
async fn a_revealed_whole_model_starts_its_evaluation_paid_by_its_fee() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    chain.next_block().await;
    let height = chain.height;
    let escrow = chain.balance(&bounty_escrow()).await;
    assert_eq!(chain.balance(&attest_pool()).await, 0);
    let events = chain.ok(&reveal_msg(id, &alice(), &model)).await;

    let s = chain.submission(id).await;
    assert_eq!(s.status, SubmissionStatus::Evaluating as i32);
    assert_eq!(s.reveal_height, height);
    assert_eq!(s.model, chain.blobs.model_a);
    assert_eq!((s.parent_model_id, s.patch.is_empty()), (0, true));
    let job = chain.job(s.job_id).await;
    assert_eq!(job.kind, JobKind::Submission as i32);
    assert_eq!((job.bounty_id, job.submission_id), (bounty_id, id));
    let artifacts = job.artifacts.clone().unwrap();
    assert_eq!(artifacts.model, chain.blobs.model_a);
    assert_eq!(artifacts.test_set, chain.blobs.test_set);
    assert_eq!(artifacts.metric, "recall:1");
    assert!(artifacts.parent_model.is_empty() && artifacts.patch.is_empty());
    assert_eq!(job.fee, SUBMISSION_FEE.to_string());
    assert_eq!(
        job.refund_to,
        alice().to_string(),
        "the fee returns on no quorum"
    );
    // The fee moves from the escrow to the evaluators' pool.
    assert_eq!(
        chain.balance(&bounty_escrow()).await,
        escrow - SUBMISSION_FEE
    );
    assert_eq!(chain.balance(&attest_pool()).await, SUBMISSION_FEE);
    assert_eq!(
        events_of::<EventSubmissionRevealed>(&events),
        vec![EventSubmissionRevealed {
            bounty_id,
            submission_id: id,
            job_id: job.id,
        }]
    );
    let awaiting = events_of::<EventJobAwaitingBeacon>(&events);
    assert_eq!(awaiting.len(), 1);
    assert_eq!(awaiting[0].job_id, job.id);
}

#[tokio::test]
async fn a_revealed_patch_is_evaluated_over_its_parent_model() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let parent = chain.bounty(bounty_id).await.baseline_model_id;
    let model = patched(parent, &chain.blobs.patch);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    chain.ok(&reveal_msg(id, &alice(), &model)).await;

    let s = chain.submission(id).await;
    assert_eq!(s.status, SubmissionStatus::Evaluating as i32);
    assert_eq!(s.parent_model_id, parent);
    assert_eq!(s.patch, chain.blobs.patch);
    assert!(s.model.is_empty());
    let artifacts = chain.job(s.job_id).await.artifacts.unwrap();
    assert_eq!(artifacts.parent_model, chain.blobs.baseline);
    assert_eq!(artifacts.patch, chain.blobs.patch);
    assert!(artifacts.model.is_empty());
}

#[tokio::test]
async fn a_salt_of_the_wrong_length_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    for len in [15, 65] {
        let mut msg = reveal_msg(id, &alice(), &model);
        msg.msg.salt = vec![7; len];
        assert_eq!(chain.refused(&msg).await, ("bounty", 18), "{len} bytes");
    }
}

#[tokio::test]
async fn a_model_reference_that_is_neither_a_whole_model_nor_a_patch_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let with = |edit: &dyn Fn(&mut MsgRevealSubmission)| {
        let mut msg = reveal_msg(id, &alice(), &model);
        edit(&mut msg.msg);
        msg
    };
    let cases: Vec<(&str, RevealSubmission)> = vec![
        (
            "both a model and a patch",
            with(&|m| {
                m.parent_model_id = 1;
                m.patch = vec![1; 32];
            }),
        ),
        (
            "neither",
            with(&|m| {
                m.model = vec![];
            }),
        ),
        (
            "a short model",
            with(&|m| {
                m.model = vec![1; 31];
            }),
        ),
        (
            "a parent without a patch",
            with(&|m| {
                m.model = vec![];
                m.parent_model_id = 1;
            }),
        ),
        (
            "a patch without a parent",
            with(&|m| {
                m.model = vec![];
                m.patch = vec![1; 32];
            }),
        ),
        (
            "a short patch",
            with(&|m| {
                m.model = vec![];
                m.parent_model_id = 1;
                m.patch = vec![1; 31];
            }),
        ),
    ];
    for (what, msg) in cases {
        assert_eq!(chain.refused(&msg).await, ("bounty", 16), "{what}");
    }
}

#[tokio::test]
async fn a_reveal_of_an_unknown_submission_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let unknown = reveal_msg(id + 1, &alice(), &model);
    assert_eq!(chain.refused(&unknown).await, ("bounty", 11));
}

#[tokio::test]
async fn a_reveal_of_someone_elses_submission_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let copycat = reveal_msg(id, &bob(), &model);
    assert_eq!(chain.refused(&copycat).await, ("bounty", 12));
}

#[tokio::test]
async fn a_reveal_after_its_window_is_refused_before_the_window_is_even_processed() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let until = chain.submission(id).await.reveal_deadline_height;
    let msg = reveal_msg(id, &alice(), &model);
    chain.height = until + 1;
    assert_eq!(chain.refused(&msg).await, ("bounty", 14));
    // The window's last block is still in time.
    chain.height = until;
    chain.ok(&msg).await;
}

#[tokio::test]
async fn a_reveal_after_the_bounty_was_won_under_it_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let (_, job) = chain
        .submit(bounty_id, &alice(), &whole(&chain.blobs.model_a))
        .await;
    chain.drawn(job).await;
    let late = whole(&chain.blobs.model_b);
    let bobs = chain.commit(bounty_id, &bob(), &late).await;
    chain.evaluate(job, &scored(BEATING)).await;
    assert_eq!(
        chain.bounty(bounty_id).await.status,
        BountyStatus::Settled as i32
    );
    // Bob's commitment expired with its fee returned, inside its reveal window.
    let s = chain.submission(bobs).await;
    assert_eq!(s.status, SubmissionStatus::Expired as i32);
    assert!(chain.height <= s.reveal_deadline_height);
    assert_eq!(chain.balance(&bob()).await, SUBMITTER_UKZN);
    let msg = reveal_msg(bobs, &bob(), &late);
    assert_eq!(chain.refused(&msg).await, ("bounty", 14));
}

#[tokio::test]
async fn a_second_reveal_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let msg = reveal_msg(id, &alice(), &model);
    chain.ok(&msg).await;
    assert_eq!(chain.refused(&msg).await, ("bounty", 13));
}

#[tokio::test]
async fn a_reveal_to_a_closed_bounty_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    // Unreachable through messages, as every close expires the commitments still
    // waiting for their reveal; written here through the bounty view to reach the check.
    let mut b = chain.bounty(bounty_id).await;
    b.status = BountyStatus::Refunded as i32;
    chain.state.put_bounty(&GasMeter::unlimited(), &b).unwrap();
    let msg = reveal_msg(id, &alice(), &model);
    assert_eq!(chain.refused(&msg).await, ("bounty", 8));
}

#[tokio::test]
async fn a_reveal_to_a_bounty_that_is_gone_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    // Unreachable while bounties are never deleted; written here to reach the check.
    chain.state.delete(state_key::bounty(bounty_id));
    let msg = reveal_msg(id, &alice(), &model);
    assert_eq!(chain.refused(&msg).await, ("bounty", 2));
}

#[tokio::test]
async fn a_reveal_that_does_not_match_the_commitment_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let other_model = reveal_msg(id, &alice(), &whole(&chain.blobs.model_b));
    assert_eq!(chain.refused(&other_model).await, ("bounty", 15));
    let mut other_salt = reveal_msg(id, &alice(), &model);
    other_salt.msg.salt = vec![8; 16];
    assert_eq!(chain.refused(&other_salt).await, ("bounty", 15));
    let as_a_patch = reveal_msg(id, &alice(), &patched(1, &chain.blobs.model_a));
    assert_eq!(chain.refused(&as_a_patch).await, ("bounty", 15));
}

#[tokio::test]
async fn a_patch_of_an_unknown_model_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = patched(99, &chain.blobs.patch);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let msg = reveal_msg(id, &alice(), &model);
    assert_eq!(chain.refused(&msg).await, ("bounty", 17));
}

#[tokio::test]
async fn a_patch_of_a_model_that_is_itself_a_patch_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    // Alice wins the first bounty with a patch of its baseline: the registry holds
    // her model as a patch, not a whole blob.
    let first = chain.open_bounty().await;
    let baseline = chain.bounty(first).await.baseline_model_id;
    let (_, job) = chain
        .submit(first, &alice(), &patched(baseline, &chain.blobs.patch))
        .await;
    chain.evaluate(job, &scored(BEATING)).await;
    let won = chain.bounty(first).await;
    assert_eq!(won.status, BountyStatus::Settled as i32);
    let patch_model = won.winning_model_id;
    assert!(chain.model(patch_model).await.blob.is_empty());

    let second = chain.open_bounty().await;
    let model = patched(patch_model, &chain.blobs.patch);
    let id = chain.commit(second, &bob(), &model).await;
    let msg = reveal_msg(id, &bob(), &model);
    assert_eq!(chain.refused(&msg).await, ("bounty", 16));
}

#[tokio::test]
async fn a_model_or_patch_that_is_not_available_on_da_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let pending = whole(&chain.blobs.pending);
    let id = chain.commit(bounty_id, &alice(), &pending).await;
    let msg = reveal_msg(id, &alice(), &pending);
    assert_eq!(chain.refused(&msg).await, ("bounty", 5));
    let unpaid = patched(1, &chain.blobs.unpaid);
    let id = chain.commit(bounty_id, &bob(), &unpaid).await;
    let msg = reveal_msg(id, &bob(), &unpaid);
    assert_eq!(chain.refused(&msg).await, ("bounty", 5));
}

#[tokio::test]
async fn a_reveal_when_no_committee_can_be_drawn_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    // Three of the four evaluators jailed: one left for a quorum of two.
    for i in 0..3 {
        chain.jail(&evaluator(i)).await;
    }
    let msg = reveal_msg(id, &alice(), &model);
    assert_eq!(chain.refused(&msg).await, ("attest", 12));
}

#[tokio::test]
async fn a_reveal_out_of_gas_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let model = whole(&chain.blobs.model_a);
    let id = chain.commit(bounty_id, &alice(), &model).await;
    let msg = reveal_msg(id, &alice(), &model);
    assert_eq!(chain.refused_with(&msg, 1_000, true).await, ("sdk", 11));
}

#[test]
fn a_reveal_with_a_malformed_address_does_not_parse() {
    let msg = |submitter: String| MsgRevealSubmission {
        submitter,
        submission_id: 1,
        model: vec![0; 32],
        salt: vec![0; 16],
        ..Default::default()
    };
    let code = |m: &MsgRevealSubmission| {
        RevealSubmission::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&msg(alice().to_string())), Ok(()));
    assert_eq!(code(&msg("kaizen1nope".into())), Err(("sdk", 7)));
}
