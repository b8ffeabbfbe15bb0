//! The `bounty` and `attest` modules (and evaluator registration in `staking`) through
//! the mock-consensus harness: the story of a bounty from creation to settlement, each
//! authority rule, both modes, deadlines and refunds, copycat reveals, slashing of
//! minority and silent members, re-assignment after a timeout, and reward conservation.

use cosmrs::proto::Any;
use kaizen_app::{
    genesis::AppGenesis,
    harness::{genesis_with_balances, TestKey, TestNode, TEST_CHAIN_ID},
};
use kaizen_attest::attestation_commitment;
use kaizen_bounty::submission_commitment;
use kaizen_da_core::{
    assignment::availability_message,
    blob::{encode_blob, EncodedBlob},
    CpuCoder, ErasureParams,
};
use kaizen_framework::any;
use kaizen_framework::{
    bls::{aggregate_signatures, BlsKey},
    Address,
};
use kaizen_proto::kaizen::{
    attest::v1 as attest, bounty::v1 as bounty, da::v1 as da, staking::v1 as staking,
};
use kaizen_staking::{GenesisDaOperator, GenesisEvaluator};
use sha2::{Digest, Sha256};
use tendermint_proto::v0_38::abci::ExecTxResult;

const FEE: u128 = 2_000;
const REWARD: u128 = 10_000_000;
const SUBMISSION_FEE: u128 = 30_000;
const EVALUATOR_BOND: u128 = 5_000_000;

struct Chain {
    node: TestNode,
    operators: Vec<(TestKey, BlsKey)>,
    sponsor: TestKey,
    evaluators: Vec<TestKey>,
    alice: TestKey,
    bob: TestKey,
    carol: TestKey,
}

fn genesis(
    operators: &[(TestKey, BlsKey)],
    people: &[&TestKey],
    evaluators: &[TestKey],
) -> AppGenesis {
    let mut balances: Vec<(&Address, u128)> =
        people.iter().map(|k| (&k.address, 1_000_000_000)).collect();
    for (k, _) in operators {
        balances.push((&k.address, 50_000_000));
    }
    for k in evaluators {
        balances.push((&k.address, 50_000_000));
    }
    let mut g = genesis_with_balances(&balances);
    g.staking.params.epoch_blocks = 1000;
    g.staking.da_operators = operators
        .iter()
        .enumerate()
        .map(|(i, (k, bls))| GenesisDaOperator {
            address: k.address.to_string(),
            bls_public_key: hex::encode(bls.public_key()),
            proof_of_possession: hex::encode(bls.proof_of_possession()),
            endpoint: format!("http://127.0.0.1:{}", 7100 + i),
            bond: "1000000".into(),
        })
        .collect();
    g.staking.evaluators = evaluators
        .iter()
        .map(|k| GenesisEvaluator {
            address: k.address.to_string(),
            bond: EVALUATOR_BOND.to_string(),
            endpoint: String::new(),
        })
        .collect();
    g.attest.params.commit_window_blocks = 8;
    g.attest.params.reveal_window_blocks = 8;
    g.attest.params.slash_ppm = 100_000;
    g.attest.params.jail_blocks = 50;
    g.bounty.params.reveal_window_blocks = 5;
    g
}

async fn chain(n_evaluators: usize) -> Chain {
    let operators: Vec<(TestKey, BlsKey)> = (0..4)
        .map(|i| {
            (
                TestKey::new(&format!("operator{i}")),
                BlsKey::from_seed(&Sha256::digest(format!("bls/op{i}"))).expect("seed"),
            )
        })
        .collect();
    let evaluators: Vec<TestKey> = (0..n_evaluators)
        .map(|i| TestKey::new(&format!("evaluator{i}")))
        .collect();
    let sponsor = TestKey::new("sponsor");
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let carol = TestKey::new("carol");
    let g = genesis(&operators, &[&sponsor, &alice, &bob, &carol], &evaluators);
    let node = TestNode::start(&g).await.expect("node starts");
    Chain {
        node,
        operators,
        sponsor,
        evaluators,
        alice,
        bob,
        carol,
    }
}

/// Runs one block with one transaction per `(signer, messages)`; returns the results.
async fn block(
    c: &mut Chain,
    txs: Vec<(&TestKey, Vec<Any>)>,
) -> (Vec<ExecTxResult>, Vec<tendermint_proto::v0_38::abci::Event>) {
    let mut raw = Vec::new();
    for (key, msgs) in txs {
        let mut tx = c.node.tx_for(key, msgs).await.expect("account exists");
        tx.gas_limit = 2_000_000;
        tx.fee = FEE;
        raw.push(tx.sign(key).expect("signs"));
    }
    let outcome = c.node.block(raw).await.expect("block runs");
    (outcome.tx_results, outcome.events)
}

async fn run(c: &mut Chain, key: &TestKey, msgs: Vec<Any>) -> ExecTxResult {
    block(c, vec![(key, msgs)]).await.0.remove(0)
}

fn ok(r: &ExecTxResult) {
    assert_eq!(r.code, 0, "{} {}", r.codespace, r.log);
}

fn assert_code(r: &ExecTxResult, codespace: &str, code: u32) {
    assert_eq!(
        (r.codespace.as_str(), r.code),
        (codespace, code),
        "log: {}",
        r.log
    );
}

async fn empty_blocks(c: &mut Chain, n: u64) {
    for _ in 0..n {
        c.node.block(vec![]).await.expect("empty block");
    }
}

/// A blob paid for by the sponsor and certified by every quorum member: its commitment.
async fn available_blob(c: &mut Chain, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..5000u32)
        .map(|i| (i as u8).wrapping_mul(7) ^ seed)
        .collect();
    let blob: EncodedBlob = encode_blob(
        &CpuCoder::single_threaded(),
        0,
        &data,
        ErasureParams { k: 2, m: 2 },
    )
    .expect("encodes");
    let commitment = blob.blob_ref.commitment.to_vec();
    let sponsor = c.sponsor.clone();
    ok(&run(
        c,
        &sponsor,
        vec![any(&da::MsgPayForBlob {
            payer: sponsor.address.to_string(),
            commitment: commitment.clone(),
            size: blob.blob_ref.size,
            original_shards: 2,
            recovery_shards: 2,
            codec: "rs16".into(),
            retention_blocks: 10_000,
            max_fee: "1000000000".into(),
        })],
    )
    .await);
    let record: da::QueryBlobResponse = c
        .node
        .query(
            "/kaizen.da.v1.Query/Blob",
            &da::QueryBlobRequest {
                commitment: commitment.clone(),
            },
        )
        .await
        .expect("blob");
    let record = record.blob.expect("blob");
    let quorum: da::QueryQuorumResponse = c
        .node
        .query(
            "/kaizen.da.v1.Query/Quorum",
            &da::QueryQuorumRequest {
                epoch: record.epoch,
                current: false,
            },
        )
        .await
        .expect("quorum");
    let quorum = quorum.quorum.expect("quorum");
    let c32: [u8; 32] = commitment.as_slice().try_into().expect("32");
    let message = availability_message(TEST_CHAIN_ID, &c32, record.epoch);
    let mut bitmap = vec![0u8; quorum.members.len().div_ceil(8)];
    let mut sigs = Vec::new();
    for (p, m) in quorum.members.iter().enumerate() {
        bitmap[p / 8] |= 1 << (p % 8);
        let (_, bls) = c
            .operators
            .iter()
            .find(|(k, _)| k.address.to_string() == m.operator)
            .expect("ours");
        sigs.push(bls.sign(&message));
    }
    let refs: Vec<&[u8]> = sigs.iter().map(|s| s.as_slice()).collect();
    ok(&run(
        c,
        &sponsor,
        vec![any(&da::MsgCertifyBlob {
            submitter: sponsor.address.to_string(),
            commitment: commitment.clone(),
            signer_bitmap: bitmap,
            aggregate_signature: aggregate_signatures(&refs).expect("aggregates").to_vec(),
        })],
    )
    .await);
    commitment
}

struct Artifacts {
    test_set: Vec<u8>,
    baseline: Vec<u8>,
    model_a: Vec<u8>,
    model_b: Vec<u8>,
}

async fn artifacts(c: &mut Chain) -> Artifacts {
    Artifacts {
        test_set: available_blob(c, 1).await,
        baseline: available_blob(c, 2).await,
        model_a: available_blob(c, 3).await,
        model_b: available_blob(c, 4).await,
    }
}

fn create_msg(
    c: &Chain,
    a: &Artifacts,
    mode: bounty::BountyMode,
    committee: u32,
    quorum: u32,
    deadline: u64,
) -> bounty::MsgCreateBounty {
    bounty::MsgCreateBounty {
        sponsor: c.sponsor.address.to_string(),
        title: "malignant recall".into(),
        test_set: a.test_set.clone(),
        baseline_model: a.baseline.clone(),
        metric: "recall:1".into(),
        wasm_metric: vec![],
        target_score_ppm: 0,
        min_improvement_ppm: 50_000,
        target_is_improvement: true,
        reward: REWARD.to_string(),
        submitter_share_ppm: 800_000,
        verifier_share_ppm: 200_000,
        royalty_ppm: 20_000,
        mode: mode as i32,
        deadline_height: deadline,
        committee_size: committee,
        quorum,
        submission_fee: SUBMISSION_FEE.to_string(),
    }
}

async fn query_bounty(c: &Chain, id: u64) -> bounty::Bounty {
    let r: bounty::QueryBountyResponse = c
        .node
        .query(
            "/kaizen.bounty.v1.Query/Bounty",
            &bounty::QueryBountyRequest { id },
        )
        .await
        .expect("bounty");
    r.bounty.expect("bounty")
}

async fn query_submission(c: &Chain, id: u64) -> bounty::Submission {
    let r: bounty::QuerySubmissionResponse = c
        .node
        .query(
            "/kaizen.bounty.v1.Query/Submission",
            &bounty::QuerySubmissionRequest { id },
        )
        .await
        .expect("submission");
    r.submission.expect("submission")
}

async fn query_job(c: &Chain, id: u64) -> attest::EvaluationJob {
    let r: attest::QueryJobResponse = c
        .node
        .query(
            "/kaizen.attest.v1.Query/Job",
            &attest::QueryJobRequest { id },
        )
        .await
        .expect("job");
    r.job.expect("job")
}

async fn query_evaluator(c: &Chain, who: &TestKey) -> staking::Evaluator {
    let r: staking::QueryEvaluatorResponse = c
        .node
        .query(
            "/kaizen.staking.v1.Query/Evaluator",
            &staking::QueryEvaluatorRequest {
                address: who.address.to_string(),
            },
        )
        .await
        .expect("evaluator");
    r.evaluator.expect("evaluator")
}

fn scored(score: u64) -> attest::Outcome {
    attest::Outcome {
        score_ppm: score,
        predictions_digest: Sha256::digest(score.to_be_bytes()).to_vec(),
        failure_code: 0,
    }
}

fn failed(code: u32) -> attest::Outcome {
    attest::Outcome {
        score_ppm: 0,
        predictions_digest: vec![],
        failure_code: code,
    }
}

fn salt(who: &TestKey) -> Vec<u8> {
    Sha256::digest(format!("salt/{}", who.name)).to_vec()
}

fn commit_msg(job: &attest::EvaluationJob, who: &TestKey, o: &attest::Outcome) -> Any {
    any(&attest::MsgCommitAttestation {
        evaluator: who.address.to_string(),
        job_id: job.id,
        commitment: attestation_commitment(
            job.id,
            job.round,
            &who.address.to_string(),
            o.score_ppm,
            &o.predictions_digest,
            o.failure_code,
            &salt(who),
        )
        .to_vec(),
    })
}

fn reveal_msg(job: &attest::EvaluationJob, who: &TestKey, o: &attest::Outcome) -> Any {
    any(&attest::MsgRevealAttestation {
        evaluator: who.address.to_string(),
        job_id: job.id,
        score_ppm: o.score_ppm,
        predictions_digest: o.predictions_digest.clone(),
        failure_code: o.failure_code,
        salt: salt(who),
    })
}

fn evaluator_named<'a>(c: &'a Chain, address: &str) -> &'a TestKey {
    c.evaluators
        .iter()
        .find(|k| k.address.to_string() == address)
        .expect("a committee member is one of ours")
}

/// Every member of the job's current committee commits `outcome_of(member)` in one
/// block and reveals in the next; returns the reveal block's results and events.
async fn evaluate(
    c: &mut Chain,
    job_id: u64,
    outcome_of: impl Fn(&str) -> Option<attest::Outcome>,
) -> (Vec<ExecTxResult>, Vec<tendermint_proto::v0_38::abci::Event>) {
    let job = query_job(c, job_id).await;
    let members: Vec<(TestKey, attest::Outcome)> = job
        .committee
        .iter()
        .filter_map(|m| outcome_of(m).map(|o| (evaluator_named(c, m).clone(), o)))
        .collect();
    let commits: Vec<(&TestKey, Vec<Any>)> = members
        .iter()
        .map(|(k, o)| (k, vec![commit_msg(&job, k, o)]))
        .collect();
    let (results, _) = block(c, commits).await;
    results.iter().for_each(ok);
    let job = query_job(c, job_id).await;
    if job.status == attest::JobStatus::Committing as i32 {
        // Someone stayed silent: wait for the commit window to close.
        while query_job(c, job_id).await.status == attest::JobStatus::Committing as i32 {
            empty_blocks(c, 1).await;
        }
    }
    let job = query_job(c, job_id).await;
    let reveals: Vec<(&TestKey, Vec<Any>)> = members
        .iter()
        .filter(|(k, _)| job.committee.contains(&k.address.to_string()))
        .map(|(k, o)| (k, vec![reveal_msg(&job, k, o)]))
        .collect();
    block(c, reveals).await
}

/// Creates a bounty whose baseline scores `baseline`; returns its id once it is open.
async fn open_bounty(
    c: &mut Chain,
    a: &Artifacts,
    mode: bounty::BountyMode,
    committee: u32,
    quorum: u32,
    deadline_in: u64,
    baseline: u64,
) -> u64 {
    let deadline = c.node.height() + deadline_in;
    let sponsor = c.sponsor.clone();
    let create = any(&create_msg(c, a, mode, committee, quorum, deadline));
    let r = run(c, &sponsor, vec![create]).await;
    ok(&r);
    let id = latest_bounty_id(c).await;
    let b = query_bounty(c, id).await;
    assert_eq!(b.status, bounty::BountyStatus::EvaluatingBaseline as i32);
    let (results, _) = evaluate(c, b.baseline_job_id, |_| Some(scored(baseline))).await;
    results.iter().for_each(ok);
    let b = query_bounty(c, id).await;
    assert_eq!(
        b.status,
        bounty::BountyStatus::Open as i32,
        "baseline verdict opens the bounty"
    );
    assert_eq!(b.baseline_score_ppm, baseline);
    id
}

async fn latest_bounty_id(c: &Chain) -> u64 {
    let r: bounty::QueryBountiesResponse = c
        .node
        .query(
            "/kaizen.bounty.v1.Query/Bounties",
            &bounty::QueryBountiesRequest {
                start_after: 0,
                limit: 100,
            },
        )
        .await
        .expect("bounties");
    r.bounties.last().expect("one bounty").id
}

fn commit_submission(bounty_id: u64, who: &TestKey, model: &[u8], salt_byte: u8) -> Any {
    any(&bounty::MsgCommitSubmission {
        submitter: who.address.to_string(),
        bounty_id,
        commitment: submission_commitment(
            bounty_id,
            &who.address.to_string(),
            model,
            0,
            &[],
            &[salt_byte; 16],
        )
        .to_vec(),
    })
}

fn reveal_submission(submission_id: u64, who: &TestKey, model: &[u8], salt_byte: u8) -> Any {
    any(&bounty::MsgRevealSubmission {
        submitter: who.address.to_string(),
        submission_id,
        model: model.to_vec(),
        parent_model_id: 0,
        patch: vec![],
        salt: vec![salt_byte; 16],
    })
}

/// Commits and reveals a full model; returns the submission and its job id.
async fn submit(c: &mut Chain, bounty_id: u64, who: &TestKey, model: &[u8]) -> (u64, u64) {
    let r = run(c, who, vec![commit_submission(bounty_id, who, model, 7)]).await;
    ok(&r);
    let sub_id = last_submission(c, bounty_id).await;
    let r = run(c, who, vec![reveal_submission(sub_id, who, model, 7)]).await;
    ok(&r);
    let s = query_submission(c, sub_id).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Evaluating as i32);
    (sub_id, s.job_id)
}

async fn last_submission(c: &Chain, bounty_id: u64) -> u64 {
    let r: bounty::QuerySubmissionsResponse = c
        .node
        .query(
            "/kaizen.bounty.v1.Query/Submissions",
            &bounty::QuerySubmissionsRequest { bounty_id },
        )
        .await
        .expect("submissions");
    r.submissions.last().expect("a submission").id
}

fn has_event(events: &[tendermint_proto::v0_38::abci::Event], kind: &str) -> bool {
    events.iter().any(|e| e.r#type == kind)
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
    let b = query_bounty(&c, bounty_id).await;
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
    let (alice_sub, alice_job) = submit(&mut c, bounty_id, &alice, &a.model_a).await;
    let (results, _) = evaluate(&mut c, alice_job, |_| Some(scored(820_000))).await;
    results.iter().for_each(ok);
    let s = query_submission(&c, alice_sub).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Scored as i32);
    assert!(!s.beats_target);
    assert_eq!(
        query_bounty(&c, bounty_id).await.status,
        bounty::BountyStatus::Open as i32
    );

    // Bob beats it: settled in the block of the deciding reveal.
    let (bob_sub, bob_job) = submit(&mut c, bounty_id, &bob, &a.model_b).await;
    let (results, events) = evaluate(&mut c, bob_job, |_| Some(scored(910_000))).await;
    results.iter().for_each(ok);
    assert!(
        has_event(&events, "kaizen.bounty.v1.EventBountySettled"),
        "settles in the deciding block"
    );
    let b = query_bounty(&c, bounty_id).await;
    assert_eq!(b.status, bounty::BountyStatus::Settled as i32);
    assert_eq!(b.winning_submission_id, bob_sub);
    assert_eq!(
        query_submission(&c, bob_sub).await.status,
        bounty::SubmissionStatus::Won as i32
    );

    // Money: Bob gets 80% of the reward plus the division's remainder; the two
    // agreeing members of his job split 20%; each job's fee went to its quorum.
    let job = query_job(&c, bob_job).await;
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
    let r: bounty::QueryModelResponse = c
        .node
        .query(
            "/kaizen.bounty.v1.Query/Model",
            &bounty::QueryModelRequest {
                id: b.winning_model_id,
            },
        )
        .await
        .expect("model");
    let m = r.model.expect("model");
    assert_eq!(m.parent_id, b.baseline_model_id);
    assert_eq!(m.improver, bob.address.to_string());
    assert_eq!(m.score_ppm, 910_000);
    assert_eq!(m.beneficiaries[0].beneficiary, bob.address.to_string());
    assert_eq!(m.beneficiaries[0].royalty_ppm, 20_000);
    let lb: bounty::QueryLeaderboardResponse = c
        .node
        .query(
            "/kaizen.bounty.v1.Query/Leaderboard",
            &bounty::QueryLeaderboardRequest { bounty_id },
        )
        .await
        .expect("leaderboard");
    let order: Vec<u64> = lb.submissions.iter().map(|s| s.id).collect();
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
    // Alice signs a cancel naming the sponsor: refused for the missing signature;
    // naming herself: refused, she is not the sponsor.
    let named_sponsor = any(&bounty::MsgCancelBounty {
        sponsor: c.sponsor.address.to_string(),
        bounty_id: id,
    });
    let r = run(&mut c, &alice, vec![named_sponsor]).await;
    assert_ne!(r.code, 0);
    let r = run(
        &mut c,
        &alice,
        vec![any(&bounty::MsgCancelBounty {
            sponsor: alice.address.to_string(),
            bounty_id: id,
        })],
    )
    .await;
    assert_code(&r, "bounty", 6);
    ok(&run(
        &mut c,
        &alice,
        vec![commit_submission(id, &alice, &a.model_a, 1)],
    )
    .await);
    let sponsor = c.sponsor.clone();
    let r = run(
        &mut c,
        &sponsor,
        vec![any(&bounty::MsgCancelBounty {
            sponsor: sponsor.address.to_string(),
            bounty_id: id,
        })],
    )
    .await;
    assert_code(&r, "bounty", 7);
    assert_eq!(
        query_bounty(&c, id).await.status,
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
        &mut c,
        &sponsor,
        vec![any(&bounty::MsgCancelBounty {
            sponsor: sponsor.address.to_string(),
            bounty_id: id2,
        })],
    )
    .await;
    ok(&r);
    assert_eq!(
        query_bounty(&c, id2).await.status,
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
    ok(&run(&mut c, &sponsor, vec![create]).await);
    let b = query_bounty(&c, latest_bounty_id(&c).await).await;
    let job = query_job(&c, b.baseline_job_id).await;
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
        &run(&mut c, &outsider, vec![commit_msg(&job, &outsider, &o)]).await,
        "attest",
        3,
    );
    // Reveal without a commitment.
    assert_code(
        &run(&mut c, &member, vec![reveal_msg(&job, &member, &o)]).await,
        "attest",
        6,
    );
    ok(&run(&mut c, &member, vec![commit_msg(&job, &member, &o)]).await);
    // A second commitment.
    assert_code(
        &run(&mut c, &member, vec![commit_msg(&job, &member, &o)]).await,
        "attest",
        4,
    );
    // Reveal before the commit phase closes.
    assert_code(
        &run(&mut c, &member, vec![reveal_msg(&job, &member, &o)]).await,
        "attest",
        8,
    );
    // Someone signing for the member is refused (the signer is checked).
    let r = run(&mut c, &outsider, vec![commit_msg(&job, &member, &o)]).await;
    assert_ne!(r.code, 0);
    // The others commit; the reveal opens.
    let others: Vec<TestKey> = job.committee[1..]
        .iter()
        .map(|m| evaluator_named(&c, m).clone())
        .collect();
    for k in &others {
        ok(&run(&mut c, k, vec![commit_msg(&job, k, &o)]).await);
    }
    // A reveal that does not match the commitment.
    assert_code(
        &run(&mut c, &member, vec![reveal_msg(&job, &member, &scored(1))]).await,
        "attest",
        9,
    );
    ok(&run(&mut c, &member, vec![reveal_msg(&job, &member, &o)]).await);
    assert_code(
        &run(&mut c, &member, vec![reveal_msg(&job, &member, &o)]).await,
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
    assert_code(&run(&mut c, &member, vec![any(&bad)]).await, "attest", 11);
    bad.salt = vec![1; 16];
    bad.failure_code = 2;
    assert_code(&run(&mut c, &member, vec![any(&bad)]).await, "attest", 10);
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
        &mut c,
        &alice,
        vec![commit_submission(id, &alice, &a.model_a, 1)],
    )
    .await);
    let sub = last_submission(&c, id).await;
    // Bob cannot reveal Alice's commitment.
    assert_code(
        &run(
            &mut c,
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
            &mut c,
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
            &mut c,
            &alice,
            vec![commit_submission(id, &alice, &a.model_a, 1)],
        )
        .await,
        "bounty",
        9,
    );
    ok(&run(
        &mut c,
        &alice,
        vec![reveal_submission(sub, &alice, &a.model_a, 1)],
    )
    .await);
    assert_code(
        &run(
            &mut c,
            &alice,
            vec![reveal_submission(sub, &alice, &a.model_a, 1)],
        )
        .await,
        "bounty",
        13,
    );
    // A model that is not on DA.
    ok(&run(&mut c, &bob, vec![commit_submission(id, &bob, &[9; 32], 2)]).await);
    let sub_b = last_submission(&c, id).await;
    assert_code(
        &run(
            &mut c,
            &bob,
            vec![reveal_submission(sub_b, &bob, &[9; 32], 2)],
        )
        .await,
        "bounty",
        5,
    );
    // A reveal after its window (5 blocks).
    empty_blocks(&mut c, 6).await;
    assert_code(
        &run(
            &mut c,
            &bob,
            vec![reveal_submission(sub_b, &bob, &[9; 32], 2)],
        )
        .await,
        "bounty",
        14,
    );
    assert_eq!(
        query_submission(&c, sub_b).await.status,
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
    assert_code(&run(&mut c, &sponsor, vec![any(&m)]).await, "bounty", 5);
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.metric = "recall".into();
    assert_code(&run(&mut c, &sponsor, vec![any(&m)]).await, "bounty", 4);
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.submitter_share_ppm = 900_000;
    assert_code(&run(&mut c, &sponsor, vec![any(&m)]).await, "bounty", 3);
    // A quorum that is not a majority of the committee.
    let m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 4, 2, deadline);
    assert_code(&run(&mut c, &sponsor, vec![any(&m)]).await, "attest", 13);
    // More members than evaluators can be drawn: quorum 4 of 4 with 3 evaluators.
    let m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 4, 4, deadline);
    assert_code(&run(&mut c, &sponsor, vec![any(&m)]).await, "attest", 12);
    // The reward is more than the sponsor has.
    let mut m = create_msg(&c, &a, bounty::BountyMode::FirstToBeat, 3, 2, deadline);
    m.reward = "100000000000000".into();
    assert_ne!(run(&mut c, &sponsor, vec![any(&m)]).await.code, 0);
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
    let (_, job) = submit(&mut c, id, &alice, &a.model_a).await;
    let (results, _) = evaluate(&mut c, job, |_| Some(scored(810_000))).await;
    results.iter().for_each(ok);
    // Carol commits and never reveals: her fee is forfeited to the sponsor.
    ok(&run(
        &mut c,
        &carol,
        vec![commit_submission(id, &carol, &a.model_b, 3)],
    )
    .await);
    let deadline = query_bounty(&c, id).await.deadline_height;
    while c.node.height() < deadline {
        empty_blocks(&mut c, 1).await;
    }
    let b = query_bounty(&c, id).await;
    assert_eq!(b.status, bounty::BountyStatus::Refunded as i32);
    assert_eq!(b.closed_height, deadline);
    assert_eq!(
        c.node.balance(&c.sponsor.address).await,
        sponsor_before - SUBMISSION_FEE - FEE + SUBMISSION_FEE,
        "the reward and Carol's forfeited fee came back; the baseline's fee paid evaluators"
    );
    // After the deadline nothing more is accepted.
    assert_code(
        &run(
            &mut c,
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
    let (_, ja) = submit(&mut c, id, &alice, &a.model_a).await;
    let (sb, jb) = submit(&mut c, id, &bob, &a.model_b).await;
    let (_, jc) = submit(&mut c, id, &carol, &a.test_set).await;
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
        query_bounty(&c, id).await.status,
        bounty::BountyStatus::Open as i32
    );
    let deadline = query_bounty(&c, id).await.deadline_height;
    while c.node.height() < deadline {
        empty_blocks(&mut c, 1).await;
    }
    let b = query_bounty(&c, id).await;
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
        &mut c,
        &alice,
        vec![commit_submission(id, &alice, &a.model_a, 1)],
    )
    .await);
    let sa = last_submission(&c, id).await;
    ok(&run(
        &mut c,
        &alice,
        vec![reveal_submission(sa, &alice, &a.model_a, 1)],
    )
    .await);
    // Carol saw Alice's model on chain and submits the very same blob, later.
    ok(&run(
        &mut c,
        &carol,
        vec![commit_submission(id, &carol, &a.model_a, 2)],
    )
    .await);
    let sc = last_submission(&c, id).await;
    ok(&run(
        &mut c,
        &carol,
        vec![reveal_submission(sc, &carol, &a.model_a, 2)],
    )
    .await);
    let jc = query_submission(&c, sc).await.job_id;
    let ja = query_submission(&c, sa).await.job_id;
    // Carol's copy happens to be scored first; Alice's commit is earlier, so the
    // bounty waits for Alice's verdict and pays Alice.
    evaluate(&mut c, jc, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    assert_eq!(
        query_bounty(&c, id).await.status,
        bounty::BountyStatus::Open as i32
    );
    evaluate(&mut c, ja, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    let b = query_bounty(&c, id).await;
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
    let (sub, job_id) = submit(&mut c, id, &alice, &a.model_a).await;
    let job = query_job(&c, job_id).await;
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
    let job = query_job(&c, job_id).await;
    assert_eq!(job.status, attest::JobStatus::Scored as i32);
    assert_eq!(job.outcome.as_ref().map(|o| o.score_ppm), Some(900_000));
    assert!(!job.agreeing.contains(&liar));
    assert_eq!(query_submission(&c, sub).await.score_ppm, 900_000);
    let liar_key = evaluator_named(&c, &liar).clone();
    let ev = query_evaluator(&c, &liar_key).await;
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
    let (_, next) = submit(&mut c, id, &bob, &a.model_b).await;
    assert!(!query_job(&c, next).await.committee.contains(&liar));
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
    let (sub, job_id) = submit(&mut c, id, &alice, &a.model_a).await;
    let job = query_job(&c, job_id).await;
    let silent = job.committee[0].clone();
    let other = job.committee[1].clone();
    // Only the other member commits; the commit window (3 blocks) runs out.
    let other_key = evaluator_named(&c, &other).clone();
    ok(&run(
        &mut c,
        &other_key,
        vec![commit_msg(&job, &other_key, &scored(900_000))],
    )
    .await);
    for _ in 0..10 {
        if query_job(&c, job_id).await.round == 1 {
            break;
        }
        empty_blocks(&mut c, 1).await;
    }
    let job = query_job(&c, job_id).await;
    assert_eq!(job.round, 1, "re-assigned");
    assert!(job.excluded.contains(&silent));
    assert!(!job.committee.contains(&silent));
    assert_eq!(job.status, attest::JobStatus::Committing as i32);
    let silent_key = evaluator_named(&c, &silent).clone();
    let ev = query_evaluator(&c, &silent_key).await;
    assert!(ev.jailed);
    assert_eq!(ev.faults, 1);
    // The new committee scores it; the bounty settles.
    evaluate(&mut c, job_id, |_| Some(scored(900_000)))
        .await
        .0
        .iter()
        .for_each(ok);
    assert_eq!(
        query_submission(&c, sub).await.status,
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
    let (_, job_id) = submit(&mut c, id, &alice, &a.model_a).await;
    let job = query_job(&c, job_id).await;
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
    block(&mut c, commits).await.0.iter().for_each(ok);
    let job = query_job(&c, job_id).await;
    // Two reveal (the verdict is reached), the third stays silent.
    let reveals: Vec<(&TestKey, Vec<Any>)> = keys[..2]
        .iter()
        .map(|k| (k, vec![reveal_msg(&job, k, &o)]))
        .collect();
    block(&mut c, reveals).await.0.iter().for_each(ok);
    assert_eq!(
        query_job(&c, job_id).await.status,
        attest::JobStatus::Scored as i32
    );
    assert!(!query_evaluator(&c, &keys[2]).await.jailed);
    for _ in 0..10 {
        if query_evaluator(&c, &keys[2]).await.jailed {
            break;
        }
        empty_blocks(&mut c, 1).await;
    }
    let ev = query_evaluator(&c, &keys[2]).await;
    assert!(ev.jailed, "slashed once the reveal window ended");
    assert_eq!(ev.bond, (EVALUATOR_BOND - EVALUATOR_BOND / 10).to_string());
    // The two that revealed kept their bond and were paid the job's fee.
    assert!(!query_evaluator(&c, &keys[0]).await.jailed);
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
    let (sa, ja) = submit(&mut c, id, &alice, &a.model_a).await;
    evaluate(&mut c, ja, |_| Some(failed(1)))
        .await
        .0
        .iter()
        .for_each(ok);
    let s = query_submission(&c, sa).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Failed as i32);
    assert_eq!(s.failure_code, 1);
    // Bob's job: nobody ever acts; after max_rounds the fee goes back to Bob.
    let bob_before = c.node.balance(&bob.address).await;
    let (sb, jb) = submit(&mut c, id, &bob, &a.model_b).await;
    for _ in 0..40 {
        if query_job(&c, jb).await.status == attest::JobStatus::NoQuorum as i32 {
            break;
        }
        empty_blocks(&mut c, 1).await;
    }
    assert_eq!(
        query_job(&c, jb).await.status,
        attest::JobStatus::NoQuorum as i32
    );
    let s = query_submission(&c, sb).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Failed as i32);
    assert_eq!(s.failure_code, kaizen_bounty::NO_QUORUM_FAILURE);
    assert_eq!(
        c.node.balance(&bob.address).await,
        bob_before - 2 * FEE,
        "fee refunded"
    );
}
