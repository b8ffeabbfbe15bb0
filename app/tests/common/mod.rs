//! What the app tests share: the genesis they start from ([`genesis`] is the one place
//! that knows how genesis records and parameters are built), transactions run one block
//! at a time, one typed query per module query (through its ABCI path, answering the
//! proto type), and the scenario builders of the DA, attest and bounty tests: certified
//! blobs, challenge answers, committee evaluations, open bounties and submissions.
//!
//! Each test binary includes it with `mod common;` and uses a part of it.
#![allow(dead_code)]

use cosmrs::proto::Any;
use kaizen_app::{
    genesis::{AppGenesis, GenesisSections},
    harness::{genesis_with_balances, TestKey, TestNode, TEST_CHAIN_ID},
};
use kaizen_attest::attestation_commitment;
use kaizen_bounty::submission_commitment;
use kaizen_da_core::{
    assignment::availability_message,
    blob::{encode_blob, EncodedBlob},
    CpuCoder, ErasureParams, SEGMENT_BYTES,
};
use kaizen_framework::{
    any,
    bls::{aggregate_signatures, BlsKey},
    Address,
};
use kaizen_proto::kaizen::{
    attest::v1 as attest, bounty::v1 as bounty, da::v1 as da, staking::v1 as staking,
};
use prost::Message;
use sha2::{Digest, Sha256};
use tendermint_proto::v0_38::abci::{Event, ExecTxResult};

/// Fee (ukzn) and gas limit of every transaction [`block`] and [`run`] sign.
pub const FEE: u128 = 2_000;
pub const GAS_LIMIT: u64 = 2_000_000;
/// Bond of each DA operator registered at genesis.
pub const DA_BOND: u128 = 1_000_000;
/// The bounty scenario: reward, fee per submission, bond of each genesis evaluator.
pub const REWARD: u128 = 10_000_000;
pub const SUBMISSION_FEE: u128 = 30_000;
pub const EVALUATOR_BOND: u128 = 5_000_000;

// Genesis.

/// A DA operator: its account key and its BLS key.
pub struct Operator {
    pub key: TestKey,
    pub bls: BlsKey,
}

impl Operator {
    /// The account key `name` with the BLS key [`bls_key`]`(bls_name)`.
    pub fn new(name: &str, bls_name: &str) -> Self {
        Self {
            key: TestKey::new(name),
            bls: bls_key(bls_name),
        }
    }
}

/// A BLS key derived from a name, so tests are reproducible.
pub fn bls_key(name: &str) -> BlsKey {
    BlsKey::from_seed(&Sha256::digest(format!("bls/{name}"))).expect("32 bytes of seed")
}

/// The parameters a test changes from the module defaults; `None` keeps the default.
#[derive(Clone, Debug, Default)]
pub struct TestParams {
    // staking
    pub epoch_blocks: Option<u64>,
    pub max_consecutive_misses: Option<u32>,
    /// How long a DA operator stays jailed (staking's `jail_blocks`).
    pub operator_jail_blocks: Option<u64>,
    // da
    pub challenge_window_blocks: Option<u64>,
    pub challenges_per_epoch: Option<u32>,
    pub min_retention_blocks: Option<u64>,
    pub randomness_miss_slash_ppm: Option<u32>,
    // attest
    pub commit_window_blocks: Option<u64>,
    pub reveal_window_blocks: Option<u64>,
    pub slash_ppm: Option<u32>,
    /// How long an evaluator stays jailed (attest's `jail_blocks`).
    pub evaluator_jail_blocks: Option<u64>,
    /// How long a committed submission may wait for its reveal (bounty's
    /// `reveal_window_blocks`).
    pub submission_reveal_window_blocks: Option<u64>,
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// A genesis that funds `balances` (in that order), registers `operators` as DA
/// operators (bond [`DA_BOND`], endpoints from port 7100) and `evaluators` with their
/// bonds, and sets `params` over the defaults.
pub fn genesis(
    balances: &[(&Address, u128)],
    operators: &[Operator],
    evaluators: &[(&TestKey, u128)],
    params: &TestParams,
) -> AppGenesis {
    let mut g = genesis_with_balances(balances);
    let s = g.staking_mut();
    s.da_operators = operators
        .iter()
        .enumerate()
        .map(|(i, o)| staking::GenesisDaOperator {
            address: o.key.address.to_string(),
            bls_public_key: o.bls.public_key().to_vec(),
            proof_of_possession: o.bls.proof_of_possession().to_vec(),
            endpoint: format!("http://127.0.0.1:{}", 7100 + i),
            bond: DA_BOND.to_string(),
        })
        .collect();
    s.evaluators = evaluators
        .iter()
        .map(|(k, bond)| staking::GenesisEvaluator {
            address: k.address.to_string(),
            bond: bond.to_string(),
            endpoint: String::new(),
        })
        .collect();
    let p = params.clone();
    let s = g.staking_params_mut();
    set(&mut s.epoch_blocks, p.epoch_blocks);
    set(&mut s.max_consecutive_misses, p.max_consecutive_misses);
    set(&mut s.jail_blocks, p.operator_jail_blocks);
    let d = g.da_params_mut();
    set(&mut d.challenge_window_blocks, p.challenge_window_blocks);
    set(&mut d.challenges_per_epoch, p.challenges_per_epoch);
    set(&mut d.min_retention_blocks, p.min_retention_blocks);
    set(
        &mut d.randomness_miss_slash_ppm,
        p.randomness_miss_slash_ppm,
    );
    let a = g.attest_params_mut();
    set(&mut a.commit_window_blocks, p.commit_window_blocks);
    set(&mut a.reveal_window_blocks, p.reveal_window_blocks);
    set(&mut a.slash_ppm, p.slash_ppm);
    set(&mut a.jail_blocks, p.evaluator_jail_blocks);
    let b = g.bounty_params_mut();
    set(
        &mut b.reveal_window_blocks,
        p.submission_reveal_window_blocks,
    );
    g
}

// Transactions and blocks.

/// Runs one block with one transaction per `(signer, messages)` (gas limit
/// [`GAS_LIMIT`], fee [`FEE`]); returns the results and the block hooks' events.
pub async fn block(
    node: &mut TestNode,
    txs: Vec<(&TestKey, Vec<Any>)>,
) -> (Vec<ExecTxResult>, Vec<Event>) {
    let mut raw = Vec::new();
    for (key, msgs) in txs {
        let mut tx = node.tx_for(key, msgs).await.expect("account exists");
        tx.gas_limit = GAS_LIMIT;
        tx.fee = FEE;
        raw.push(tx.sign(key).expect("signs"));
    }
    let outcome = node.block(raw).await.expect("block runs");
    (outcome.tx_results, outcome.events)
}

/// One block with one transaction of `key`'s: its result.
pub async fn run(node: &mut TestNode, key: &TestKey, msgs: Vec<Any>) -> ExecTxResult {
    block(node, vec![(key, msgs)]).await.0.remove(0)
}

pub fn ok(r: &ExecTxResult) {
    assert_eq!(r.code, 0, "{} {}", r.codespace, r.log);
}

pub fn assert_code(r: &ExecTxResult, codespace: &str, code: u32) {
    assert_eq!(
        (r.codespace.as_str(), r.code),
        (codespace, code),
        "log: {}",
        r.log
    );
}

pub fn has_event(events: &[Event], kind: &str) -> bool {
    events.iter().any(|e| e.r#type == kind)
}

pub async fn empty_blocks(node: &mut TestNode, n: u64) {
    for _ in 0..n {
        node.block(vec![]).await.expect("empty block");
    }
}

/// Empty blocks up to `height`; the block hooks' events.
pub async fn advance_to(node: &mut TestNode, height: u64) -> Vec<Event> {
    let mut events = Vec::new();
    while node.height() < height {
        events.extend(node.block(vec![]).await.expect("empty block").events);
    }
    events
}

// Typed queries: one per module query, through its ABCI path.

async fn ask<Req: Message, Resp: Message + Default>(node: &TestNode, path: &str, req: Req) -> Resp {
    node.query(path, &req)
        .await
        .unwrap_or_else(|(codespace, code, log)| panic!("{path}: {codespace} {code}: {log}"))
}

pub async fn query_da_operator(node: &TestNode, address: &Address) -> staking::DaOperator {
    let r: staking::QueryDaOperatorResponse = ask(
        node,
        "/kaizen.staking.v1.Query/DaOperator",
        staking::QueryDaOperatorRequest {
            address: address.to_string(),
        },
    )
    .await;
    r.operator.expect("operator")
}

pub async fn query_da_operators(node: &TestNode) -> Vec<staking::DaOperator> {
    let r: staking::QueryDaOperatorsResponse = ask(
        node,
        "/kaizen.staking.v1.Query/DaOperators",
        staking::QueryDaOperatorsRequest {},
    )
    .await;
    r.operators
}

/// The supply of ukzn.
pub async fn query_supply(node: &TestNode) -> u128 {
    let r: kaizen_proto::kaizen::bank::v1::QuerySupplyResponse = node
        .query(
            "/kaizen.bank.v1.Query/Supply",
            &kaizen_proto::kaizen::bank::v1::QuerySupplyRequest {
                denom: "ukzn".into(),
            },
        )
        .await
        .expect("supply");
    r.amount
        .and_then(|c| c.amount.parse().ok())
        .expect("a supply")
}

pub async fn query_evaluator(node: &TestNode, address: &Address) -> staking::Evaluator {
    let r: staking::QueryEvaluatorResponse = ask(
        node,
        "/kaizen.staking.v1.Query/Evaluator",
        staking::QueryEvaluatorRequest {
            address: address.to_string(),
        },
    )
    .await;
    r.evaluator.expect("evaluator")
}

pub async fn query_blob(node: &TestNode, commitment: &[u8]) -> da::Blob {
    let r: da::QueryBlobResponse = ask(
        node,
        "/kaizen.da.v1.Query/Blob",
        da::QueryBlobRequest {
            commitment: commitment.to_vec(),
        },
    )
    .await;
    r.blob.expect("blob")
}

/// The quorum of `epoch`.
pub async fn query_quorum(node: &TestNode, epoch: u64) -> da::Quorum {
    let r: da::QueryQuorumResponse = ask(
        node,
        "/kaizen.da.v1.Query/Quorum",
        da::QueryQuorumRequest {
            epoch,
            current: false,
        },
    )
    .await;
    r.quorum.expect("quorum")
}

/// The open challenges of `operator`.
pub async fn query_challenges(node: &TestNode, operator: &Address) -> Vec<da::Challenge> {
    let r: da::QueryChallengesResponse = ask(
        node,
        "/kaizen.da.v1.Query/Challenges",
        da::QueryChallengesRequest {
            operator: operator.to_string(),
        },
    )
    .await;
    r.challenges
}

/// Challenge `id`, if it was issued.
pub async fn query_challenge(node: &TestNode, id: u64) -> Option<da::Challenge> {
    let r: Result<da::QueryChallengeResponse, _> = node
        .query(
            "/kaizen.da.v1.Query/Challenge",
            &da::QueryChallengeRequest { id },
        )
        .await;
    r.ok().and_then(|r| r.challenge)
}

pub async fn query_job(node: &TestNode, id: u64) -> attest::EvaluationJob {
    let r: attest::QueryJobResponse = ask(
        node,
        "/kaizen.attest.v1.Query/Job",
        attest::QueryJobRequest { id },
    )
    .await;
    r.job.expect("job")
}

pub async fn query_bounty(node: &TestNode, id: u64) -> bounty::Bounty {
    let r: bounty::QueryBountyResponse = ask(
        node,
        "/kaizen.bounty.v1.Query/Bounty",
        bounty::QueryBountyRequest { id },
    )
    .await;
    r.bounty.expect("bounty")
}

/// The first 100 bounties, by id.
pub async fn query_bounties(node: &TestNode) -> Vec<bounty::Bounty> {
    let r: bounty::QueryBountiesResponse = ask(
        node,
        "/kaizen.bounty.v1.Query/Bounties",
        bounty::QueryBountiesRequest {
            start_after: 0,
            limit: 100,
        },
    )
    .await;
    r.bounties
}

pub async fn query_submission(node: &TestNode, id: u64) -> bounty::Submission {
    let r: bounty::QuerySubmissionResponse = ask(
        node,
        "/kaizen.bounty.v1.Query/Submission",
        bounty::QuerySubmissionRequest { id },
    )
    .await;
    r.submission.expect("submission")
}

/// The submissions to `bounty_id`, by id (every page).
pub async fn query_submissions(node: &TestNode, bounty_id: u64) -> Vec<bounty::Submission> {
    let mut all = Vec::new();
    let mut start_after = 0;
    loop {
        let r: bounty::QuerySubmissionsResponse = ask(
            node,
            "/kaizen.bounty.v1.Query/Submissions",
            bounty::QuerySubmissionsRequest {
                bounty_id,
                start_after,
                limit: 0,
            },
        )
        .await;
        all.extend(r.submissions);
        if r.next_start_after == 0 {
            return all;
        }
        start_after = r.next_start_after;
    }
}

/// The scored submissions to `bounty_id`, best first.
pub async fn query_leaderboard(node: &TestNode, bounty_id: u64) -> Vec<bounty::Submission> {
    let r: bounty::QueryLeaderboardResponse = ask(
        node,
        "/kaizen.bounty.v1.Query/Leaderboard",
        bounty::QueryLeaderboardRequest {
            bounty_id,
            limit: 0,
        },
    )
    .await;
    r.submissions
}

pub async fn query_model(node: &TestNode, id: u64) -> bounty::Model {
    let r: bounty::QueryModelResponse = ask(
        node,
        "/kaizen.bounty.v1.Query/Model",
        bounty::QueryModelRequest { id },
    )
    .await;
    r.model.expect("model")
}

// Data availability.

/// A blob of `size` bytes (byte `i` is `i * mul ^ seed`), coded into `k + m` shards.
pub fn encoded_blob(size: usize, mul: u8, seed: u8, k: usize, m: usize) -> EncodedBlob {
    let data: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(mul) ^ seed)
        .collect();
    encode_blob(
        &CpuCoder::single_threaded(),
        0,
        &data,
        ErasureParams { k, m },
    )
    .expect("encodes")
}

/// Payment for `blob`, kept `retention` blocks.
pub fn pay_msg(payer: &TestKey, blob: &EncodedBlob, retention: u64) -> da::MsgPayForBlob {
    da::MsgPayForBlob {
        payer: payer.address.to_string(),
        commitment: blob.blob_ref.commitment.to_vec(),
        size: blob.blob_ref.size,
        original_shards: blob.blob_ref.k as u32,
        recovery_shards: blob.blob_ref.m as u32,
        codec: "rs16".into(),
        retention_blocks: retention,
        max_fee: "1000000000".into(),
    }
}

/// A certificate signed by the quorum members at `positions` (keys from `ops`).
pub fn certificate(
    submitter: &TestKey,
    ops: &[Operator],
    quorum: &da::Quorum,
    blob: &da::Blob,
    positions: &[usize],
) -> da::MsgCertifyBlob {
    let commitment: [u8; 32] = blob.commitment.as_slice().try_into().expect("32 bytes");
    let message = availability_message(TEST_CHAIN_ID, &commitment, blob.epoch, blob.paid_height);
    let mut bitmap = vec![0u8; quorum.members.len().div_ceil(8)];
    let mut sigs = Vec::new();
    for &p in positions {
        bitmap[p / 8] |= 1 << (p % 8);
        let op = ops
            .iter()
            .find(|o| o.key.address.to_string() == quorum.members[p].operator)
            .expect("member is one of ours");
        sigs.push(op.bls.sign(&message));
    }
    let refs: Vec<&[u8]> = sigs.iter().map(|s| s.as_slice()).collect();
    da::MsgCertifyBlob {
        submitter: submitter.address.to_string(),
        commitment: blob.commitment.clone(),
        signer_bitmap: bitmap,
        aggregate_signature: aggregate_signatures(&refs).expect("aggregates").to_vec(),
    }
}

/// `payer` pays for `blob` in one block and certifies it with every quorum member's
/// signature in the next; the blob's record, now available.
pub async fn certified_blob(
    node: &mut TestNode,
    payer: &TestKey,
    ops: &[Operator],
    blob: &EncodedBlob,
    retention: u64,
) -> da::Blob {
    ok(&run(node, payer, vec![any(&pay_msg(payer, blob, retention))]).await);
    let record = query_blob(node, &blob.blob_ref.commitment).await;
    let quorum = query_quorum(node, record.epoch).await;
    let everyone: Vec<usize> = (0..quorum.members.len()).collect();
    let cert = certificate(payer, ops, &quorum, &record, &everyone);
    ok(&run(node, payer, vec![any(&cert)]).await);
    query_blob(node, &blob.blob_ref.commitment).await
}

/// The answer to challenge `c` from the blob's shards, by `op`.
pub fn answer(op: &TestKey, blob: &EncodedBlob, c: &da::Challenge) -> da::MsgAnswerChallenge {
    let shard = &blob.shards[c.shard_index as usize];
    let proof = blob
        .commitment
        .segment_proof(shard, c.shard_index as usize, c.segment_index as usize)
        .expect("segment exists");
    let start = c.segment_index as usize * SEGMENT_BYTES;
    let end = (start + SEGMENT_BYTES).min(shard.len());
    da::MsgAnswerChallenge {
        operator: op.address.to_string(),
        challenge_id: c.id,
        segment: shard[start..end].to_vec(),
        segment_path: proof.path.iter().map(|h| h.to_vec()).collect(),
        shard_path: proof.shard.path.iter().map(|h| h.to_vec()).collect(),
    }
}

// Attestations.

/// An outcome with score `score` (and a digest derived from it).
pub fn scored(score: u64) -> attest::Outcome {
    attest::Outcome {
        score_ppm: score,
        predictions_digest: Sha256::digest(score.to_be_bytes()).to_vec(),
        failure_code: 0,
    }
}

/// An outcome of failure `code`.
pub fn failed(code: u32) -> attest::Outcome {
    attest::Outcome {
        score_ppm: 0,
        predictions_digest: vec![],
        failure_code: code,
    }
}

/// `who`'s attestation salt.
pub fn salt(who: &TestKey) -> Vec<u8> {
    Sha256::digest(format!("salt/{}", who.name)).to_vec()
}

/// `who`'s commitment to outcome `o` of the job's current round.
pub fn commit_msg(job: &attest::EvaluationJob, who: &TestKey, o: &attest::Outcome) -> Any {
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

/// `who`'s reveal of outcome `o`.
pub fn reveal_msg(job: &attest::EvaluationJob, who: &TestKey, o: &attest::Outcome) -> Any {
    any(&attest::MsgRevealAttestation {
        evaluator: who.address.to_string(),
        job_id: job.id,
        score_ppm: o.score_ppm,
        predictions_digest: o.predictions_digest.clone(),
        failure_code: o.failure_code,
        salt: salt(who),
    })
}

// Bounties.

/// A chain with four DA operators, evaluators, a sponsor and three submitters.
pub struct Chain {
    pub node: TestNode,
    pub operators: Vec<Operator>,
    pub sponsor: TestKey,
    pub evaluators: Vec<TestKey>,
    pub alice: TestKey,
    pub bob: TestKey,
    pub carol: TestKey,
}

impl Chain {
    /// Four DA operators (bond [`DA_BOND`]) and `n_evaluators` evaluators (bond
    /// [`EVALUATOR_BOND`]) registered at genesis with 50 KZN each; the sponsor, Alice,
    /// Bob and Carol hold 1000 KZN each.
    pub async fn start(n_evaluators: usize, params: &TestParams) -> Self {
        let operators: Vec<Operator> = (0..4)
            .map(|i| Operator::new(&format!("operator{i}"), &format!("op{i}")))
            .collect();
        let evaluators: Vec<TestKey> = (0..n_evaluators)
            .map(|i| TestKey::new(&format!("evaluator{i}")))
            .collect();
        let sponsor = TestKey::new("sponsor");
        let alice = TestKey::new("alice");
        let bob = TestKey::new("bob");
        let carol = TestKey::new("carol");
        let mut balances: Vec<(&Address, u128)> = [&sponsor, &alice, &bob, &carol]
            .iter()
            .map(|k| (&k.address, 1_000_000_000))
            .collect();
        for o in &operators {
            balances.push((&o.key.address, 50_000_000));
        }
        for k in &evaluators {
            balances.push((&k.address, 50_000_000));
        }
        let bonded: Vec<(&TestKey, u128)> =
            evaluators.iter().map(|k| (k, EVALUATOR_BOND)).collect();
        let g = genesis(&balances, &operators, &bonded, params);
        let node = TestNode::start(&g).await.expect("node starts");
        Self {
            node,
            operators,
            sponsor,
            evaluators,
            alice,
            bob,
            carol,
        }
    }
}

/// The evaluator key of committee member `address`.
pub fn evaluator_named<'a>(c: &'a Chain, address: &str) -> &'a TestKey {
    c.evaluators
        .iter()
        .find(|k| k.address.to_string() == address)
        .expect("a committee member is one of ours")
}

/// Job `job_id` once its current round has a committee: empty blocks until the end of
/// its beacon's block draws it (and a queued round starts once its members have room).
pub async fn drawn_job(c: &mut Chain, job_id: u64) -> attest::EvaluationJob {
    let mut job = query_job(&c.node, job_id).await;
    for _ in 0..1000 {
        if job.status != attest::JobStatus::AwaitingBeacon as i32
            && job.status != attest::JobStatus::Queued as i32
        {
            break;
        }
        empty_blocks(&mut c.node, 1).await;
        job = query_job(&c.node, job_id).await;
    }
    job
}

/// Every member of the job's current committee commits `outcome_of(member)` in one
/// block and reveals in the next; returns the reveal block's results and events.
pub async fn evaluate(
    c: &mut Chain,
    job_id: u64,
    outcome_of: impl Fn(&str) -> Option<attest::Outcome>,
) -> (Vec<ExecTxResult>, Vec<Event>) {
    let job = drawn_job(c, job_id).await;
    let members: Vec<(TestKey, attest::Outcome)> = job
        .committee
        .iter()
        .filter_map(|m| outcome_of(m).map(|o| (evaluator_named(c, m).clone(), o)))
        .collect();
    let commits: Vec<(&TestKey, Vec<Any>)> = members
        .iter()
        .map(|(k, o)| (k, vec![commit_msg(&job, k, o)]))
        .collect();
    let (results, _) = block(&mut c.node, commits).await;
    results.iter().for_each(ok);
    let job = query_job(&c.node, job_id).await;
    if job.status == attest::JobStatus::Committing as i32 {
        // Someone stayed silent: wait for the commit window to close.
        while query_job(&c.node, job_id).await.status == attest::JobStatus::Committing as i32 {
            empty_blocks(&mut c.node, 1).await;
        }
    }
    let job = query_job(&c.node, job_id).await;
    let reveals: Vec<(&TestKey, Vec<Any>)> = members
        .iter()
        .filter(|(k, _)| job.committee.contains(&k.address.to_string()))
        .map(|(k, o)| (k, vec![reveal_msg(&job, k, o)]))
        .collect();
    block(&mut c.node, reveals).await
}

/// The blobs a bounty names, certified on DA: their commitments, and the blobs.
pub struct Artifacts {
    pub test_set: Vec<u8>,
    pub baseline: Vec<u8>,
    pub model_a: Vec<u8>,
    pub model_b: Vec<u8>,
    /// The four blobs, in the order above.
    pub blobs: Vec<EncodedBlob>,
}

/// Four blobs of 5000 bytes (k = m = 2), paid for by the sponsor for 10 000 blocks and
/// certified by the whole quorum.
pub async fn artifacts(c: &mut Chain) -> Artifacts {
    let sponsor = c.sponsor.clone();
    let mut blobs = Vec::new();
    for seed in 1..=4 {
        let blob = encoded_blob(5000, 7, seed, 2, 2);
        certified_blob(&mut c.node, &sponsor, &c.operators, &blob, 10_000).await;
        blobs.push(blob);
    }
    let commitment = |i: usize| blobs[i].blob_ref.commitment.to_vec();
    Artifacts {
        test_set: commitment(0),
        baseline: commitment(1),
        model_a: commitment(2),
        model_b: commitment(3),
        blobs,
    }
}

/// The sponsor's bounty over `a`: reward [`REWARD`], fee [`SUBMISSION_FEE`].
pub fn create_msg(
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

/// Creates a bounty whose baseline scores `baseline`; returns its id once it is open.
pub async fn open_bounty(
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
    let r = run(&mut c.node, &sponsor, vec![create]).await;
    ok(&r);
    let id = latest_bounty_id(&c.node).await;
    let b = query_bounty(&c.node, id).await;
    assert_eq!(b.status, bounty::BountyStatus::EvaluatingBaseline as i32);
    let (results, _) = evaluate(c, b.baseline_job_id, |_| Some(scored(baseline))).await;
    results.iter().for_each(ok);
    let b = query_bounty(&c.node, id).await;
    assert_eq!(
        b.status,
        bounty::BountyStatus::Open as i32,
        "baseline verdict opens the bounty: {b:?} {:?}",
        query_job(&c.node, b.baseline_job_id).await
    );
    assert_eq!(b.baseline_score_ppm, baseline);
    id
}

/// The id of the newest bounty.
pub async fn latest_bounty_id(node: &TestNode) -> u64 {
    query_bounties(node).await.last().expect("one bounty").id
}

/// The id of the newest submission to `bounty_id`.
pub async fn last_submission(node: &TestNode, bounty_id: u64) -> u64 {
    query_submissions(node, bounty_id)
        .await
        .last()
        .expect("a submission")
        .id
}

/// `who`'s commitment to submitting the full `model` to `bounty_id`.
pub fn commit_submission(bounty_id: u64, who: &TestKey, model: &[u8], salt_byte: u8) -> Any {
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

/// `who`'s reveal of the full `model` as submission `submission_id`.
pub fn reveal_submission(submission_id: u64, who: &TestKey, model: &[u8], salt_byte: u8) -> Any {
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
pub async fn submit(
    node: &mut TestNode,
    bounty_id: u64,
    who: &TestKey,
    model: &[u8],
) -> (u64, u64) {
    let r = run(node, who, vec![commit_submission(bounty_id, who, model, 7)]).await;
    ok(&r);
    let sub_id = last_submission(node, bounty_id).await;
    let r = run(node, who, vec![reveal_submission(sub_id, who, model, 7)]).await;
    ok(&r);
    let s = query_submission(node, sub_id).await;
    assert_eq!(s.status, bounty::SubmissionStatus::Evaluating as i32);
    (sub_id, s.job_id)
}
