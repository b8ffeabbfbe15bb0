//! A chain of `auth`, `bank`, `staking`, `da`, `attest` and `bounty` on a temporary
//! store: genesis (four DA operators in epoch 0's quorum, four bonded evaluators, a
//! funded sponsor and submitters) committed as version 0, then at height 1 the blobs a
//! bounty names paid for and certified through `da`'s own handlers. Handlers run the
//! way the app's transaction pipeline runs them (stateless checks, then
//! `check_and_execute` on a fork that is applied on success and dropped on failure);
//! block hooks run in the app's order.

use cnidarium::{StateDelta, StateRead};
use kaizen_attest::{
    attestation_commitment, genesis as attest_genesis, Attest, AttestRead, CommitAttestation,
    EvaluationJob, JobStatus, Outcome, RevealAttestation,
};
use kaizen_auth::Auth;
use kaizen_bank::{
    genesis::{self as bank_genesis, Coin},
    Bank, BankRead,
};
use kaizen_bounty::{
    component::{run_block_work, BlockWork},
    events::EventSubmissionCommitted,
    genesis as bounty_genesis, submission_commitment, Bounties, Bounty, BountyMode, BountyRead,
    BountyStatus, CommitSubmission, CreateBounty, Model, RevealSubmission, Submission,
};
use kaizen_da_core::{
    assignment::availability_message,
    blob::{encode_blob, EncodedBlob},
    CpuCoder, ErasureParams,
};
use kaizen_da_module::{genesis as da_genesis, CertifyBlob, DaRead, DataAvailability, PayForBlob};
use kaizen_framework::{
    bls::{aggregate_signatures, BlsKey},
    Address, BlockCtx, Component, GasMeter, NATIVE_DENOM,
};
use kaizen_proto::kaizen::{bounty::v1::MsgCreateBounty, da::v1::Quorum};
use kaizen_staking::{genesis as staking_genesis, Staking, StakingWrite};
use sha2::{Digest, Sha256};
use tendermint::abci::Event;

pub use kaizen_framework::testing::{events_of, TestStore, CHAIN_ID};
/// The gas limit of every test transaction: far above what any one message uses.
pub const GAS_LIMIT: u64 = 100_000_000;

/// Sponsors bounties and pays for the blobs they name.
pub fn sponsor() -> Address {
    Address::from_bytes([0x5b; 20])
}

/// Submitters, each with [`SUBMITTER_UKZN`].
pub fn alice() -> Address {
    Address::from_bytes([0xa1; 20])
}

pub fn bob() -> Address {
    Address::from_bytes([0xb0; 20])
}

/// Holds exactly [`REWARD`]: enough for a bounty's reward, not for its baseline fee.
pub fn carol() -> Address {
    Address::from_bytes([0xca; 20])
}

/// An address genesis gives nothing.
pub fn nobody() -> Address {
    Address::from_bytes([0x0d; 20])
}

pub const SPONSOR_UKZN: u128 = 100_000_000;
pub const SUBMITTER_UKZN: u128 = 1_000_000;
pub const REWARD: u128 = 1_000_000;
/// The chain's floors in this genesis: a bounty's reward and each job's fee, and the
/// least committee and quorum.
pub const MIN_REWARD: u128 = 1_000_000;
pub const MIN_JOB_FEE: u128 = 1_000;
pub const MIN_COMMITTEE: u32 = 2;
pub const MIN_QUORUM: u32 = 2;
pub const SUBMISSION_FEE: u128 = 3_000;
/// The baseline's score in [`TestChain::open_bounty`], and the improvement its target
/// asks for.
pub const BASELINE: u64 = 800_000;
pub const MIN_IMPROVEMENT: u64 = 50_000;
/// Every bounty's committees: three members, two of whom decide.
pub const COMMITTEE: u32 = 3;
pub const QUORUM: u32 = 2;
/// How many evaluators genesis registers, each with [`EVALUATOR_BOND`].
pub const EVALUATORS: usize = 4;
pub const EVALUATOR_BOND: u128 = 5_000;
pub const MAX_COMMITTEE: u32 = 5;
pub const OPERATORS: usize = 4;
pub const OPERATOR_BOND: u128 = 1_000;
pub const MAX_SUBMISSIONS: u32 = 3;
pub const REVEAL_WINDOW: u64 = 5;
pub const MAX_DEADLINE_BLOCKS: u64 = 1_000;
pub const MAX_TITLE_BYTES: u32 = 64;
/// How far ahead of its creation [`TestChain::create_msg`] sets a bounty's deadline.
pub const DEADLINE_IN: u64 = 100;
pub const EPOCH_BLOCKS: u64 = 4;

/// Genesis DA operator `i`: its address and BLS key.
pub fn operator(i: usize) -> (Address, BlsKey) {
    let address = Address::from_bytes([0x10 + i as u8; 20]);
    let key =
        BlsKey::from_seed(format!("bounty handler tests, the BLS key of operator {i}").as_bytes())
            .expect("a BLS key");
    (address, key)
}

/// Genesis evaluator `i`.
pub fn evaluator(i: usize) -> Address {
    Address::from_bytes([0x20 + i as u8; 20])
}

/// The one place the test genesis is written.
#[allow(clippy::type_complexity)]
fn test_genesis() -> (
    <Auth as Component>::Genesis,
    <Bank as Component>::Genesis,
    <Staking as Component>::Genesis,
    <DataAvailability as Component>::Genesis,
    <Attest as Component>::Genesis,
    <Bounties as Component>::Genesis,
) {
    let funded = |who: Address, amount: u128| bank_genesis::Balance {
        address: who.to_string(),
        coins: vec![Coin {
            denom: NATIVE_DENOM.into(),
            amount: amount.to_string(),
        }],
    };
    let mut balances = vec![
        funded(sponsor(), SPONSOR_UKZN),
        funded(alice(), SUBMITTER_UKZN),
        funded(bob(), SUBMITTER_UKZN),
        funded(carol(), REWARD),
    ];
    let mut da_operators = Vec::new();
    for i in 0..OPERATORS {
        let (address, key) = operator(i);
        balances.push(funded(address, 10 * OPERATOR_BOND));
        da_operators.push(staking_genesis::GenesisDaOperator {
            address: address.to_string(),
            bls_public_key: key.public_key().to_vec(),
            proof_of_possession: key.proof_of_possession().to_vec(),
            endpoint: format!("http://127.0.0.1:{}", 7100 + i),
            bond: OPERATOR_BOND.to_string(),
        });
    }
    let mut evaluators = Vec::new();
    for i in 0..EVALUATORS {
        balances.push(funded(evaluator(i), 10 * EVALUATOR_BOND));
        evaluators.push(staking_genesis::GenesisEvaluator {
            address: evaluator(i).to_string(),
            bond: EVALUATOR_BOND.to_string(),
            endpoint: String::new(),
        });
    }
    let staking = staking_genesis::GenesisState {
        params: Some(staking_genesis::Params {
            min_da_bond: OPERATOR_BOND.to_string(),
            // Short epochs: a job's committee is drawn from the beacon two epochs on.
            epoch_blocks: EPOCH_BLOCKS,
            max_consecutive_misses: 2,
            jail_blocks: 20,
            max_da_operators: 16,
            min_evaluator_bond: "1000".into(),
            max_evaluators: 16,
        }),
        da_operators,
        evaluators,
    };
    let da = da_genesis::GenesisState {
        params: Some(da_genesis::Params {
            base_fee: "1000".into(),
            byte_block_fee_micro: "1".into(),
            max_blob_bytes: 1 << 20,
            max_shards: 64,
            min_retention_blocks: 5,
            max_retention_blocks: 10_000,
            certify_window_blocks: 50,
            certify_bond_ppm: 666_667,
            max_quorum_size: 16,
            // No storage challenges or randomness duties here: nobody runs a DA node.
            challenges_per_epoch: 0,
            challenge_window_blocks: 3,
            challenge_reward: "1000".into(),
            max_queue_items_per_block: 64,
            randomness_miss_slash_ppm: 0,
        }),
    };
    let attest = attest_genesis::GenesisState {
        params: Some(attest_genesis::Params {
            commit_window_blocks: 4,
            reveal_window_blocks: 4,
            max_rounds: 2,
            slash_ppm: 100_000,
            jail_blocks: 50,
            min_evaluator_bond: "1000".into(),
            max_committee_size: MAX_COMMITTEE,
            max_queue_items_per_block: 64,
            min_committee_size: MIN_COMMITTEE,
            min_quorum: MIN_QUORUM,
            min_job_fee: MIN_JOB_FEE.to_string(),
            max_open_jobs_per_evaluator: 16,
            block_work_budget: 20_000_000,
            max_jobs_per_beacon: 320,
            wasm_fuel: 100_000_000,
            max_model_cost: 100_000_000_000,
            max_artifact_bytes: 512 << 20,
        }),
    };
    let bounty = bounty_genesis::GenesisState {
        params: Some(bounty_genesis::Params {
            max_submissions_per_bounty: MAX_SUBMISSIONS,
            reveal_window_blocks: REVEAL_WINDOW,
            max_deadline_blocks: MAX_DEADLINE_BLOCKS,
            max_title_bytes: MAX_TITLE_BYTES,
            max_queue_items_per_block: 64,
            min_reward: MIN_REWARD.to_string(),
            block_work_budget: 20_000_000,
        }),
    };
    (
        Default::default(),
        bank_genesis::GenesisState { balances },
        staking,
        da,
        attest,
        bounty,
    )
}

/// The blobs the tests name, by commitment: all certified available at height 1 but
/// `pending` (paid for, never certified) and `unpaid` (never paid for).
#[derive(Clone, Debug)]
pub struct Blobs {
    pub test_set: Vec<u8>,
    pub baseline: Vec<u8>,
    pub model_a: Vec<u8>,
    pub model_b: Vec<u8>,
    pub patch: Vec<u8>,
    pub wasm: Vec<u8>,
    pub pending: Vec<u8>,
    pub unpaid: Vec<u8>,
}

/// A blob of 1000 bytes coded into 4 + 4 shards.
fn blob_of(seed: u8) -> EncodedBlob {
    let data: Vec<u8> = (0..1_000usize)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    encode_blob(
        &CpuCoder::single_threaded(),
        0,
        &data,
        ErasureParams { k: 4, m: 4 },
    )
    .expect("encodes")
}

/// The module's chain on a [`TestStore`] (which it derefs to: `state`, `height`, `ok`,
/// `refused`...).
pub struct TestChain {
    pub store: TestStore,
    pub blobs: Blobs,
}

impl std::ops::Deref for TestChain {
    type Target = TestStore;
    fn deref(&self) -> &TestStore {
        &self.store
    }
}

impl std::ops::DerefMut for TestChain {
    fn deref_mut(&mut self) -> &mut TestStore {
        &mut self.store
    }
}

impl TestChain {
    /// Opens a temporary store as the app does, writes genesis and commits it; then, at
    /// height 1, pays for the [`Blobs`] and certifies those meant to be available.
    pub async fn new() -> Self {
        let mut store = TestStore::open(GAS_LIMIT).await;
        let (auth, bank, staking, da, attest, bounty) = test_genesis();
        let genesis = &mut store.state;
        Auth::init_chain(genesis, &auth)
            .await
            .expect("auth genesis");
        Bank::init_chain(genesis, &bank)
            .await
            .expect("bank genesis");
        Staking::init_chain(genesis, &staking)
            .await
            .expect("staking genesis");
        DataAvailability::init_chain(genesis, &da)
            .await
            .expect("da genesis");
        Attest::init_chain(genesis, &attest)
            .await
            .expect("attest genesis");
        Bounties::init_chain(genesis, &bounty)
            .await
            .expect("bounty genesis");
        store.commit_genesis().await;
        let mut chain = Self {
            store,
            blobs: Blobs {
                test_set: vec![],
                baseline: vec![],
                model_a: vec![],
                model_b: vec![],
                patch: vec![],
                wasm: vec![],
                pending: vec![],
                unpaid: blob_of(8).blob_ref.commitment.to_vec(),
            },
        };
        chain.begin_block(1).await;
        chain.blobs.test_set = chain.certified_blob(1).await;
        chain.blobs.baseline = chain.certified_blob(2).await;
        chain.blobs.model_a = chain.certified_blob(3).await;
        chain.blobs.model_b = chain.certified_blob(4).await;
        chain.blobs.patch = chain.certified_blob(5).await;
        chain.blobs.wasm = chain.certified_blob(6).await;
        let pending = blob_of(7);
        chain.ok(&pay(&pending)).await;
        chain.blobs.pending = pending.blob_ref.commitment.to_vec();
        chain
    }

    fn block(&self) -> BlockCtx {
        BlockCtx {
            chain_id: CHAIN_ID.into(),
            height: self.height,
            time: tendermint::Time::unix_epoch(),
        }
    }

    /// Moves to `height` and runs the begin-block hooks there in the app's order;
    /// returns their events.
    pub async fn begin_block(&mut self, height: u64) -> Vec<Event> {
        self.height = height;
        let block = self.block();
        let mut hooks = StateDelta::new(&mut self.state);
        Staking::begin_block(&mut hooks, &block)
            .await
            .expect("staking begin-block");
        DataAvailability::begin_block(&mut hooks, &block)
            .await
            .expect("da begin-block");
        Attest::begin_block(&mut hooks, &block)
            .await
            .expect("attest begin-block");
        Bounties::begin_block(&mut hooks, &block)
            .await
            .expect("bounty begin-block");
        hooks.apply().1
    }

    /// Runs the end-block hooks of the current height in the app's order (`attest`
    /// closes windows, then `bounty` applies verdicts, expires reveals and settles);
    /// returns their events.
    pub async fn end_block(&mut self) -> Vec<Event> {
        self.end_hooks().await.0
    }

    /// The end-block hooks, with what `bounty`'s did ([`run_block_work`] is what
    /// `Bounties::end_block` runs).
    async fn end_hooks(&mut self) -> (Vec<Event>, BlockWork) {
        let block = self.block();
        let mut hooks = StateDelta::new(&mut self.state);
        Staking::end_block(&mut hooks, &block)
            .await
            .expect("staking end-block");
        DataAvailability::end_block(&mut hooks, &block)
            .await
            .expect("da end-block");
        Attest::end_block(&mut hooks, &block)
            .await
            .expect("attest end-block");
        let work = run_block_work(&mut hooks, block.height)
            .await
            .expect("bounty end-block");
        (hooks.apply().1, work)
    }

    /// Ends the current block and begins the next; returns the hooks' events.
    pub async fn next_block(&mut self) -> Vec<Event> {
        let mut events = self.end_block().await;
        events.extend(self.begin_block(self.height + 1).await);
        events
    }

    /// [`next_block`](Self::next_block), returning what `bounty`'s end-block did.
    pub async fn next_block_measured(&mut self) -> BlockWork {
        let (_, work) = self.end_hooks().await;
        self.begin_block(self.height + 1).await;
        work
    }

    /// The value under `key`.
    pub async fn raw(&self, key: &str) -> Option<Vec<u8>> {
        self.state.get_raw(key).await.expect("read state")
    }

    /// Whether `key` holds a value.
    pub async fn has(&self, key: &str) -> bool {
        self.raw(key).await.is_some()
    }

    pub async fn balance(&self, who: &Address) -> u128 {
        self.state
            .balance(&GasMeter::unlimited(), who, NATIVE_DENOM)
            .await
            .expect("balance")
    }

    pub async fn bounty(&self, id: u64) -> Bounty {
        self.state
            .bounty(&GasMeter::unlimited(), id)
            .await
            .expect("bounty")
            .expect("the bounty exists")
    }

    pub async fn submission(&self, id: u64) -> Submission {
        self.state
            .submission(&GasMeter::unlimited(), id)
            .await
            .expect("submission")
            .expect("the submission exists")
    }

    pub async fn model(&self, id: u64) -> Model {
        self.state
            .model(&GasMeter::unlimited(), id)
            .await
            .expect("model")
            .expect("the model exists")
    }

    pub async fn job(&self, id: u64) -> EvaluationJob {
        self.state
            .job(&GasMeter::unlimited(), id)
            .await
            .expect("job")
            .expect("the job exists")
    }

    /// Pays for blob number `seed` and certifies it with every quorum member's
    /// signature, both at the current height; its commitment.
    async fn certified_blob(&mut self, seed: u8) -> Vec<u8> {
        self.certified_blob_kept(seed, RETENTION).await
    }

    /// [`certified_blob`](Self::certified_blob), kept `retention` blocks.
    pub async fn certified_blob_kept(&mut self, seed: u8, retention: u64) -> Vec<u8> {
        let blob = blob_of(seed);
        let commitment = blob.blob_ref.commitment;
        self.ok(&PayForBlob {
            retention_blocks: retention,
            ..pay(&blob)
        })
        .await;
        let record = self
            .state
            .blob(&GasMeter::unlimited(), &commitment)
            .await
            .expect("blob")
            .expect("the blob is paid for");
        let quorum = self
            .state
            .quorum(&GasMeter::unlimited(), record.epoch)
            .await
            .expect("quorum")
            .expect("the epoch has a quorum");
        let message = availability_message(CHAIN_ID, &commitment, record.epoch, record.paid_height);
        let mut bitmap = vec![0u8; quorum.members.len().div_ceil(8)];
        let mut signatures = Vec::new();
        for p in 0..quorum.members.len() {
            bitmap[p / 8] |= 1 << (p % 8);
            signatures.push(member_key(&quorum, p).sign(&message));
        }
        let refs: Vec<&[u8]> = signatures.iter().map(|s| s.as_slice()).collect();
        self.ok(&CertifyBlob {
            submitter: sponsor(),
            commitment,
            signer_bitmap: bitmap,
            aggregate_signature: aggregate_signatures(&refs).expect("aggregates").to_vec(),
        })
        .await;
        commitment.to_vec()
    }

    /// The sponsor's bounty over the test blobs: metric `recall:1`, a target of the
    /// baseline plus [`MIN_IMPROVEMENT`], reward [`REWARD`], fee [`SUBMISSION_FEE`],
    /// committees of [`COMMITTEE`] with [`QUORUM`], deadline [`DEADLINE_IN`] blocks
    /// ahead, first to beat.
    pub fn create_msg(&self) -> MsgCreateBounty {
        MsgCreateBounty {
            sponsor: sponsor().to_string(),
            title: "malignant recall".into(),
            test_set: self.blobs.test_set.clone(),
            baseline_model: self.blobs.baseline.clone(),
            metric: "recall:1".into(),
            wasm_metric: vec![],
            target_score_ppm: 0,
            min_improvement_ppm: MIN_IMPROVEMENT,
            target_is_improvement: true,
            reward: REWARD.to_string(),
            submitter_share_ppm: 800_000,
            verifier_share_ppm: 200_000,
            royalty_ppm: 20_000,
            mode: BountyMode::FirstToBeat as i32,
            deadline_height: self.height + DEADLINE_IN,
            committee_size: COMMITTEE,
            quorum: QUORUM,
            submission_fee: SUBMISSION_FEE.to_string(),
        }
    }

    /// Creates the bounty `msg` describes and has its baseline scored [`BASELINE`] by
    /// the whole committee (commit, then reveal in the next block); returns its id once
    /// it is open.
    pub async fn open(&mut self, msg: &MsgCreateBounty) -> u64 {
        self.ok(&create(msg)).await;
        let id = self.latest_bounty_id().await;
        let b = self.bounty(id).await;
        assert_eq!(b.status, BountyStatus::EvaluatingBaseline as i32);
        self.evaluate(b.baseline_job_id, &scored(BASELINE)).await;
        let b = self.bounty(id).await;
        assert_eq!(
            b.status,
            BountyStatus::Open as i32,
            "the baseline verdict opens it"
        );
        id
    }

    /// [`open`](Self::open) with [`create_msg`](Self::create_msg).
    pub async fn open_bounty(&mut self) -> u64 {
        let msg = self.create_msg();
        self.open(&msg).await
    }

    /// The id of the newest bounty.
    pub async fn latest_bounty_id(&self) -> u64 {
        let mut id = 0;
        while self
            .state
            .bounty(&GasMeter::unlimited(), id + 1)
            .await
            .expect("bounty")
            .is_some()
        {
            id += 1;
        }
        id
    }

    /// Every member of the job's current committee commits `outcome` in this block and
    /// reveals it in the next, whose end settles what the verdict decides; returns the
    /// reveals' and the hooks' events.
    pub async fn evaluate(&mut self, job_id: u64, outcome: &Outcome) -> Vec<Event> {
        self.evaluate_all(&[(job_id, outcome.clone())]).await
    }

    /// [`evaluate`](Self::evaluate) for several jobs at once, in the same two blocks.
    pub async fn evaluate_all(&mut self, verdicts: &[(u64, Outcome)]) -> Vec<Event> {
        let mut jobs = Vec::new();
        for (job_id, outcome) in verdicts {
            jobs.push((self.drawn(*job_id).await.id, outcome));
        }
        let mut commits = Vec::new();
        for (job_id, outcome) in &jobs {
            let job = self.job(*job_id).await;
            assert_eq!(job.status, JobStatus::Committing as i32);
            for m in &job.committee {
                let m: Address = m.parse().expect("an address");
                self.ok(&attest_commit(&job, &m, outcome)).await;
                commits.push((job.clone(), m, *outcome));
            }
        }
        self.next_block().await;
        let mut events = Vec::new();
        for (job, m, outcome) in &commits {
            events.extend(self.ok(&attest_reveal(job, m, outcome)).await);
        }
        events.extend(self.next_block().await);
        events
    }

    /// Job `job_id` with its committee: if it awaits its beacon, the chain moves past the
    /// beacon's block, whose end draws it.
    pub async fn drawn(&mut self, job_id: u64) -> EvaluationJob {
        let job = self.job(job_id).await;
        if job.status == JobStatus::AwaitingBeacon as i32 {
            while self.height <= job.beacon_epoch * EPOCH_BLOCKS {
                self.next_block().await;
            }
        }
        self.job(job_id).await
    }

    /// `who` commits to submitting `model` to `bounty_id`; the new submission's id.
    pub async fn commit(&mut self, bounty_id: u64, who: &Address, model: &ModelRef) -> u64 {
        let events = self.ok(&commit_msg(bounty_id, who, model)).await;
        events_of::<EventSubmissionCommitted>(&events)[0].submission_id
    }

    /// `who` commits to `model` and reveals it in the same block; the submission's id
    /// and its job's.
    pub async fn submit(&mut self, bounty_id: u64, who: &Address, model: &ModelRef) -> (u64, u64) {
        let id = self.commit(bounty_id, who, model).await;
        self.ok(&reveal_msg(id, who, model)).await;
        (id, self.submission(id).await.job_id)
    }

    /// Jails evaluator `who` through `staking`'s view, as a fault elsewhere would: it is
    /// drawn into no committee until it unjails.
    pub async fn jail(&mut self, who: &Address) {
        let height = self.height;
        self.state
            .slash_evaluator(
                &GasMeter::unlimited(),
                who,
                0,
                1_000,
                height,
                "a fault elsewhere",
                0,
            )
            .await
            .expect("jails");
    }
}

/// The BLS key of quorum member `position`.
fn member_key(quorum: &Quorum, position: usize) -> BlsKey {
    (0..OPERATORS)
        .map(operator)
        .find(|(address, _)| address.to_string() == quorum.members[position].operator)
        .expect("the member is a genesis operator")
        .1
}

/// How long the test blobs are kept: past the latest deadline plus an evaluation's span.
pub const RETENTION: u64 = 2_000;

/// The sponsor's payment for `blob`, kept [`RETENTION`] blocks.
fn pay(blob: &EncodedBlob) -> PayForBlob {
    PayForBlob {
        payer: sponsor(),
        commitment: blob.blob_ref.commitment,
        size: blob.blob_ref.size,
        original_shards: blob.blob_ref.k as u32,
        recovery_shards: blob.blob_ref.m as u32,
        retention_blocks: RETENTION,
        max_fee: 1_000_000,
    }
}

/// `msg` parsed as the app decodes it.
pub fn create(msg: &MsgCreateBounty) -> CreateBounty {
    CreateBounty::try_from(msg).expect("a well-formed MsgCreateBounty")
}

/// An outcome with score `score` (and a digest derived from it).
pub fn scored(score: u64) -> Outcome {
    Outcome {
        score_ppm: score,
        predictions_digest: Sha256::digest(score.to_be_bytes()).to_vec(),
        failure_code: 0,
    }
}

/// `who`'s attestation salt.
fn attestation_salt(who: &Address) -> Vec<u8> {
    Sha256::digest(format!("salt/{who}")).to_vec()
}

fn attest_commit(job: &EvaluationJob, who: &Address, o: &Outcome) -> CommitAttestation {
    CommitAttestation {
        evaluator: *who,
        job_id: job.id,
        commitment: attestation_commitment(
            job.id,
            job.round,
            &who.to_string(),
            o.score_ppm,
            &o.predictions_digest,
            o.failure_code,
            &attestation_salt(who),
        )
        .to_vec(),
    }
}

fn attest_reveal(job: &EvaluationJob, who: &Address, o: &Outcome) -> RevealAttestation {
    RevealAttestation {
        evaluator: *who,
        job_id: job.id,
        outcome: o.clone(),
        salt: attestation_salt(who),
    }
}

/// What a submission names: a whole model blob, or a registered parent model and a
/// patch blob.
#[derive(Clone, Debug)]
pub struct ModelRef {
    pub model: Vec<u8>,
    pub parent_model_id: u64,
    pub patch: Vec<u8>,
}

pub fn whole(model: &[u8]) -> ModelRef {
    ModelRef {
        model: model.to_vec(),
        parent_model_id: 0,
        patch: vec![],
    }
}

pub fn patched(parent_model_id: u64, patch: &[u8]) -> ModelRef {
    ModelRef {
        model: vec![],
        parent_model_id,
        patch: patch.to_vec(),
    }
}

/// Every submitter's salt.
pub const SALT: [u8; 16] = [7; 16];

/// `who`'s commitment to submitting `model` to `bounty_id`.
pub fn commit_msg(bounty_id: u64, who: &Address, model: &ModelRef) -> CommitSubmission {
    CommitSubmission {
        submitter: *who,
        bounty_id,
        commitment: submission_commitment(
            bounty_id,
            &who.to_string(),
            &model.model,
            model.parent_model_id,
            &model.patch,
            &SALT,
        )
        .to_vec(),
    }
}

/// `who`'s reveal of `model` as submission `submission_id`.
pub fn reveal_msg(submission_id: u64, who: &Address, model: &ModelRef) -> RevealSubmission {
    RevealSubmission {
        submitter: *who,
        msg: kaizen_proto::kaizen::bounty::v1::MsgRevealSubmission {
            submitter: who.to_string(),
            submission_id,
            model: model.model.clone(),
            parent_model_id: model.parent_model_id,
            patch: model.patch.clone(),
            salt: SALT.to_vec(),
        },
    }
}
