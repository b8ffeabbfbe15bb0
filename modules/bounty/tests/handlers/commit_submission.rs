//! `MsgCommitSubmission`: a sealed submission to an open bounty before its deadline,
//! paid with the submission fee; its height is its priority and its reveal window
//! starts (`EventSubmissionCommitted`). Every refusal leaves state as it was.

use kaizen_bounty::{
    bounty_escrow, events::EventSubmissionCommitted, state_key, BountyMode, BountyStatus,
    CancelBounty, CommitSubmission, SubmissionStatus,
};
use kaizen_framework::HandlerError;
use kaizen_proto::kaizen::bounty::v1::{MsgCommitSubmission, MsgCreateBounty};

use crate::setup::{
    alice, bob, commit_msg, create, events_of, nobody, scored, sponsor, whole, TestChain, BASELINE,
    EPOCH_BLOCKS, MAX_SUBMISSIONS, MIN_IMPROVEMENT, REVEAL_WINDOW, SUBMISSION_FEE, SUBMITTER_UKZN,
};

#[tokio::test]
async fn a_commitment_to_an_open_bounty_pays_the_fee_and_records_the_submission() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let escrow = chain.balance(&bounty_escrow()).await;
    let height = chain.height;
    let msg = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    let events = chain.ok(&msg).await;

    let s = chain.submission(1).await;
    assert_eq!((s.id, s.bounty_id), (1, bounty_id));
    assert_eq!(s.submitter, alice().to_string());
    assert_eq!(s.commitment, msg.commitment);
    assert_eq!(s.commit_height, height);
    assert_eq!(s.status, SubmissionStatus::Committed as i32);
    assert_eq!(s.reveal_deadline_height, height + REVEAL_WINDOW);
    assert!(
        s.model.is_empty() && s.job_id == 0,
        "nothing is revealed yet"
    );
    assert_eq!(chain.bounty(bounty_id).await.submission_count, 1);
    assert_eq!(
        chain.raw(&state_key::commitment(&msg.commitment)).await,
        Some(1u64.to_be_bytes().to_vec()),
        "the commitment is taken by submission 1"
    );
    assert!(chain.has(&state_key::submission_of(bounty_id, 1)).await);
    assert!(
        chain
            .has(&state_key::reveal_expiry(height + REVEAL_WINDOW, 1))
            .await
    );
    assert_eq!(
        chain.balance(&alice()).await,
        SUBMITTER_UKZN - SUBMISSION_FEE
    );
    assert_eq!(
        chain.balance(&bounty_escrow()).await,
        escrow + SUBMISSION_FEE
    );
    assert_eq!(
        events_of::<EventSubmissionCommitted>(&events),
        vec![EventSubmissionCommitted {
            bounty_id,
            submission_id: 1,
            submitter: alice().to_string(),
        }]
    );
}

#[tokio::test]
async fn a_reveal_window_that_would_outlast_the_bounty_ends_before_its_deadline() {
    let mut chain = TestChain::new().await;
    // Far enough for the baseline's beacon and verdict, then close to the deadline.
    let near = MsgCreateBounty {
        deadline_height: chain.height + 4 * EPOCH_BLOCKS + 5,
        ..chain.create_msg()
    };
    let bounty_id = chain.open(&near).await;
    let deadline = chain.bounty(bounty_id).await.deadline_height;
    while chain.height + REVEAL_WINDOW < deadline {
        chain.next_block().await;
    }
    assert!(chain.height < deadline);
    let id = chain
        .commit(bounty_id, &alice(), &whole(&chain.blobs.model_a))
        .await;
    assert_eq!(
        chain.submission(id).await.reveal_deadline_height,
        deadline - 1
    );
}

#[tokio::test]
async fn a_commitment_that_is_not_32_bytes_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let good = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    let mut short = good.clone();
    short.commitment.pop();
    assert_eq!(chain.refused(&short).await, ("bounty", 16));
    let mut long = good;
    long.commitment.push(0);
    assert_eq!(chain.refused(&long).await, ("bounty", 16));
}

#[tokio::test]
async fn a_commitment_to_an_unknown_bounty_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let unknown = commit_msg(bounty_id + 1, &alice(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused(&unknown).await, ("bounty", 2));
}

#[tokio::test]
async fn a_commitment_while_the_baseline_is_evaluated_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let create_msg = create(&chain.create_msg());
    chain.ok(&create_msg).await;
    assert_eq!(
        chain.bounty(1).await.status,
        BountyStatus::EvaluatingBaseline as i32
    );
    let early = commit_msg(1, &alice(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused(&early).await, ("bounty", 8));
}

#[tokio::test]
async fn a_commitment_to_a_cancelled_bounty_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    chain
        .ok(&CancelBounty {
            sponsor: sponsor(),
            bounty_id,
        })
        .await;
    let late = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused(&late).await, ("bounty", 8));
}

#[tokio::test]
async fn a_commitment_at_the_deadline_is_refused_before_the_deadline_is_even_processed() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let deadline = chain.bounty(bounty_id).await.deadline_height;
    let msg = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    chain.height = deadline;
    assert_eq!(chain.refused(&msg).await, ("bounty", 8));
    // The block before it is still in time.
    chain.height = deadline - 1;
    chain.ok(&msg).await;
}

#[tokio::test]
async fn a_commitment_past_the_submission_limit_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let models = [
        chain.blobs.model_a.clone(),
        chain.blobs.model_b.clone(),
        chain.blobs.patch.clone(),
    ];
    assert_eq!(models.len(), MAX_SUBMISSIONS as usize);
    for model in &models {
        chain.commit(bounty_id, &alice(), &whole(model)).await;
    }
    let one_more = commit_msg(bounty_id, &bob(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused(&one_more).await, ("bounty", 10));
}

#[tokio::test]
async fn a_commitment_already_used_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let msg = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    chain.ok(&msg).await;
    assert_eq!(chain.refused(&msg).await, ("bounty", 9));
    // The same bytes sent to another bounty are just as taken.
    let other = chain.open_bounty().await;
    let elsewhere = CommitSubmission {
        bounty_id: other,
        ..msg
    };
    assert_eq!(chain.refused(&elsewhere).await, ("bounty", 9));
}

#[tokio::test]
async fn a_submitter_that_cannot_pay_the_fee_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let broke = commit_msg(bounty_id, &nobody(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused(&broke).await, ("bank", 2));
}

#[tokio::test]
async fn a_commitment_out_of_gas_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let msg = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused_with(&msg, 1_000, true).await, ("sdk", 11));
}

#[test]
fn a_commitment_with_a_malformed_address_does_not_parse() {
    let msg = |submitter: String| MsgCommitSubmission {
        submitter,
        bounty_id: 1,
        commitment: vec![0; 32],
    };
    let code = |m: &MsgCommitSubmission| {
        CommitSubmission::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&msg(alice().to_string())), Ok(()));
    assert_eq!(code(&msg("cosmos1xyz".into())), Err(("sdk", 7)));
}

/// The attack of issue 14, item 3: a squatter fills every slot with commitments it never
/// reveals. They used to hold their slots until the bounty closed (for the price of
/// their fees, which the sponsor got back); now each frees its slot when its reveal
/// window ends, and its fee is burned at close.
#[tokio::test]
async fn commitments_never_revealed_free_their_slots_when_their_reveal_window_ends() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let squats = [
        chain.blobs.model_a.clone(),
        chain.blobs.model_b.clone(),
        chain.blobs.patch.clone(),
    ];
    assert_eq!(squats.len(), MAX_SUBMISSIONS as usize);
    let committed_at = chain.height;
    for model in &squats {
        chain.commit(bounty_id, &bob(), &whole(model)).await;
    }
    let alices = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.model_a));
    assert_eq!(chain.refused(&alices).await, ("bounty", 10));
    assert_eq!(
        chain.bounty(bounty_id).await.live_submissions,
        MAX_SUBMISSIONS
    );

    // The last block of their reveal window ends; the next one takes Alice's commit.
    while chain.height <= committed_at + REVEAL_WINDOW {
        chain.next_block().await;
    }
    let b = chain.bounty(bounty_id).await;
    assert_eq!(
        (b.live_submissions, b.submission_count),
        (0, MAX_SUBMISSIONS)
    );
    assert_eq!(b.forfeited_fees, (3 * SUBMISSION_FEE).to_string());
    for id in 1..=3 {
        assert!(!chain.has(&state_key::live_of(bounty_id, id)).await);
    }
    chain.ok(&alices).await;
    let b = chain.bounty(bounty_id).await;
    assert_eq!((b.live_submissions, b.submission_count), (1, 4));
    assert_eq!(
        chain.balance(&bob()).await,
        SUBMITTER_UKZN - 3 * SUBMISSION_FEE
    );
}

/// The same attack by a submitter that can beat the target: copies of its model (or
/// worse ones) fill the slots of a best-by-deadline bounty. Only the leader can still
/// win, so every other verdict frees its slot at once.
#[tokio::test]
async fn beaters_that_can_no_longer_win_free_their_slots_and_the_leader_keeps_one() {
    let mut chain = TestChain::new().await;
    let msg = MsgCreateBounty {
        mode: BountyMode::BestByDeadline as i32,
        ..chain.create_msg()
    };
    let bounty_id = chain.open(&msg).await;
    let beating = BASELINE + MIN_IMPROVEMENT;
    let mut jobs = Vec::new();
    let mut ids = Vec::new();
    for model in [
        chain.blobs.model_a.clone(),
        chain.blobs.model_b.clone(),
        chain.blobs.patch.clone(),
    ] {
        let (id, job) = chain.submit(bounty_id, &bob(), &whole(&model)).await;
        ids.push(id);
        jobs.push(job);
    }
    assert_eq!(
        chain.bounty(bounty_id).await.live_submissions,
        MAX_SUBMISSIONS
    );
    // The second is the best; the first and the third tie below it.
    chain
        .evaluate_all(&[
            (jobs[0], scored(beating)),
            (jobs[1], scored(beating + 10_000)),
            (jobs[2], scored(beating)),
        ])
        .await;
    let b = chain.bounty(bounty_id).await;
    assert_eq!(
        b.status,
        BountyStatus::Open as i32,
        "it waits for its deadline"
    );
    assert_eq!((b.live_submissions, b.leading_submission_id), (1, ids[1]));
    assert!(chain.has(&state_key::live_of(bounty_id, ids[1])).await);
    assert!(!chain.has(&state_key::live_of(bounty_id, ids[0])).await);
    // Two slots are free again, and the leaderboard still shows every score.
    chain
        .commit(bounty_id, &alice(), &whole(&chain.blobs.model_a))
        .await;
    chain
        .commit(bounty_id, &alice(), &whole(&chain.blobs.model_b))
        .await;
    let one_more = commit_msg(bounty_id, &alice(), &whole(&chain.blobs.patch));
    assert_eq!(chain.refused(&one_more).await, ("bounty", 10));
    let board = kaizen_bounty::query::leaderboard(
        &chain.state,
        &kaizen_proto::kaizen::bounty::v1::QueryLeaderboardRequest {
            bounty_id,
            limit: 0,
        },
    )
    .await
    .expect("leaderboard");
    let order: Vec<u64> = board.submissions.iter().map(|s| s.id).collect();
    assert_eq!(
        order,
        vec![ids[1], ids[0], ids[2]],
        "best first, ties: earlier commit"
    );
}
