//! The `bounty` and `attest` modules (and evaluator registration in `staking`) through
//! the mock-consensus harness: the story of a bounty from creation to settlement, each
//! authority rule, both modes, deadlines and refunds, copycat reveals, slashing of
//! minority and silent members, re-assignment after a timeout, and reward conservation.

mod common;

use common::*;
use cosmrs::proto::Any;
use kaizen_app::harness::TestKey;
use kaizen_framework::any;
use kaizen_proto::kaizen::{attest::v1 as attest, bounty::v1 as bounty};

const EPOCH_BLOCKS: u64 = 5;

/// A chain of short epochs (a job's committee is drawn from the beacon two epochs
/// after its creation), with short attestation and reveal windows. Nobody sends epoch
/// randomness here, which costs nothing.
async fn chain(n_evaluators: usize) -> Chain {
    let params = TestParams {
        epoch_blocks: Some(EPOCH_BLOCKS),
        randomness_miss_slash_ppm: Some(0),
        commit_window_blocks: Some(8),
        reveal_window_blocks: Some(8),
        slash_ppm: Some(100_000),
        evaluator_jail_blocks: Some(50),
        submission_reveal_window_blocks: Some(5),
        ..Default::default()
    };
    Chain::start(n_evaluators, &params).await
}

#[tokio::test]
async fn bounty_pays_submitter_and_verifiers_when_target_is_beaten() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let sponsor_before = c.node.balance(&c.sponsor.address).await;
    let bounty_id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let b = query_bounty(&c.node, bounty_id).await;
    assert_eq!(b.effective_target_ppm, 850_000, "baseline + 5 points");
    // The sponsor paid the reward, the baseline's evaluation fee and one tx fee.
    assert_eq!(
        c.node.balance(&c.sponsor.address).await,
        sponsor_before - REWARD - SUBMISSION_FEE - FEE
    );

    let evs_before: Vec<u128> = {
        let mut v = Vec::new();
        for e in &c.evaluators {
            v.push(c.node.balance(&e.address).await);
        }
        v
    };
    let (alice, bob) = (c.alice.clone(), c.bob.clone());
    let alice_before = c.node.balance(&alice.address).await;
    let bob_before = c.node.balance(&bob.address).await;

    // Alice misses the target and earns nothing.
    let (alice_sub, alice_job) = submit(&mut c.node, bounty_id, &alice, &a.model_a).await;
    let (results, _) = evaluate(&mut c, alice_job, |_| Some(scored(820_000))).await;
    results.iter().for_each(ok);
    let s = query_submission(&c.node, alice_sub).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Scored as i32);
    assert!(!s.beats_target);
    assert_eq!(
        query_bounty(&c.node, bounty_id).await.status,
        bounty::BountyStatus::Open as i32
    );

    // Bob beats it: settled in the block of the deciding reveal.
    let (bob_sub, bob_job) = submit(&mut c.node, bounty_id, &bob, &a.model_b).await;
    let (results, events) = evaluate(&mut c, bob_job, |_| Some(scored(910_000))).await;
    results.iter().for_each(ok);
    assert!(
        has_event(&events, "kaizen.bounty.v1.EventBountySettled"),
        "settles in the deciding block"
    );
    let b = query_bounty(&c.node, bounty_id).await;
    assert_eq!(b.status, bounty::BountyStatus::Settled as i32);
    assert_eq!(b.winning_submission_id, bob_sub);
    assert_eq!(
        query_submission(&c.node, bob_sub).await.status,
        bounty::SubmissionStatus::Won as i32
    );

    // Money: Bob gets 80% of the reward plus the division's remainder; the two
    // agreeing members of his job split 20%; each job's fee went to its quorum.
    let job = query_job(&c.node, bob_job).await;
    let verifiers = REWARD * 200_000 / 1_000_000;
    let n = job.agreeing.len() as u128;
    let each = verifiers / n;
    let bob_gain = REWARD - each * n;
    assert_eq!(
        c.node.balance(&bob.address).await,
        bob_before + bob_gain - SUBMISSION_FEE - 2 * FEE
    );
    assert_eq!(
        c.node.balance(&alice.address).await,
        alice_before - SUBMISSION_FEE - 2 * FEE
    );
    let mut evaluator_gain = 0u128;
    for (i, e) in c.evaluators.iter().enumerate() {
        let now = c.node.balance(&e.address).await;
        // Each evaluator paid two txs (commit, reveal) per job it sat on (2 jobs).
        evaluator_gain += now + 4 * FEE - evs_before[i];
    }
    assert_eq!(
        evaluator_gain,
        each * n + 2 * SUBMISSION_FEE,
        "verifier share + two job fees"
    );
    assert_eq!(
        bob_gain + each * n,
        REWARD,
        "the reward is conserved to the last unit"
    );
    assert_eq!(c.node.balance(&kaizen_bounty::bounty_escrow()).await, 0);
    assert_eq!(c.node.balance(&kaizen_attest::attest_pool()).await, 0);

    // The registry: Bob's model, child of the baseline, Bob first among beneficiaries.
    let m = query_model(&c.node, b.winning_model_id).await;
    assert_eq!(m.parent_id, b.baseline_model_id);
    assert_eq!(m.improver, bob.address.to_string());
    assert_eq!(m.score_ppm, 910_000);
    assert_eq!(m.beneficiaries[0].beneficiary, bob.address.to_string());
    assert_eq!(m.beneficiaries[0].royalty_ppm, 20_000);
    let lb = query_leaderboard(&c.node, bounty_id).await;
    let order: Vec<u64> = lb.iter().map(|s| s.id).collect();
    assert_eq!(order, vec![bob_sub, alice_sub]);
}

#[tokio::test]
async fn only_the_sponsor_cancels_and_only_before_any_commit() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let alice = c.alice.clone();
    // Alice signs a cancel naming the sponsor: refused, her key is not the sponsor's
    // (sdk 8, invalid pubkey);
    // naming herself: refused, she is not the sponsor.
    let named_sponsor = any(&bounty::MsgCancelBounty {
        sponsor: c.sponsor.address.to_string(),
        bounty_id: id,
    });
    let r = run(&mut c.node, &alice, vec![named_sponsor]).await;
    assert_code(&r, "sdk", 8);
    let r = run(
        &mut c.node,
        &alice,
        vec![any(&bounty::MsgCancelBounty {
            sponsor: alice.address.to_string(),
            bounty_id: id,
        })],
    )
    .await;
    assert_code(&r, "bounty", 6);
    ok(&run(
        &mut c.node,
        &alice,
        vec![commit_submission(id, &alice, &a.model_a, 1)],
    )
    .await);
    let sponsor = c.sponsor.clone();
    let r = run(
        &mut c.node,
        &sponsor,
        vec![any(&bounty::MsgCancelBounty {
            sponsor: sponsor.address.to_string(),
            bounty_id: id,
        })],
    )
    .await;
    assert_code(&r, "bounty", 7);
    assert_eq!(
        query_bounty(&c.node, id).await.status,
        bounty::BountyStatus::Open as i32
    );

    // A second bounty, untouched, cancels and refunds the reward in full.
    let before = c.node.balance(&sponsor.address).await;
    let id2 = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::BestByDeadline,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let r = run(
        &mut c.node,
        &sponsor,
        vec![any(&bounty::MsgCancelBounty {
            sponsor: sponsor.address.to_string(),
            bounty_id: id2,
        })],
    )
    .await;
    ok(&r);
    assert_eq!(
        query_bounty(&c.node, id2).await.status,
        bounty::BountyStatus::Cancelled as i32
    );
    assert_eq!(
        c.node.balance(&sponsor.address).await,
        before - SUBMISSION_FEE - 2 * FEE
    );
}

#[tokio::test]
async fn only_committee_members_attest_and_only_once_after_committing() {
    let mut c = chain(4).await;
    let a = artifacts(&mut c).await;
    let deadline = c.node.height() + 200;
    let sponsor = c.sponsor.clone();
    let create = any(&create_msg(
        &c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        deadline,
    ));
    ok(&run(&mut c.node, &sponsor, vec![create]).await);
    let b = query_bounty(&c.node, latest_bounty_id(&c.node).await).await;
    let job = drawn_job(&mut c, b.baseline_job_id).await;
    assert_eq!(job.committee.len(), 3);
    let outsider = c
        .evaluators
        .iter()
        .find(|k| !job.committee.contains(&k.address.to_string()))
        .expect("one of four is left out")
        .clone();
    let member = evaluator_named(&c, &job.committee[0]).clone();
    let o = scored(800_000);
    // Not a member.
    assert_code(
        &run(
            &mut c.node,
            &outsider,
            vec![commit_msg(&job, &outsider, &o)],
        )
        .await,
        "attest",
        3,
    );
    // Reveal without a commitment.
    assert_code(
        &run(&mut c.node, &member, vec![reveal_msg(&job, &member, &o)]).await,
        "attest",
        6,
    );
    ok(&run(&mut c.node, &member, vec![commit_msg(&job, &member, &o)]).await);
    // A second commitment.
    assert_code(
        &run(&mut c.node, &member, vec![commit_msg(&job, &member, &o)]).await,
        "attest",
        4,
    );
    // Reveal before the commit phase closes.
    assert_code(
        &run(&mut c.node, &member, vec![reveal_msg(&job, &member, &o)]).await,
        "attest",
        8,
    );
    // Someone signing for the member is refused: the key is not the member's (sdk 8).
    let r = run(&mut c.node, &outsider, vec![commit_msg(&job, &member, &o)]).await;
    assert_code(&r, "sdk", 8);
    // The others commit; the reveal opens.
    let others: Vec<TestKey> = job.committee[1..]
        .iter()
        .map(|m| evaluator_named(&c, m).clone())
        .collect();
    for k in &others {
        ok(&run(&mut c.node, k, vec![commit_msg(&job, k, &o)]).await);
    }
    // A reveal that does not match the commitment.
    assert_code(
        &run(
            &mut c.node,
            &member,
            vec![reveal_msg(&job, &member, &scored(1))],
        )
        .await,
        "attest",
        9,
    );
    ok(&run(&mut c.node, &member, vec![reveal_msg(&job, &member, &o)]).await);
    assert_code(
        &run(&mut c.node, &member, vec![reveal_msg(&job, &member, &o)]).await,
        "attest",
        7,
    );
    // A bad salt and a malformed outcome are refused before state is read.
    let mut bad = attest::MsgRevealAttestation {
        evaluator: member.address.to_string(),
        job_id: job.id,
        score_ppm: 1,
        predictions_digest: vec![0; 32],
        failure_code: 0,
        salt: vec![1; 3],
    };
    assert_code(
        &run(&mut c.node, &member, vec![any(&bad)]).await,
        "attest",
        11,
    );
    bad.salt = vec![1; 16];
    bad.failure_code = 2;
    assert_code(
        &run(&mut c.node, &member, vec![any(&bad)]).await,
        "attest",
        10,
    );
}

#[tokio::test]
async fn submissions_need_their_own_commit_and_reveal_once() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let (alice, bob) = (c.alice.clone(), c.bob.clone());
    ok(&run(
        &mut c.node,
        &alice,
        vec![commit_submission(id, &alice, &a.model_a, 1)],
    )
    .await);
    let sub = last_submission(&c.node, id).await;
    // Bob cannot reveal Alice's commitment.
    assert_code(
        &run(
            &mut c.node,
            &bob,
            vec![reveal_submission(sub, &bob, &a.model_a, 1)],
        )
        .await,
        "bounty",
        12,
    );
    // Alice must reveal what she committed.
    assert_code(
        &run(
            &mut c.node,
            &alice,
            vec![reveal_submission(sub, &alice, &a.model_b, 1)],
        )
        .await,
        "bounty",
        15,
    );
    // The same commitment cannot be used twice.
    assert_code(
        &run(
            &mut c.node,
            &alice,
            vec![commit_submission(id, &alice, &a.model_a, 1)],
        )
        .await,
        "bounty",
        9,
    );
    ok(&run(
        &mut c.node,
        &alice,
        vec![reveal_submission(sub, &alice, &a.model_a, 1)],
    )
    .await);
    assert_code(
        &run(
            &mut c.node,
            &alice,
            vec![reveal_submission(sub, &alice, &a.model_a, 1)],
        )
        .await,
        "bounty",
        13,
    );
    // A model that is not on DA.
    ok(&run(
        &mut c.node,
        &bob,
        vec![commit_submission(id, &bob, &[9; 32], 2)],
    )
    .await);
    let sub_b = last_submission(&c.node, id).await;
    assert_code(
        &run(
            &mut c.node,
            &bob,
            vec![reveal_submission(sub_b, &bob, &[9; 32], 2)],
        )
        .await,
        "bounty",
        5,
    );
    // A reveal after its window (5 blocks).
    empty_blocks(&mut c.node, 6).await;
    assert_code(
        &run(
            &mut c.node,
            &bob,
            vec![reveal_submission(sub_b, &bob, &[9; 32], 2)],
        )
        .await,
        "bounty",
        14,
    );
    assert_eq!(
        query_submission(&c.node, sub_b).await.status,
        bounty::SubmissionStatus::Expired as i32
    );
}

#[tokio::test]
async fn a_rejected_bounty_changes_nothing() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let sponsor = c.sponsor.clone();
    let before = c.node.balance(&sponsor.address).await;
    let deadline = c.node.height() + 100;
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.test_set = vec![5; 32];
    assert_code(
        &run(&mut c.node, &sponsor, vec![any(&m)]).await,
        "bounty",
        5,
    );
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.metric = "recall".into();
    assert_code(
        &run(&mut c.node, &sponsor, vec![any(&m)]).await,
        "bounty",
        4,
    );
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.submitter_share_ppm = 900_000;
    assert_code(
        &run(&mut c.node, &sponsor, vec![any(&m)]).await,
        "bounty",
        3,
    );
    // A quorum that is not a majority of the committee.
    let m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 4, 2, deadline);
    assert_code(
        &run(&mut c.node, &sponsor, vec![any(&m)]).await,
        "attest",
        13,
    );
    // More members than evaluators can be drawn: quorum 4 of 4 with 3 evaluators.
    let m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 4, 4, deadline);
    assert_code(
        &run(&mut c.node, &sponsor, vec![any(&m)]).await,
        "attest",
        12,
    );
    // The reward is more than the sponsor has.
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.reward = "100000000000000".into();
    assert_code(&run(&mut c.node, &sponsor, vec![any(&m)]).await, "bank", 2);
    // Three were refused before execution (no fee), three during it (fee paid).
    assert_eq!(
        c.node.balance(&sponsor.address).await,
        before - 3 * FEE,
        "only tx fees were paid"
    );
    assert_eq!(c.node.balance(&kaizen_bounty::bounty_escrow()).await, 0);
}

#[tokio::test]
async fn nobody_beating_the_target_refunds_the_sponsor_at_the_deadline() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let sponsor_before = c.node.balance(&c.sponsor.address).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        30,
        800_000,
    )
    .await;
    let (alice, carol) = (c.alice.clone(), c.carol.clone());
    let (_, job) = submit(&mut c.node, id, &alice, &a.model_a).await;
    let (results, _) = evaluate(&mut c, job, |_| Some(scored(810_000))).await;
    results.iter().for_each(ok);
    // Carol commits and never reveals: her fee is forfeited, and burned at the close.
    let supply_before = query_supply(&c.node).await;
    ok(&run(
        &mut c.node,
        &carol,
        vec![commit_submission(id, &carol, &a.model_b, 3)],
    )
    .await);
    let deadline = query_bounty(&c.node, id).await.deadline_height;
    while c.node.height() < deadline {
        empty_blocks(&mut c.node, 1).await;
    }
    let b = query_bounty(&c.node, id).await;
    assert_eq!(b.status, bounty::BountyStatus::Refunded as i32);
    assert_eq!(b.closed_height, deadline);
    assert_eq!(
        c.node.balance(&c.sponsor.address).await,
        sponsor_before - SUBMISSION_FEE - FEE,
        "the reward came back, not Carol's forfeited fee; the baseline's fee paid evaluators"
    );
    assert_eq!(
        query_supply(&c.node).await,
        supply_before - SUBMISSION_FEE,
        "Carol's forfeited fee was burned"
    );
    assert_eq!(c.node.balance(&kaizen_bounty::bounty_escrow()).await, 0);
    // After the deadline nothing more is accepted.
    assert_code(
        &run(
            &mut c.node,
            &alice,
            vec![commit_submission(id, &alice, &a.model_b, 9)],
        )
        .await,
        "bounty",
        8,
    );
    assert_eq!(c.node.balance(&kaizen_bounty::bounty_escrow()).await, 0);
}

#[tokio::test]
async fn best_by_deadline_pays_the_best_score_and_ties_go_to_the_earlier_commit() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::BestByDeadline,
        3,
        2,
        60,
        800_000,
    )
    .await;
    let (alice, bob, carol) = (c.alice.clone(), c.bob.clone(), c.carol.clone());
    let (_, ja) = submit(&mut c.node, id, &alice, &a.model_a).await;
    let (sb, jb) = submit(&mut c.node, id, &bob, &a.model_b).await;
    let (_, jc) = submit(&mut c.node, id, &carol, &a.test_set).await;
    evaluate(&mut c, ja, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    evaluate(&mut c, jb, |_| Some(scored(950_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    evaluate(&mut c, jc, |_| Some(scored(950_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    // Beaten, but not settled before the deadline.
    assert_eq!(
        query_bounty(&c.node, id).await.status,
        bounty::BountyStatus::Open as i32
    );
    let deadline = query_bounty(&c.node, id).await.deadline_height;
    while c.node.height() < deadline {
        empty_blocks(&mut c.node, 1).await;
    }
    let b = query_bounty(&c.node, id).await;
    assert_eq!(b.status, bounty::BountyStatus::Settled as i32);
    assert_eq!(
        b.winning_submission_id, sb,
        "Bob and Carol tie at 95%; Bob committed first"
    );
}

#[tokio::test]
async fn a_copycat_reveal_of_someone_elses_model_loses_priority() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let (alice, carol) = (c.alice.clone(), c.carol.clone());
    ok(&run(
        &mut c.node,
        &alice,
        vec![commit_submission(id, &alice, &a.model_a, 1)],
    )
    .await);
    let sa = last_submission(&c.node, id).await;
    ok(&run(
        &mut c.node,
        &alice,
        vec![reveal_submission(sa, &alice, &a.model_a, 1)],
    )
    .await);
    // Carol saw Alice's model on chain and submits the very same blob, later.
    ok(&run(
        &mut c.node,
        &carol,
        vec![commit_submission(id, &carol, &a.model_a, 2)],
    )
    .await);
    let sc = last_submission(&c.node, id).await;
    ok(&run(
        &mut c.node,
        &carol,
        vec![reveal_submission(sc, &carol, &a.model_a, 2)],
    )
    .await);
    let jc = query_submission(&c.node, sc).await.job_id;
    let ja = query_submission(&c.node, sa).await.job_id;
    // Carol's copy happens to be scored first; Alice's commit is earlier, so the
    // bounty waits for Alice's verdict and pays Alice.
    evaluate(&mut c, jc, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    assert_eq!(
        query_bounty(&c.node, id).await.status,
        bounty::BountyStatus::Open as i32
    );
    evaluate(&mut c, ja, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    let b = query_bounty(&c.node, id).await;
    assert_eq!(b.status, bounty::BountyStatus::Settled as i32);
    assert_eq!(b.winning_submission_id, sa);
}

#[tokio::test]
async fn a_member_reporting_a_different_result_is_slashed_and_the_quorum_stands() {
    let mut c = chain(4).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::BestByDeadline,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let alice = c.alice.clone();
    let (sub, job_id) = submit(&mut c.node, id, &alice, &a.model_a).await;
    let job = drawn_job(&mut c, job_id).await;
    let liar = job.committee[0].clone();
    let pool_before = c.node.balance(&kaizen_staking::slashed_pool()).await;
    let (results, _) = evaluate(&mut c, job_id, |m| {
        Some(if m == liar {
            scored(990_000)
        } else {
            scored(900_000)
        })
    })
    .await;
    results.iter().for_each(ok);
    let job = query_job(&c.node, job_id).await;
    assert_eq!(job.status, attest::JobStatus::Scored as i32);
    assert_eq!(job.outcome.as_ref().map(|o| o.score_ppm), Some(900_000));
    assert!(!job.agreeing.contains(&liar));
    assert_eq!(query_submission(&c.node, sub).await.score_ppm, 900_000);
    let liar_key = evaluator_named(&c, &liar).clone();
    let ev = query_evaluator(&c.node, &liar_key.address).await;
    let slash = EVALUATOR_BOND / 10;
    assert!(ev.jailed);
    assert_eq!(ev.bond, (EVALUATOR_BOND - slash).to_string());
    assert_eq!(ev.slashed, slash.to_string());
    assert_eq!(
        c.node.balance(&kaizen_staking::slashed_pool()).await,
        pool_before + slash
    );
    // Jailed: left out of the next job's committee.
    let bob = c.bob.clone();
    let (_, next) = submit(&mut c.node, id, &bob, &a.model_b).await;
    let next = drawn_job(&mut c, next).await;
    assert_eq!(next.committee.len(), 3);
    assert!(!next.committee.contains(&liar));
}

#[tokio::test]
async fn a_silent_member_is_slashed_and_a_timed_out_round_is_reassigned() {
    // Four evaluators, committees of two with a quorum of two: one silent member stops
    // the round, which is re-assigned to a committee without it.
    let mut c = chain(4).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        2,
        2,
        200,
        800_000,
    )
    .await;
    let alice = c.alice.clone();
    let (sub, job_id) = submit(&mut c.node, id, &alice, &a.model_a).await;
    let job = drawn_job(&mut c, job_id).await;
    let silent = job.committee[0].clone();
    let other = job.committee[1].clone();
    // Only the other member commits; the commit window (3 blocks) runs out.
    let other_key = evaluator_named(&c, &other).clone();
    ok(&run(
        &mut c.node,
        &other_key,
        vec![commit_msg(&job, &other_key, &scored(900_000))],
    )
    .await);
    for _ in 0..20 {
        if query_job(&c.node, job_id).await.round == 1 {
            break;
        }
        empty_blocks(&mut c.node, 1).await;
    }
    let job = drawn_job(&mut c, job_id).await;
    assert_eq!(job.round, 1, "re-assigned");
    assert!(job.excluded.contains(&silent));
    assert!(!job.committee.contains(&silent));
    assert_eq!(job.status, attest::JobStatus::Committing as i32);
    let silent_key = evaluator_named(&c, &silent).clone();
    let ev = query_evaluator(&c.node, &silent_key.address).await;
    assert!(ev.jailed);
    assert_eq!(ev.faults, 1);
    // The new committee scores it; the bounty settles.
    evaluate(&mut c, job_id, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    assert_eq!(
        query_submission(&c.node, sub).await.status,
        bounty::SubmissionStatus::Won as i32
    );
}

#[tokio::test]
async fn a_member_that_commits_but_never_reveals_is_slashed_when_the_window_ends() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::BestByDeadline,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let alice = c.alice.clone();
    let (_, job_id) = submit(&mut c.node, id, &alice, &a.model_a).await;
    let job = drawn_job(&mut c, job_id).await;
    let keys: Vec<TestKey> = job
        .committee
        .iter()
        .map(|m| evaluator_named(&c, m).clone())
        .collect();
    let o = scored(900_000);
    let commits: Vec<(&TestKey, Vec<Any>)> = keys
        .iter()
        .map(|k| (k, vec![commit_msg(&job, k, &o)]))
        .collect();
    block(&mut c.node, commits).await.0.iter().for_each(ok);
    let job = query_job(&c.node, job_id).await;
    // Two reveal (the verdict is reached), the third stays silent.
    let reveals: Vec<(&TestKey, Vec<Any>)> = keys[..2]
        .iter()
        .map(|k| (k, vec![reveal_msg(&job, k, &o)]))
        .collect();
    block(&mut c.node, reveals).await.0.iter().for_each(ok);
    assert_eq!(
        query_job(&c.node, job_id).await.status,
        attest::JobStatus::Scored as i32
    );
    assert!(!query_evaluator(&c.node, &keys[2].address).await.jailed);
    for _ in 0..10 {
        if query_evaluator(&c.node, &keys[2].address).await.jailed {
            break;
        }
        empty_blocks(&mut c.node, 1).await;
    }
    let ev = query_evaluator(&c.node, &keys[2].address).await;
    assert!(ev.jailed, "slashed once the reveal window ended");
    assert_eq!(ev.bond, (EVALUATOR_BOND - EVALUATOR_BOND / 10).to_string());
    // The two that revealed kept their bond and were paid the job's fee.
    assert!(!query_evaluator(&c.node, &keys[0].address).await.jailed);
}

#[tokio::test]
async fn a_failed_verdict_and_a_job_without_quorum_do_not_leave_a_bounty_stuck() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let (alice, bob) = (c.alice.clone(), c.bob.clone());
    // Alice's model is malformed: the committee agrees on failure code 1.
    let (sa, ja) = submit(&mut c.node, id, &alice, &a.model_a).await;
    evaluate(&mut c, ja, |_| Some(failed(1)))
        .await
        .0
        .iter()
        .for_each(ok);
    let s = query_submission(&c.node, sa).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Failed as i32);
    assert_eq!(s.failure_code, 1);
    // Bob's job: nobody ever acts; after max_rounds the fee goes back to Bob.
    let bob_before = c.node.balance(&bob.address).await;
    let (sb, jb) = submit(&mut c.node, id, &bob, &a.model_b).await;
    for _ in 0..40 {
        if query_job(&c.node, jb).await.status == attest::JobStatus::NoQuorum as i32 {
            break;
        }
        empty_blocks(&mut c.node, 1).await;
    }
    assert_eq!(
        query_job(&c.node, jb).await.status,
        attest::JobStatus::NoQuorum as i32
    );
    let s = query_submission(&c.node, sb).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Failed as i32);
    assert_eq!(s.failure_code, kaizen_bounty::NO_QUORUM_FAILURE);
    assert_eq!(
        c.node.balance(&bob.address).await,
        bob_before - 2 * FEE,
        "fee refunded"
    );
}

#[tokio::test]
async fn a_baseline_verdict_after_the_deadline_refunds_the_sponsor_at_once() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let sponsor = c.sponsor.clone();
    let before = c.node.balance(&sponsor.address).await;
    // The deadline is 2 blocks away; the committee takes longer than that (it has 8
    // blocks to commit), so the deadline passes while the baseline is being evaluated.
    let deadline = c.node.height() + 2;
    let create = any(&create_msg(
        &c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        deadline,
    ));
    ok(&run(&mut c.node, &sponsor, vec![create]).await);
    let id = latest_bounty_id(&c.node).await;
    empty_blocks(&mut c.node, 3).await;
    let b = query_bounty(&c.node, id).await;
    assert!(c.node.height() > b.deadline_height);
    assert_eq!(b.status, bounty::BountyStatus::EvaluatingBaseline as i32);
    let (results, _) = evaluate(&mut c, b.baseline_job_id, |_| Some(scored(500_000))).await;
    results.iter().for_each(ok);
    // The verdict opens the bounty, and in the same block its passed deadline closes it:
    // nothing is left for a deadline that was already consumed.
    let b = query_bounty(&c.node, id).await;
    assert_eq!(b.status, bounty::BountyStatus::Refunded as i32, "{b:?}");
    assert_eq!(c.node.balance(&kaizen_bounty::bounty_escrow()).await, 0);
    // The sponsor paid the baseline job's fee and its transaction fees, nothing more.
    let job_fee: u128 = b.submission_fee.parse().unwrap_or(0);
    assert_eq!(
        c.node.balance(&sponsor.address).await,
        before - FEE - job_fee
    );
}

#[tokio::test]
async fn a_sponsor_filling_its_own_bounty_with_unrevealed_commits_loses_their_fees() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        30,
        800_000,
    )
    .await;
    // The sponsor commits three submissions it never reveals, to take the slots.
    let sponsor = c.sponsor.clone();
    let before = c.node.balance(&sponsor.address).await;
    for salt in 0..3u8 {
        ok(&run(
            &mut c.node,
            &sponsor,
            vec![commit_submission(id, &sponsor, &a.model_b, salt)],
        )
        .await);
    }
    let deadline = query_bounty(&c.node, id).await.deadline_height;
    advance_to(&mut c.node, deadline).await;
    let b = query_bounty(&c.node, id).await;
    assert_eq!(b.status, bounty::BountyStatus::Refunded as i32);
    // It got its reward back, but not the three fees: squatting the slots cost it 3
    // fees (it got them back before, which made it free).
    assert_eq!(
        c.node.balance(&sponsor.address).await,
        before + REWARD - 3 * (SUBMISSION_FEE + FEE)
    );
}

#[tokio::test]
async fn a_submitter_who_is_an_evaluator_never_judges_its_own_submission() {
    let mut c = chain(3).await;
    let a = artifacts(&mut c).await;
    let id = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    // An evaluator submits: with 3 evaluators and a committee of 3 it would sit on its
    // own committee (and with a quorum of 2, one accomplice would decide).
    let insider = c.evaluators[0].clone();
    let (_, job) = submit(&mut c.node, id, &insider, &a.model_a).await;
    let job = drawn_job(&mut c, job).await;
    let insider_address = insider.address.to_string();
    assert!(
        !job.committee.contains(&insider_address),
        "{:?}",
        job.committee
    );
    assert_eq!(job.committee.len(), 2, "the two other evaluators");
    assert!(job.excluded.contains(&insider_address));
    assert!(job.excluded.contains(&c.sponsor.address.to_string()));
}
