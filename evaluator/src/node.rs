//! The `kaizen-evaluator` daemon: it polls the chain for the jobs whose current committee
//! includes it (`kaizen.attest.v1.Query/AssignedJobs`), fetches each job's artifacts from
//! DA (verified against their commitments), evaluates in the [`sandbox`](crate::sandbox),
//! then commits and, once the commit phase is over, reveals.
//!
//! Restarts are safe: the [`journal`](crate::journal) holds each round's outcome and salt
//! before its commitment leaves, and the daemon only ever re-sends that commitment or
//! reveals from it.

// A daemon, not consensus code: it reads clocks and the filesystem.
#![allow(clippy::disallowed_methods)]

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{bail, Context};
use cosmrs::proto::Any;
use kaizen_client::{
    tx::{broadcast, Gas, TxOptions},
    Endpoints,
};
use kaizen_da_client::{
    chain::{ChainView, GrpcChain},
    dispersal::DaClient,
};
use kaizen_da_core::{blob::BlobRef, CpuCoder};
use kaizen_framework::any;
use kaizen_proto::kaizen::attest::v1::{
    query_client::QueryClient as AttestQuery, EvaluationJob, JobStatus, MsgCommitAttestation,
    MsgRevealAttestation, QueryAssignedJobsRequest,
};
use sha2::{Digest, Sha256};
use tonic::transport::Channel;

use crate::{
    journal::{Journal, RoundRecord},
    sandbox::{self, EvalFiles, SandboxLimits, Verdict},
};

/// How the daemon runs.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub home: PathBuf,
    pub chain_grpc: String,
    pub chain_id: String,
    pub poll: Duration,
    pub sandbox: SandboxLimits,
    /// The `kaizen-evaluator` executable that runs `eval` in the sandbox.
    pub exe: PathBuf,
    /// Largest artifact fetched from DA, in bytes.
    pub max_artifact_bytes: u64,
    /// Evaluations run at once.
    pub concurrent_jobs: usize,
    /// TEST ONLY: attest a wrong score, so end-to-end tests can watch it get slashed.
    pub byzantine: bool,
}

pub struct EvaluatorNode {
    cfg: NodeConfig,
    /// Failed DA retrievals per (job, round, artifact), and when the first failed: after
    /// [`FETCH_ATTEMPTS`] spread over [`FETCH_PATIENCE`] the artifact is unavailable
    /// (code 10) rather than retried until the commit window closes. A success clears it.
    fetch_failures: std::sync::Mutex<FetchFailures>,
    key: cosmrs::crypto::secp256k1::SigningKey,
    address: kaizen_framework::Address,
    endpoints: Endpoints,
    da: DaClient,
    chain: GrpcChain,
    attest: AttestQuery<Channel>,
    journal: Journal,
}

/// DA retrievals of one artifact that may fail (one per pass, a poll apart at least)
/// before the daemon attests it unavailable (code 10)...
pub const FETCH_ATTEMPTS: u32 = 3;
/// ...and how long after the first failure, so that a network blip is not a verdict.
pub const FETCH_PATIENCE: Duration = Duration::from_secs(10);

type FetchFailures = std::collections::BTreeMap<(u64, u32, [u8; 32]), (u32, std::time::Instant)>;

/// Why an artifact could not be fetched.
#[derive(Debug)]
enum FetchError {
    /// For good: not on chain, over the job's limit, or unrecoverable after
    /// [`FETCH_ATTEMPTS`] tries. The daemon attests code 10.
    Unavailable(String),
    /// Maybe not next time (the chain or the network): the daemon retries.
    Transient(anyhow::Error),
}

impl From<std::io::Error> for FetchError {
    fn from(e: std::io::Error) -> Self {
        FetchError::Transient(e.into())
    }
}

/// The verdict an evaluator attests for what its own machine could not decide: a local
/// time-out (4), a prediction on a decision edge (11) or an evaluation process that died
/// without a verdict ([`sandbox::DIED`]) depend on the machine, not the job, so it
/// abstains ([`kaizen_attest::ABSTAIN_CODE`]) instead of splitting from the others.
/// Every other verdict is the job's own (7 included: the model failed at run time).
pub fn attested(mut v: Verdict) -> Verdict {
    if matches!(v.failure_code, 4 | 11 | sandbox::DIED) {
        v.error = format!("abstaining: {}", v.error);
        v.failure_code = kaizen_attest::ABSTAIN_CODE;
        v.score_ppm = 0;
        v.predictions_digest.clear();
    }
    v
}

fn random_salt() -> anyhow::Result<[u8; 32]> {
    use std::io::Read;
    let mut salt = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut salt)?;
    Ok(salt)
}

impl EvaluatorNode {
    /// Connects with the account `key_name` of the keyring in `cfg.home`.
    pub async fn connect(cfg: NodeConfig, key_name: &str) -> anyhow::Result<Self> {
        let ring = kaizen_client::keys::Keyring::open(&cfg.home)?;
        let (key, address) = ring.signer(key_name)?;
        let (da_key, _) = ring.signer(key_name)?;
        let endpoints = Endpoints {
            home: cfg.home.clone(),
            node: String::new(),
            grpc: cfg.chain_grpc.clone(),
            chain_id: Some(cfg.chain_id.clone()),
        };
        let da = DaClient::new(
            endpoints.clone(),
            da_key,
            address,
            Arc::new(CpuCoder::new(2)),
        )
        .await?;
        let chain = GrpcChain::connect(&cfg.chain_grpc).await?;
        let channel = Channel::from_shared(cfg.chain_grpc.clone())
            .with_context(|| format!("--chain-grpc {:?}", cfg.chain_grpc))?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .connect_lazy();
        let attest = AttestQuery::new(channel);
        let journal = Journal::open(&cfg.home.join("data"))?;
        Ok(Self {
            cfg,
            fetch_failures: Default::default(),
            key,
            address,
            endpoints,
            da,
            chain,
            attest,
            journal,
        })
    }

    /// Polls and acts until the future is dropped.
    pub async fn run(mut self) {
        let mut backoff = self.cfg.poll;
        loop {
            match self.tick().await {
                Ok(()) => backoff = self.cfg.poll,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "poll failed; retrying");
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
            tokio::time::sleep(backoff).await;
        }
    }

    /// Every job assigned to this evaluator, all pages.
    async fn assigned_jobs(&mut self) -> anyhow::Result<Vec<EvaluationJob>> {
        let mut jobs = Vec::new();
        let mut start_after = 0;
        loop {
            let page = self
                .attest
                .assigned_jobs(QueryAssignedJobsRequest {
                    evaluator: self.address.to_string(),
                    start_after,
                    limit: 0,
                })
                .await
                .context("AssignedJobs")?
                .into_inner();
            jobs.extend(page.jobs);
            if page.next_start_after == 0 || page.next_start_after <= start_after {
                return Ok(jobs);
            }
            start_after = page.next_start_after;
        }
    }

    /// One pass over the assigned jobs: the `concurrent_jobs` jobs with the earliest
    /// commit deadlines that still need a verdict are evaluated at once, then every job
    /// is committed or revealed, earliest deadline first.
    pub async fn tick(&mut self) -> anyhow::Result<()> {
        let mut jobs = self.assigned_jobs().await?;
        metrics::gauge!("kaizen_evaluator_assigned_jobs").set(jobs.len() as f64);
        jobs.sort_by_key(|j| (next_deadline(j), j.id));
        let batch: Vec<EvaluationJob> = jobs
            .iter()
            .filter(|j| self.needs_verdict(j))
            .take(self.cfg.concurrent_jobs.max(1))
            .cloned()
            .collect();
        let verdicts = {
            let this = &*self;
            futures::future::join_all(batch.iter().map(|job| this.evaluate(job))).await
        };
        for (job, verdict) in batch.iter().zip(verdicts) {
            match verdict {
                Ok(v) => self.record(job, v)?,
                Err(e) => {
                    metrics::counter!("kaizen_evaluator_errors_total").increment(1);
                    tracing::warn!(job = job.id, round = job.round, error = %format!("{e:#}"), "evaluation not done yet");
                }
            }
        }
        for job in jobs {
            if let Err(e) = self.handle(&job).await {
                metrics::counter!("kaizen_evaluator_errors_total").increment(1);
                tracing::warn!(job = job.id, round = job.round, error = %format!("{e:#}"), "job not done yet");
            }
        }
        Ok(())
    }

    /// Whether `job` waits on this evaluator's verdict: it is committing, this evaluator
    /// has not committed in this round, and nothing is in the journal for it.
    fn needs_verdict(&self, job: &EvaluationJob) -> bool {
        let me = self.address.to_string();
        job.status == JobStatus::Committing as i32
            && !job
                .attestations
                .iter()
                .any(|a| a.round == job.round && a.evaluator == me)
            && self.journal.round(job.id, job.round).is_none()
            && self.journal.verdict(job.id).is_none()
    }

    async fn handle(&mut self, job: &EvaluationJob) -> anyhow::Result<()> {
        let me = self.address.to_string();
        let round = job.round;
        let mine = job
            .attestations
            .iter()
            .find(|a| a.round == round && a.evaluator == me)
            .cloned();
        let status = JobStatus::try_from(job.status).unwrap_or(JobStatus::Unspecified);
        match (status, mine) {
            (JobStatus::Committing, Some(_)) => {
                if let Some(mut r) = self.journal.round(job.id, round).cloned() {
                    if !r.committed {
                        r.committed = true;
                        self.journal.put_round(job.id, round, r)?;
                    }
                }
                Ok(())
            }
            (JobStatus::Committing, None) => self.commit(job).await,
            (_, Some(a)) if !a.revealed => {
                if status == JobStatus::NoQuorum {
                    return Ok(());
                }
                self.reveal(job, &a.commitment).await
            }
            _ => Ok(()),
        }
    }

    async fn commit(&mut self, job: &EvaluationJob) -> anyhow::Result<()> {
        let me = self.address.to_string();
        let record = match self.journal.round(job.id, job.round).cloned() {
            // Decided before (maybe sent before a crash): send exactly that again.
            Some(r) => r,
            None => {
                // Evaluated in a batch of `tick`, now or in a later pass.
                let Some(verdict) = self.journal.verdict(job.id).cloned() else {
                    return Ok(());
                };
                let salt = random_salt()?;
                let digest = hex::decode(&verdict.predictions_digest)?;
                let commitment = kaizen_attest::attestation_commitment(
                    job.id,
                    job.round,
                    &me,
                    verdict.score_ppm,
                    &digest,
                    verdict.failure_code,
                    &salt,
                );
                // An abstention or an unfetchable artifact is about this round: a later
                // round that draws this evaluator again evaluates afresh.
                let this_round_only = verdict.failure_code == kaizen_attest::ABSTAIN_CODE
                    || verdict.failure_code == kaizen_attest::ARTIFACT_UNAVAILABLE_CODE;
                let r = RoundRecord {
                    verdict,
                    salt: hex::encode(salt),
                    commitment: hex::encode(commitment),
                    committed: false,
                    revealed: false,
                };
                self.journal.put_round(job.id, job.round, r.clone())?;
                if this_round_only {
                    self.journal.remove_verdict(job.id)?;
                }
                r
            }
        };
        let msg = MsgCommitAttestation {
            evaluator: me,
            job_id: job.id,
            commitment: hex::decode(&record.commitment)?,
        };
        self.send(any(&msg), "commit").await?;
        let mut r = record;
        r.committed = true;
        self.journal.put_round(job.id, job.round, r)?;
        metrics::counter!("kaizen_evaluator_commits_total").increment(1);
        tracing::info!(job = job.id, round = job.round, "committed");
        Ok(())
    }

    async fn reveal(&mut self, job: &EvaluationJob, on_chain: &[u8]) -> anyhow::Result<()> {
        let Some(record) = self.journal.round(job.id, job.round).cloned() else {
            bail!("no journal record for this commitment: cannot reveal (never re-evaluating a committed round)");
        };
        if hex::decode(&record.commitment)? != on_chain {
            bail!("the commitment on chain is not the one in the journal; not revealing");
        }
        let v = record.verdict.clone();
        let msg = MsgRevealAttestation {
            evaluator: self.address.to_string(),
            job_id: job.id,
            score_ppm: v.score_ppm,
            predictions_digest: hex::decode(&v.predictions_digest)?,
            failure_code: v.failure_code,
            salt: hex::decode(&record.salt)?,
        };
        self.send(any(&msg), "reveal").await?;
        let mut r = record;
        r.revealed = true;
        self.journal.put_round(job.id, job.round, r)?;
        metrics::counter!("kaizen_evaluator_reveals_total").increment(1);
        tracing::info!(
            job = job.id,
            round = job.round,
            score_ppm = v.score_ppm,
            failure_code = v.failure_code,
            "revealed"
        );
        Ok(())
    }

    /// Sends with four times the simulated gas: a reveal simulated before another
    /// member's reveal lands may be the one that completes the quorum in the block
    /// (paying every agreeing member, slashing a minority), several times the work of
    /// the reveal simulated. With too little gas it would be dropped from the mempool
    /// when re-checked, and the member slashed for a reveal it sent.
    async fn send(&self, msg: Any, what: &str) -> anyhow::Result<()> {
        let opts = TxOptions {
            gas: Gas::Auto {
                adjustment_percent: 400,
            },
            ..TxOptions::standard()
        };
        let r = broadcast(&self.endpoints, &self.key, &self.address, vec![msg], &opts)
            .await
            .with_context(|| what.to_string())?;
        if r.code != 0 {
            bail!(
                "{what} failed in the block: {} (codespace {}, code {})",
                r.raw_log,
                r.codespace,
                r.code
            );
        }
        Ok(())
    }

    /// Evaluates the job's model now (the caller records the verdict). An artifact that
    /// cannot be fetched for good is a verdict too (code 10), never silence.
    async fn evaluate(&self, job: &EvaluationJob) -> anyhow::Result<Verdict> {
        match self.evaluate_fetched(job).await {
            Ok(v) => Ok(v),
            Err(FetchError::Unavailable(why)) => {
                tracing::warn!(job = job.id, %why, "artifact unavailable");
                Ok(Verdict::failed(
                    kaizen_attest::ARTIFACT_UNAVAILABLE_CODE,
                    why,
                ))
            }
            Err(FetchError::Transient(e)) => Err(e),
        }
    }

    async fn evaluate_fetched(&self, job: &EvaluationJob) -> Result<Verdict, FetchError> {
        let artifacts = job
            .artifacts
            .clone()
            .ok_or_else(|| FetchError::Unavailable("the job names no artifacts".into()))?;
        let limits = artifacts.limits.unwrap_or_default();
        let max_bytes = match limits.max_artifact_bytes {
            0 => self.cfg.max_artifact_bytes,
            job_max => job_max,
        };
        let test_set = self.fetch(job, &artifacts.test_set, max_bytes).await?;
        let model = if artifacts.patch.is_empty() {
            self.fetch(job, &artifacts.model, max_bytes).await?
        } else {
            let parent = self.fetch(job, &artifacts.parent_model, max_bytes).await?;
            let patch = self.fetch(job, &artifacts.patch, max_bytes).await?;
            let bytes = std::fs::read(&parent)?;
            let patch_bytes = std::fs::read(&patch)?;
            match crate::patch::apply(&bytes, &patch_bytes) {
                Ok(model) => {
                    let path = self.cache_dir().join(format!(
                        "patched-{}.onnx",
                        hex::encode(Sha256::digest(&model))
                    ));
                    std::fs::write(&path, model)?;
                    path
                }
                // A bad patch is the submitter's fault: a failed verdict, code 1.
                Err(e) => return Ok(Verdict::failed(1, format!("patch: {e}"))),
            }
        };
        let (metric, wasm) = if artifacts.metric == "wasm" {
            let wasm = self.fetch(job, &artifacts.wasm_metric, max_bytes).await?;
            let hash = Sha256::digest(std::fs::read(&wasm)?);
            (format!("wasm:{}", hex::encode(hash)), Some(wasm))
        } else {
            (artifacts.metric.clone(), None)
        };
        let files = EvalFiles {
            model,
            test_set,
            metric,
            wasm,
            wasm_fuel: (limits.wasm_fuel != 0).then_some(limits.wasm_fuel),
            max_model_cost: (limits.max_model_cost != 0).then_some(limits.max_model_cost),
        };
        let exe = self.cfg.exe.clone();
        let sandbox = self.cfg.sandbox;
        let started = std::time::Instant::now();
        let mut verdict = tokio::task::spawn_blocking(move || sandbox::run(&exe, &files, sandbox))
            .await
            .context("evaluation task")
            .and_then(|r| r.context("starting the evaluation process"))
            .map(attested)
            .map_err(FetchError::Transient)?;
        metrics::histogram!("kaizen_evaluator_evaluation_seconds")
            .record(started.elapsed().as_secs_f64());
        if self.cfg.byzantine {
            tracing::warn!(job = job.id, "TEST MODE: attesting a wrong score");
            verdict.score_ppm = verdict.score_ppm.wrapping_add(12_345) % 1_000_001;
            verdict.predictions_digest = hex::encode(Sha256::digest(b"byzantine"));
            verdict.failure_code = 0;
        }
        tracing::info!(job = job.id, score_ppm = verdict.score_ppm, failure_code = verdict.failure_code, error = %verdict.error, "evaluated");
        Ok(verdict)
    }

    fn record(&mut self, job: &EvaluationJob, v: Verdict) -> anyhow::Result<()> {
        metrics::counter!("kaizen_evaluator_evaluations_total").increment(1);
        self.journal.put_verdict(job.id, v)
    }

    fn cache_dir(&self) -> PathBuf {
        self.cfg.home.join("data/artifacts")
    }

    /// Fetches a blob from DA into the artifact cache (verified on retrieval); returns
    /// its path.
    async fn fetch(
        &self,
        job: &EvaluationJob,
        commitment: &[u8],
        max_bytes: u64,
    ) -> Result<PathBuf, FetchError> {
        let commitment: [u8; 32] = commitment.try_into().map_err(|_| {
            FetchError::Unavailable("an artifact commitment must be 32 bytes".into())
        })?;
        let hex = hex::encode(commitment);
        let dir = self.cache_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&hex);
        if path.exists() {
            return Ok(path);
        }
        let blob = self
            .chain
            .blob(&commitment)
            .await
            .map_err(FetchError::Transient)?
            .ok_or_else(|| FetchError::Unavailable(format!("blob {hex} is not on chain")))?;
        if blob.size > max_bytes {
            return Err(FetchError::Unavailable(format!(
                "blob {hex} is {} bytes, over the job's {max_bytes}-byte limit",
                blob.size
            )));
        }
        let blob_ref = BlobRef {
            partition: blob.partition,
            commitment,
            size: blob.size,
            k: blob.original_shards as usize,
            m: blob.recovery_shards as usize,
            codec: blob.codec.clone(),
        };
        let key = (job.id, job.round, commitment);
        match self.da.get(&blob_ref, &|_| {}).await {
            Ok((data, _)) => {
                if let Ok(mut failures) = self.fetch_failures.lock() {
                    failures.remove(&key);
                }
                write_atomically(&path, &data).map_err(FetchError::Transient)?;
                Ok(path)
            }
            Err(e) => {
                let (count, since) = match self.fetch_failures.lock() {
                    Ok(mut failures) => {
                        let entry = failures
                            .entry(key)
                            .or_insert((0, std::time::Instant::now()));
                        entry.0 += 1;
                        (entry.0, entry.1.elapsed())
                    }
                    Err(_) => (1, Duration::ZERO),
                };
                if count >= FETCH_ATTEMPTS && since >= FETCH_PATIENCE {
                    Err(FetchError::Unavailable(format!(
                        "blob {hex} could not be retrieved from DA in {count} tries over {} s: {e:#}",
                        since.as_secs()
                    )))
                } else {
                    Err(FetchError::Transient(e))
                }
            }
        }
    }
}

/// The height by which this evaluator must act on `job`: its commit deadline while
/// committing, its reveal deadline after.
fn next_deadline(job: &EvaluationJob) -> u64 {
    if job.status == JobStatus::Revealing as i32 {
        job.reveal_deadline_height
    } else {
        job.commit_deadline_height
    }
}

/// Writes through a temporary file of its own: evaluations run at once may fetch the
/// same artifact, and a reader must never see another writer's partial file.
fn write_atomically(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension(format!("part-{}", hex::encode(&random_salt()?[..8])));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_outs_and_dead_processes_become_abstentions_and_job_failures_stay() {
        for local in [4, 11, sandbox::DIED] {
            let v = attested(Verdict::failed(local, "this machine"));
            assert_eq!(v.failure_code, kaizen_attest::ABSTAIN_CODE);
            assert!(v.error.starts_with("abstaining"));
        }
        // The job's own failures (the metric out of fuel, a model over its cost) and
        // scores are attested as they are.
        for code in [1, 3, 5, 7, 9, kaizen_attest::ARTIFACT_UNAVAILABLE_CODE] {
            assert_eq!(attested(Verdict::failed(code, "")).failure_code, code);
        }
        let scored = Verdict {
            score_ppm: 900_000,
            predictions_digest: "ab".repeat(32),
            failure_code: 0,
            error: String::new(),
        };
        assert_eq!(attested(scored.clone()), scored);
    }
}
