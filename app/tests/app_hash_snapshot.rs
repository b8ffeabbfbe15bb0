//! Snapshot of the app hash through one scenario that executes every message the app
//! dispatches (`app/src/msg.rs`), each with code 0, and crosses every module's block
//! hooks (`app/src/components.rs`; `auth` and `bank` have none): an epoch boundary, a
//! blob expiry, missed storage challenges that jail, an attestation round that times out
//! and slashes, bounty verdicts, a reveal expiry and a bounty settled at its deadline.
//!
//! A changed hash is a consensus-breaking change: if it is on purpose, paste the new
//! values (a failing run prints every stage's) and say so in the change; if not,
//! something changed state encoding, gas or a rule. Each stage also asserts a plain fact
//! about state, so a failure there explains itself before the hashes are compared.

mod common;

use common::*;
use cosmrs::proto::cosmos::bank::v1beta1::MsgSend;
use kaizen_app::harness::{msg_send, TestKey, TestNode, TEST_CHAIN_ID};
use kaizen_app::msg::Msg;
use kaizen_da_core::assignment::randomness_message;
use kaizen_framework::any;
use kaizen_proto::kaizen::{
    attest::v1 as attest, bounty::v1 as bounty, da::v1 as da, staking::v1 as staking,
};
use prost::Name;

// Genesis: four DA operators, four evaluators, the parameters of `params()`.
const GENESIS_HASH: &str = "d659a4567026b94836a26401fde3c761626d7d8074bc5384fce9c0829a2314e8";
// bank MsgSend, twice in one tx: to a new account and to the DA pool.
const AFTER_SEND_HASH: &str = "c8898e741c8a4b724d402c960bea8752a02cf9fd7bb8f1898fba8e4f39771c4c";
// staking MsgRegisterDaOperator and MsgRegisterEvaluator.
const AFTER_REGISTRATIONS_HASH: &str =
    "55c81df0af2169be4ae7751a92cde0f09131b6a7ac510f8ba5c1c9cbcd45c79f";
// da MsgPayForBlob and MsgCertifyBlob (five blobs), MsgSubmitRandomness.
const AFTER_BLOBS_HASH: &str = "c61244af5b08323b94375eb239c1c6bde80b30d2c7895499fd6004d38fc241a6";
// da end-block: a blob expires.
const AFTER_EXPIRY_HASH: &str = "840c12d0efa4e154feac24465668f234dbac5d9fdf50debed24f7c998294942a";
// bounty MsgCreateBounty, attest MsgCommit/RevealAttestation, end-block verdict.
const AFTER_BOUNTY_OPEN_HASH: &str =
    "209eeccc10ac2775d0fae6be7a383861eb5d0aac9158bbd429e2bd4e473923a6";
// bounty MsgCommit/RevealSubmission; attest end-block slashes a silent member.
const AFTER_SLASH_HASH: &str = "48ed0cda5d973058e032e2bd62fd268aa81195e8c03ec55fb3bc08b2b5e64e19";
// bounty MsgCancelBounty; bounty end-block: a reveal expires, a deadline settles.
const AFTER_DEADLINE_HASH: &str =
    "f76b990045aca4c7d9d5e4e0fa6dfe15417cc7c7609dbce5e381b50f4c1b1b84";
// staking MsgUnjailEvaluator after the jail time: the end of the scenario.
const AFTER_EVALUATOR_UNJAIL_HASH: &str =
    "e19346e25c376ce78310bd1532235d20262003165e427935967cb75c35b91c5d";
// staking and da begin-block at the epoch boundary: seed, quorum, challenges.
const AFTER_EPOCH_HASH: &str = "091f96f7ca7a97f165f5046d234cff89d1e0bc86e766299d0c8a30d0b430234a";
// da MsgAnswerChallenge; da end-block: missed challenges jail an operator.
const AFTER_CHALLENGES_HASH: &str =
    "70a2efd630ba3719e4b0f9f7d16acf01138b188d7195972aff8d9e441abb4543";
// staking MsgUnjailDaOperator: the end of the DA stages.
const FINAL_HASH: &str = "77abaf8fcce00208082f89a04eab8dbf717019788b248927f1ebc713edfe4ffb";

/// Blocks per epoch: the scenario's first epoch holds every DA stage up to the boundary.
const EPOCH_BLOCKS: u64 = 60;

fn params() -> TestParams {
    TestParams {
        epoch_blocks: Some(EPOCH_BLOCKS),
        max_consecutive_misses: Some(1),
        operator_jail_blocks: Some(5),
        challenge_window_blocks: Some(3),
        challenges_per_epoch: Some(8),
        min_retention_blocks: Some(5),
        commit_window_blocks: Some(3),
        reveal_window_blocks: Some(3),
        slash_ppm: Some(100_000),
        evaluator_jail_blocks: Some(10),
        submission_reveal_window_blocks: Some(3),
        // The default: members that send no randomness are slashed at the boundary.
        randomness_miss_slash_ppm: None,
    }
}

/// The app hash after each stage, compared at the end so that one run reports every
/// stage that changed, with the values to paste.
#[derive(Default)]
struct Pins(Vec<(&'static str, &'static str, String)>);

impl Pins {
    async fn record(&mut self, node: &TestNode, name: &'static str, expected: &'static str) {
        let info = node.info().await.expect("info");
        self.0
            .push((name, expected, hex::encode(info.last_block_app_hash)));
    }

    fn check(&self) {
        let changed: Vec<&str> = self
            .0
            .iter()
            .filter(|(_, expected, actual)| expected != actual)
            .map(|(name, _, _)| *name)
            .collect();
        let actual: Vec<String> = self
            .0
            .iter()
            .map(|(name, _, actual)| format!("const {name}: &str = \"{actual}\";"))
            .collect();
        assert!(
            changed.is_empty(),
            "app hash changed at {changed:?}; this run's hashes:\n{}",
            actual.join("\n")
        );
    }
}

macro_rules! pin {
    ($pins:expr, $node:expr, $hash:ident) => {
        $pins.record($node, stringify!($hash), $hash).await
    };
}

#[tokio::test]
async fn app_hash_after_genesis_and_every_message_and_block_hook_is_unchanged() {
    let mut c = Chain::start(4, &params()).await;
    let mut pins = Pins::default();
    assert_eq!(query_quorum(&c.node, 0).await.members.len(), 4);
    pin!(pins, &c.node, GENESIS_HASH);

    // bank: Alice funds a new evaluator's account and the DA pool (challenge rewards).
    let newcomer = TestKey::new("evaluator4");
    let alice = c.alice.clone();
    let send = vec![
        msg_send(&alice.address, &newcomer.address, 10_000_000),
        msg_send(&alice.address, &kaizen_da_module::da_pool(), 1_000_000),
    ];
    ok(&run(&mut c.node, &alice, send).await);
    assert_eq!(c.node.balance(&newcomer.address).await, 10_000_000);
    pin!(pins, &c.node, AFTER_SEND_HASH);

    // staking: Alice registers as a DA operator (in the quorum from the next epoch),
    // the newcomer as an evaluator (in committees at once).
    let alice_bls = bls_key("newcomer");
    let register_operator = staking::MsgRegisterDaOperator {
        operator: alice.address.to_string(),
        bls_public_key: alice_bls.public_key().to_vec(),
        proof_of_possession: alice_bls.proof_of_possession().to_vec(),
        endpoint: "http://127.0.0.1:7200".into(),
        bond: DA_BOND.to_string(),
    };
    let register_evaluator = staking::MsgRegisterEvaluator {
        evaluator: newcomer.address.to_string(),
        bond: EVALUATOR_BOND.to_string(),
        endpoint: String::new(),
    };
    let (results, _) = block(
        &mut c.node,
        vec![
            (&alice, vec![any(&register_operator)]),
            (&newcomer, vec![any(&register_evaluator)]),
        ],
    )
    .await;
    results.iter().for_each(ok);
    assert_eq!(query_da_operators(&c.node).await.len(), 5);
    assert_eq!(
        query_evaluator(&c.node, &newcomer.address).await.bond,
        EVALUATOR_BOND.to_string()
    );
    c.operators.push(Operator {
        key: alice.clone(),
        bls: alice_bls,
    });
    c.evaluators.push(newcomer);
    pin!(pins, &c.node, AFTER_REGISTRATIONS_HASH);

    // da: the bounty's four blobs, and a fifth kept for the least retention; an
    // operator's randomness for epoch 1.
    let a = artifacts(&mut c).await;
    let sponsor = c.sponsor.clone();
    let short_lived = encoded_blob(700, 13, 5, 2, 2);
    let short = certified_blob(&mut c.node, &sponsor, &c.operators, &short_lived, 5).await;
    assert_eq!(short.status, da::BlobStatus::Available as i32);
    let seed0 = query_quorum(&c.node, 0).await.seed;
    let op0 = &c.operators[0];
    let randomness = da::MsgSubmitRandomness {
        operator: op0.key.address.to_string(),
        epoch: 0,
        output: op0
            .bls
            .sign(&randomness_message(TEST_CHAIN_ID, 1, &seed0))
            .to_vec(),
    };
    let op0_key = op0.key.clone();
    ok(&run(&mut c.node, &op0_key, vec![any(&randomness)]).await);
    for commitment in [&a.test_set, &a.baseline, &a.model_a, &a.model_b] {
        assert_eq!(
            query_blob(&c.node, commitment).await.status,
            da::BlobStatus::Available as i32
        );
    }
    pin!(pins, &c.node, AFTER_BLOBS_HASH);

    // da end-block: the short blob expires.
    let events = advance_to(&mut c.node, short.expires_height).await;
    assert!(has_event(&events, "kaizen.da.v1.EventBlobExpired"));
    assert_eq!(
        query_blob(&c.node, &short.commitment).await.status,
        da::BlobStatus::Expired as i32
    );
    pin!(pins, &c.node, AFTER_EXPIRY_HASH);

    // staking and da begin-block: epoch 1 starts with a seed that took one operator's
    // randomness; the three members that withheld theirs are slashed below the least
    // bond, so the quorum is that operator and Alice; challenges over the four live
    // blobs.
    assert!(
        c.node.height() < EPOCH_BLOCKS,
        "the first epoch holds the stages above"
    );
    let events = advance_to(&mut c.node, EPOCH_BLOCKS).await;
    let started = events
        .iter()
        .find_map(|e| {
            kaizen_proto::event::parse_event::<da::EventEpochStarted>(
                &e.r#type,
                e.attributes
                    .iter()
                    .map(|a| (a.key.as_str(), a.value.as_str())),
            )
        })
        .expect("epoch 1 started")
        .expect("parses");
    assert_eq!(
        (
            started.epoch,
            started.quorum_size,
            started.randomness_contributions
        ),
        (1, 2, 1)
    );
    let withheld = events
        .iter()
        .filter(|e| e.r#type == "kaizen.da.v1.EventRandomnessWithheld")
        .count();
    assert_eq!(withheld, 3);
    assert!(has_event(&events, "kaizen.da.v1.EventChallengeIssued"));
    pin!(pins, &c.node, AFTER_EPOCH_HASH);

    // da: every challenged operator answers but the first, which misses and is jailed.
    let mut challenged = Vec::new();
    for o in &c.operators {
        let open = query_challenges(&c.node, &o.key.address).await;
        if !open.is_empty() {
            challenged.push((o.key.clone(), open));
        }
    }
    assert!(challenged.len() >= 2, "8 draws over 4 holders reach two");
    let (misser, missed) = challenged.remove(0);
    let answers: Vec<(&TestKey, Vec<_>)> = challenged
        .iter()
        .map(|(key, open)| {
            let msgs = open
                .iter()
                .map(|ch| {
                    let blob = a
                        .blobs
                        .iter()
                        .find(|b| b.blob_ref.commitment.as_slice() == ch.commitment.as_slice())
                        .expect("a challenged blob is one of the bounty's");
                    any(&answer(key, blob, ch))
                })
                .collect();
            (key, msgs)
        })
        .collect();
    let (results, _) = block(&mut c.node, answers).await;
    results.iter().for_each(ok);
    let deadline = missed
        .iter()
        .map(|ch| ch.deadline_height)
        .max()
        .expect("one");
    advance_to(&mut c.node, deadline + 1).await;
    let op = query_da_operator(&c.node, &misser.address).await;
    assert!(op.jailed);
    assert_eq!(op.missed_challenges, missed.len() as u64);
    for (key, open) in &challenged {
        let op = query_da_operator(&c.node, &key.address).await;
        assert_eq!(
            (op.jailed, op.answered_challenges),
            (false, open.len() as u64)
        );
    }
    pin!(pins, &c.node, AFTER_CHALLENGES_HASH);

    // staking: the jailed operator comes back once its jail time has passed.
    let until = query_da_operator(&c.node, &misser.address)
        .await
        .jailed_until_height;
    advance_to(&mut c.node, until - 1).await;
    let unjail = staking::MsgUnjailDaOperator {
        operator: misser.address.to_string(),
    };
    ok(&run(&mut c.node, &misser, vec![any(&unjail)]).await);
    assert!(!query_da_operator(&c.node, &misser.address).await.jailed);
    pin!(pins, &c.node, FINAL_HASH);

    // The bounty stages come after the epoch stages: a job's committee is drawn from the
    // beacon two epochs after its creation, so they span epoch boundaries (whose
    // challenges nobody answers and whose randomness nobody sends any more).
    // bounty and attest: a first-to-beat bounty, opened by its baseline's verdict.
    let first = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    assert_eq!(
        c.node.balance(&kaizen_bounty::bounty_escrow()).await,
        REWARD
    );
    pin!(pins, &c.node, AFTER_BOUNTY_OPEN_HASH);

    // attest end-block: one member of Alice's committee stays silent past the commit
    // window and is slashed; the other two decide, and the bounty settles.
    let (sub, job_id) = submit(&mut c.node, first, &alice, &a.model_a).await;
    let silent = drawn_job(&mut c, job_id).await.committee[0].clone();
    let slashed_before = c.node.balance(&kaizen_staking::slashed_pool()).await;
    let (results, _) = evaluate(&mut c, job_id, |m| (m != silent).then(|| scored(900_000))).await;
    results.iter().for_each(ok);
    let silent_key = evaluator_named(&c, &silent).clone();
    let ev = query_evaluator(&c.node, &silent_key.address).await;
    assert!(ev.jailed);
    assert_eq!(ev.slashed, (EVALUATOR_BOND / 10).to_string());
    assert_eq!(
        c.node.balance(&kaizen_staking::slashed_pool()).await,
        slashed_before + EVALUATOR_BOND / 10
    );
    let b = query_bounty(&c.node, first).await;
    assert_eq!(b.status, bounty::BountyStatus::Settled as i32);
    assert_eq!(b.winning_submission_id, sub);
    pin!(pins, &c.node, AFTER_SLASH_HASH);

    // bounty end-block: a best-by-deadline bounty with Bob's scored submission and
    // Carol's unrevealed one; a third bounty is cancelled before any submission.
    let best = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::BestByDeadline,
        3,
        2,
        // Room for three committees' beacons (two epochs each) before the deadline.
        8 * EPOCH_BLOCKS,
        800_000,
    )
    .await;
    let (bob, carol) = (c.bob.clone(), c.carol.clone());
    let (bob_sub, bob_job) = submit(&mut c.node, best, &bob, &a.model_b).await;
    let (results, _) = evaluate(&mut c, bob_job, |_| Some(scored(950_000))).await;
    results.iter().for_each(ok);
    ok(&run(
        &mut c.node,
        &carol,
        vec![commit_submission(best, &carol, &a.model_a, 3)],
    )
    .await);
    let carol_sub = last_submission(&c.node, best).await;
    let cancelled = open_bounty(
        &mut c,
        &a,
        bounty::BountyMode::FirstToBeat,
        3,
        2,
        200,
        800_000,
    )
    .await;
    let cancel = bounty::MsgCancelBounty {
        sponsor: sponsor.address.to_string(),
        bounty_id: cancelled,
    };
    ok(&run(&mut c.node, &sponsor, vec![any(&cancel)]).await);
    let deadline = query_bounty(&c.node, best).await.deadline_height;
    assert!(c.node.height() < deadline, "the deadline is still ahead");
    advance_to(&mut c.node, deadline).await;
    assert_eq!(
        query_submission(&c.node, carol_sub).await.status,
        bounty::SubmissionStatus::Expired as i32
    );
    let b = query_bounty(&c.node, best).await;
    assert_eq!(b.status, bounty::BountyStatus::Settled as i32);
    assert_eq!(
        (b.closed_height, b.winning_submission_id),
        (deadline, bob_sub)
    );
    assert_eq!(
        query_bounty(&c.node, cancelled).await.status,
        bounty::BountyStatus::Cancelled as i32
    );
    assert_eq!(c.node.balance(&kaizen_bounty::bounty_escrow()).await, 0);
    pin!(pins, &c.node, AFTER_DEADLINE_HASH);

    // staking: the slashed evaluator comes back once its jail time has passed.
    let until = query_evaluator(&c.node, &silent_key.address)
        .await
        .jailed_until_height;
    advance_to(&mut c.node, until.saturating_sub(1)).await;
    let unjail = staking::MsgUnjailEvaluator {
        evaluator: silent_key.address.to_string(),
    };
    ok(&run(&mut c.node, &silent_key, vec![any(&unjail)]).await);
    assert!(!query_evaluator(&c.node, &silent_key.address).await.jailed);
    pin!(pins, &c.node, AFTER_EVALUATOR_UNJAIL_HASH);

    pins.check();
}

/// The messages the scenario above executes. A message added to `app/src/msg.rs` fails
/// this test until the scenario executes it too and it is listed here.
#[test]
fn the_scenario_executes_every_message_the_app_dispatches() {
    let mut executed = vec![
        MsgSend::type_url(),
        staking::MsgRegisterDaOperator::type_url(),
        staking::MsgRegisterEvaluator::type_url(),
        staking::MsgUnjailDaOperator::type_url(),
        staking::MsgUnjailEvaluator::type_url(),
        da::MsgPayForBlob::type_url(),
        da::MsgCertifyBlob::type_url(),
        da::MsgAnswerChallenge::type_url(),
        da::MsgSubmitRandomness::type_url(),
        attest::MsgCommitAttestation::type_url(),
        attest::MsgRevealAttestation::type_url(),
        bounty::MsgCreateBounty::type_url(),
        bounty::MsgCancelBounty::type_url(),
        bounty::MsgCommitSubmission::type_url(),
        bounty::MsgRevealSubmission::type_url(),
    ];
    let mut dispatched = Msg::type_urls();
    executed.sort();
    dispatched.sort();
    assert_eq!(executed, dispatched);
}
