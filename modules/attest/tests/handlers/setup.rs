//! A chain of `auth`, `bank`, `staking` and `attest` on a temporary store: genesis (with
//! five bonded evaluators and a funded sponsor) committed as version 0, then handlers
//! run the way the app's transaction pipeline runs them (stateless checks, then
//! `check_and_execute` on a fork that is applied on success and dropped on failure).
//!
//! Jobs are created through [`kaizen_attest::lifecycle::create_job`], the entry point
//! `bounty` uses; each waits for its beacon (two short epochs on), and
//! [`TestChain::create_job`] moves past it so that the committee is drawn.

use cnidarium::{StateDelta, StateRead};
use kaizen_attest::component::{run_block_work, BlockWork};
use kaizen_attest::{
    attestation_commitment, genesis as attest_genesis, lifecycle::create_job, Artifacts, Attest,
    AttestRead, CommitAttestation, EvaluationJob, JobKind, JobStatus, NewJob, Outcome,
    RevealAttestation,
};
use kaizen_auth::Auth;
use kaizen_bank::{
    genesis::{self as bank_genesis, Coin},
    Bank, BankRead,
};
use kaizen_framework::{Address, BlockCtx, Component, GasMeter, HandlerError, NATIVE_DENOM};
use kaizen_staking::{genesis as staking_genesis, Evaluator, Staking, StakingRead};
use sha2::{Digest, Sha256};
use tendermint::abci::Event;

pub use kaizen_framework::testing::{events_of, TestStore, CHAIN_ID};
/// The gas limit of every test transaction: far above what any one message uses.
pub const GAS_LIMIT: u64 = 100_000_000;

/// The account that pays job fees and gets them back when no round reaches a quorum.
pub fn sponsor() -> Address {
    Address::from_bytes([0x5b; 20])
}

/// An address genesis gives nothing, and no evaluator.
pub fn nobody() -> Address {
    Address::from_bytes([0x0d; 20])
}

pub const SPONSOR_UKZN: u128 = 10_000_000;
/// How many evaluators genesis registers, each with [`EVALUATOR_BOND`].
pub const EVALUATORS: usize = 5;
pub const EVALUATOR_BOND: u128 = 5_000;
/// Every job's committee: three members, two of whom decide.
pub const COMMITTEE: u32 = 3;
pub const QUORUM: u32 = 2;
/// Odd, so that splitting it between two agreeing members leaves a remainder.
pub const JOB_FEE: u128 = 3_001;
pub const COMMIT_WINDOW: u64 = 5;
pub const REVEAL_WINDOW: u64 = 5;
pub const MAX_ROUNDS: u32 = 2;
pub const SLASH_PPM: u32 = 100_000;
pub const JAIL_BLOCKS: u64 = 50;
pub const EPOCH_BLOCKS: u64 = 4;
pub const MAX_OPEN_JOBS: u32 = 4;

/// Genesis evaluator `i`.
pub fn evaluator(i: usize) -> Address {
    if i < EVALUATORS {
        return Address::from_bytes([0x20 + i as u8; 20]);
    }
    let mut bytes = [0xe7; 20];
    bytes[1..3].copy_from_slice(&(i as u16).to_be_bytes());
    Address::from_bytes(bytes)
}

/// An account genesis funds (with [`LATECOMER_UKZN`]) that is no evaluator yet.
pub fn latecomer() -> Address {
    Address::from_bytes([0x1a; 20])
}

pub const LATECOMER_UKZN: u128 = 1_000_000_000;

/// What a test may change in the genesis: how many evaluators it registers, and the
/// attest parameters.
pub struct GenesisShape {
    pub evaluators: usize,
    pub attest: attest_genesis::Params,
}

/// The one place the test genesis is written.
fn test_genesis(
    shape: GenesisShape,
) -> (
    <Auth as Component>::Genesis,
    <Bank as Component>::Genesis,
    <Staking as Component>::Genesis,
    <Attest as Component>::Genesis,
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
        funded(latecomer(), LATECOMER_UKZN),
    ];
    let mut evaluators = Vec::new();
    for i in 0..shape.evaluators {
        balances.push(funded(evaluator(i), 10 * EVALUATOR_BOND));
        evaluators.push(staking_genesis::GenesisEvaluator {
            address: evaluator(i).to_string(),
            bond: EVALUATOR_BOND.to_string(),
            endpoint: String::new(),
        });
    }
    let staking = staking_genesis::GenesisState {
        params: Some(staking_genesis::Params {
            min_da_bond: "1000".into(),
            // Short epochs: a job's committee is drawn from the beacon two epochs on.
            epoch_blocks: EPOCH_BLOCKS,
            max_consecutive_misses: 2,
            jail_blocks: 20,
            max_da_operators: 16,
            min_evaluator_bond: "1000".into(),
            max_evaluators: 256,
        }),
        evaluators,
        ..Default::default()
    };
    let attest = attest_genesis::GenesisState {
        params: Some(shape.attest),
    };
    (
        Default::default(),
        bank_genesis::GenesisState { balances },
        staking,
        attest,
    )
}

/// The module's chain on a [`TestStore`] (which it derefs to: `state`, `height`, `ok`,
/// `refused`...).
pub struct TestChain {
    pub store: TestStore,
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
    /// The attest parameters of every test unless it says otherwise.
    pub fn params() -> attest_genesis::Params {
        attest_genesis::Params {
            commit_window_blocks: COMMIT_WINDOW,
            reveal_window_blocks: REVEAL_WINDOW,
            max_rounds: MAX_ROUNDS,
            slash_ppm: SLASH_PPM,
            jail_blocks: JAIL_BLOCKS,
            min_evaluator_bond: "1000".into(),
            max_committee_size: EVALUATORS as u32,
            max_queue_items_per_block: 64,
            // The floors are the bounty's to check when it asks for a job.
            min_committee_size: 1,
            min_quorum: 1,
            min_job_fee: "0".into(),
            max_open_jobs_per_evaluator: MAX_OPEN_JOBS,
            block_work_budget: 20_000_000,
            max_jobs_per_beacon: 320,
            wasm_fuel: 100_000_000,
            max_model_cost: 100_000_000_000,
            max_artifact_bytes: 512 << 20,
        }
    }

    /// Opens a temporary store as the app does, writes genesis and commits it.
    pub async fn new() -> Self {
        Self::with(GenesisShape {
            evaluators: EVALUATORS,
            attest: Self::params(),
        })
        .await
    }

    /// As [`Self::new`], with another genesis shape.
    pub async fn with(shape: GenesisShape) -> Self {
        let mut store = TestStore::open(GAS_LIMIT).await;
        let (auth, bank, staking, attest) = test_genesis(shape);
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
        Attest::init_chain(genesis, &attest)
            .await
            .expect("attest genesis");
        store.commit_genesis().await;
        Self { store }
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
        Attest::begin_block(&mut hooks, &block)
            .await
            .expect("attest begin-block");
        hooks.apply().1
    }

    /// Runs the end-block hooks of the current height in the app's order (`attest`
    /// closes the commit and reveal windows ending here); returns their events.
    pub async fn end_block(&mut self) -> Vec<Event> {
        let block = self.block();
        let mut hooks = StateDelta::new(&mut self.state);
        Staking::end_block(&mut hooks, &block)
            .await
            .expect("staking end-block");
        Attest::end_block(&mut hooks, &block)
            .await
            .expect("attest end-block");
        hooks.apply().1
    }

    /// Ends the current block and begins the next; returns the hooks' events.
    pub async fn next_block(&mut self) -> Vec<Event> {
        let mut events = self.end_block().await;
        events.extend(self.begin_block(self.height + 1).await);
        events
    }

    /// Ends blocks until the chain is at `height` (the hooks of `height` itself have
    /// begun, not ended); returns the hooks' events.
    pub async fn advance_to(&mut self, height: u64) -> Vec<Event> {
        let mut events = Vec::new();
        while self.height < height {
            events.extend(self.next_block().await);
        }
        events
    }

    /// Whether `key` holds a value.
    pub async fn has(&self, key: &str) -> bool {
        self.state.get_raw(key).await.expect("read state").is_some()
    }

    pub async fn balance(&self, who: &Address) -> u128 {
        self.state
            .balance(&GasMeter::unlimited(), who, NATIVE_DENOM)
            .await
            .expect("balance")
    }

    /// Creates a job (as [`Self::request_job`]) and moves past its beacon's block, whose
    /// end draws the committee; returns the job as it is then, and the events of its
    /// creation and of the blocks up to the draw.
    pub async fn create_job(&mut self) -> (EvaluationJob, Vec<Event>) {
        let (job, mut events) = self.request_job().await;
        events.extend(self.advance_to(self.beacon_height(&job) + 1).await);
        (self.job(job.id).await, events)
    }

    /// Moves past the beacon of job `id`'s current round (awaiting it); returns the job
    /// with its committee drawn.
    pub async fn draw(&mut self, id: u64) -> EvaluationJob {
        let job = self.job(id).await;
        assert_eq!(job.status, JobStatus::AwaitingBeacon as i32, "{job:?}");
        self.advance_to(self.beacon_height(&job) + 1).await;
        self.job(id).await
    }

    /// The height whose end draws the committee of `job`'s current round.
    pub fn beacon_height(&self, job: &EvaluationJob) -> u64 {
        job.beacon_epoch * EPOCH_BLOCKS
    }

    /// Creates a job of [`COMMITTEE`] members and [`QUORUM`], with fee [`JOB_FEE`]
    /// paid by the [`sponsor`], as `bounty` does; returns it (awaiting its beacon) and
    /// its events.
    pub async fn request_job(&mut self) -> (EvaluationJob, Vec<Event>) {
        self.try_request_job(COMMITTEE, QUORUM)
            .await
            .expect("the job is created")
    }

    /// Creates a job of `size` members and `quorum` on a fork applied only if creation
    /// succeeds (as a transaction would be).
    pub async fn try_request_job(
        &mut self,
        size: u32,
        quorum: u32,
    ) -> Result<(EvaluationJob, Vec<Event>), HandlerError> {
        let gas = GasMeter::unlimited();
        let new = NewJob {
            kind: JobKind::Baseline,
            bounty_id: 1,
            submission_id: 0,
            artifacts: Artifacts {
                model: vec![0x11; 32],
                test_set: vec![0x22; 32],
                metric: "accuracy".into(),
                ..Default::default()
            },
            committee_size: size,
            quorum,
            fee: JOB_FEE,
            payer: sponsor(),
            refund_to: sponsor(),
            interested: vec![sponsor()],
        };
        let height = self.height;
        let mut fork = StateDelta::new(&mut self.state);
        let job = create_job(&mut fork, &gas, new, height).await?;
        Ok((job, fork.apply().1))
    }

    /// Runs this height's end-block as [`Self::end_block`] does, returning what the
    /// attest part did, then begins the next block.
    pub async fn next_block_measured(&mut self) -> BlockWork {
        let block = self.block();
        let mut hooks = StateDelta::new(&mut self.state);
        Staking::end_block(&mut hooks, &block)
            .await
            .expect("staking end-block");
        let work = run_block_work(&mut hooks, block.height)
            .await
            .expect("attest end-block");
        hooks.apply();
        self.begin_block(self.height + 1).await;
        work
    }

    pub async fn job(&self, id: u64) -> EvaluationJob {
        self.state
            .job(&GasMeter::unlimited(), id)
            .await
            .expect("job")
            .expect("the job exists")
    }

    pub async fn evaluator(&self, who: &Address) -> Evaluator {
        self.state
            .evaluator(&GasMeter::unlimited(), who)
            .await
            .expect("evaluator")
            .expect("a registered evaluator")
    }

    /// Every current committee member of job `id` commits `outcome`.
    pub async fn commit_all(&mut self, id: u64, outcome: &Outcome) {
        let job = self.job(id).await;
        for member in members(&job) {
            self.ok(&commit(&job, &member, outcome)).await;
        }
    }
}

/// The members of the job's current committee, in committee (address) order.
pub fn members(job: &EvaluationJob) -> Vec<Address> {
    job.committee
        .iter()
        .map(|m| m.parse().expect("a committee member is an address"))
        .collect()
}

/// The first genesis evaluator outside the job's current committee.
pub fn outsider(job: &EvaluationJob) -> Address {
    (0..EVALUATORS)
        .map(evaluator)
        .find(|e| !job.committee.contains(&e.to_string()))
        .expect("more evaluators than committee seats")
}

/// An outcome with score `score` (and a digest derived from it).
pub fn scored(score: u64) -> Outcome {
    Outcome {
        score_ppm: score,
        predictions_digest: Sha256::digest(score.to_be_bytes()).to_vec(),
        failure_code: 0,
    }
}

/// An outcome of failure `code`.
pub fn failed(code: u32) -> Outcome {
    Outcome {
        score_ppm: 0,
        predictions_digest: vec![],
        failure_code: code,
    }
}

/// `who`'s attestation salt.
pub fn salt(who: &Address) -> Vec<u8> {
    Sha256::digest(format!("salt/{who}")).to_vec()
}

/// `who`'s commitment to outcome `o` in the job's current round.
pub fn commit(job: &EvaluationJob, who: &Address, o: &Outcome) -> CommitAttestation {
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
            &salt(who),
        )
        .to_vec(),
    }
}

/// `who`'s reveal of outcome `o`.
pub fn reveal(job: &EvaluationJob, who: &Address, o: &Outcome) -> RevealAttestation {
    RevealAttestation {
        evaluator: *who,
        job_id: job.id,
        outcome: o.clone(),
        salt: salt(who),
    }
}
