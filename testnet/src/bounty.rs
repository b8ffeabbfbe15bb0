//! Driving bounties on a devnet from Rust: a devnet with DA nodes and evaluators, the
//! demo artifacts on DA, transactions signed with the demo accounts' keys, and the
//! bounty, attest and staking queries. Used by `tests/bounties.rs` and `bounty_bench`.

// A test harness, not consensus code: it waits by the wall clock.
#![allow(clippy::disallowed_methods)]

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use cosmrs::proto::Any;
use kaizen_client::{tx::broadcast_checked, Endpoints};
pub use kaizen_framework::any;
use kaizen_proto::kaizen::{attest::v1 as attest, bounty::v1 as bounty, staking::v1 as staking};
use serde_json::Value;
use tonic::transport::Channel;

use crate::Devnet;

pub const REWARD: u128 = 10_000_000;
pub const SUBMISSION_FEE: u128 = 30_000;

pub fn demo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../demo")
        .join(file)
}

pub fn expected() -> anyhow::Result<Value> {
    Ok(serde_json::from_slice(&std::fs::read(demo(
        "expected.json",
    ))?)?)
}

pub struct Net {
    pub devnet: Devnet,
    pub ep: Endpoints,
    channel: Channel,
}

impl Net {
    pub async fn up(base_port: u16, evaluators: usize) -> anyhow::Result<Self> {
        let e = evaluators.to_string();
        let devnet = Devnet::up_with(
            1,
            base_port,
            &[
                "--da-nodes",
                "4",
                "--evaluators",
                &e,
                "--accounts",
                "sponsor,alice,bob,carol",
            ],
        )?;
        let ep = Endpoints {
            home: devnet.home.path().to_path_buf(),
            node: devnet.rpc(0),
            grpc: devnet.grpc(0),
            chain_id: devnet.info["chain_id"].as_str().map(str::to_string),
        };
        let channel = Channel::from_shared(devnet.grpc(0))?.connect().await?;
        Ok(Self {
            devnet,
            ep,
            channel,
        })
    }

    pub fn address(&self, who: &str) -> anyhow::Result<String> {
        self.devnet.address(who)
    }

    /// Stores a file on DA with the CLI; its commitment.
    pub fn put(&self, file: &Path) -> anyhow::Result<Vec<u8>> {
        let f = file.to_string_lossy().to_string();
        let v = self
            .devnet
            // Kept past the tests' latest deadline (2000 blocks) plus an evaluation's
            // span: the chain refuses artifacts that could expire under a job.
            .kaizen_json(&[
                "da",
                "put",
                &f,
                "--from",
                "sponsor",
                "--retention-blocks",
                "5000",
            ])?;
        let r = v["blob_ref"].as_str().context("blob_ref")?;
        let hex = r.split('/').nth(1).context("commitment in the BlobRef")?;
        Ok(hex::decode(hex)?)
    }

    pub async fn send(&self, who: &str, msg: Any) -> anyhow::Result<i64> {
        let mnemonic = self.devnet.account(who)?["mnemonic"]
            .as_str()
            .context("mnemonic")?
            .to_string();
        let (key, address) = kaizen_client::keys::derive(&mnemonic)?;
        let r =
            broadcast_checked(&self.ep, &key, &address, vec![msg], &format!("{who}'s tx")).await?;
        Ok(r.height)
    }

    pub fn bounties(&self) -> bounty::query_client::QueryClient<Channel> {
        bounty::query_client::QueryClient::new(self.channel.clone())
    }

    pub async fn bounty(&self, id: u64) -> anyhow::Result<bounty::Bounty> {
        self.bounties()
            .bounty(bounty::QueryBountyRequest { id })
            .await?
            .into_inner()
            .bounty
            .context("bounty")
    }

    pub async fn submission(&self, id: u64) -> anyhow::Result<bounty::Submission> {
        self.bounties()
            .submission(bounty::QuerySubmissionRequest { id })
            .await?
            .into_inner()
            .submission
            .context("submission")
    }

    /// The id of the submission to `bounty_id` with `commitment`, paging through its
    /// submissions.
    pub async fn submission_with(&self, bounty_id: u64, commitment: &[u8]) -> anyhow::Result<u64> {
        let mut start_after = 0;
        loop {
            let page = self
                .bounties()
                .submissions(bounty::QuerySubmissionsRequest {
                    bounty_id,
                    start_after,
                    limit: 0,
                })
                .await?
                .into_inner();
            if let Some(s) = page.submissions.iter().find(|s| s.commitment == commitment) {
                return Ok(s.id);
            }
            anyhow::ensure!(
                page.next_start_after != 0,
                "no submission with my commitment"
            );
            start_after = page.next_start_after;
        }
    }

    pub async fn job(&self, id: u64) -> anyhow::Result<attest::EvaluationJob> {
        attest::query_client::QueryClient::new(self.channel.clone())
            .job(attest::QueryJobRequest { id })
            .await?
            .into_inner()
            .job
            .context("job")
    }

    pub async fn evaluator(&self, address: &str) -> anyhow::Result<staking::Evaluator> {
        staking::query_client::QueryClient::new(self.channel.clone())
            .evaluator(staking::QueryEvaluatorRequest {
                address: address.to_string(),
            })
            .await?
            .into_inner()
            .evaluator
            .context("evaluator")
    }

    pub async fn balance(&self, address: &str) -> anyhow::Result<u128> {
        let v = self
            .devnet
            .kaizen_json(&["query", "bank", "balances", address])?;
        let coins = v["balances"].as_array().cloned().unwrap_or_default();
        Ok(coins
            .iter()
            .find(|c| c["denom"] == "ukzn")
            .and_then(|c| c["amount"].as_str())
            .and_then(|a| a.parse().ok())
            .unwrap_or(0))
    }

    /// Creates a bounty; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn create(
        &self,
        test_set: &[u8],
        baseline: &[u8],
        metric: &str,
        wasm: &[u8],
        committee: u32,
        quorum: u32,
        deadline_blocks: u64,
    ) -> anyhow::Result<u64> {
        let height = self.devnet.height(0).await?;
        let msg = bounty::MsgCreateBounty {
            sponsor: self.address("sponsor")?,
            title: "malignant recall on breast-cancer".into(),
            test_set: test_set.to_vec(),
            baseline_model: baseline.to_vec(),
            metric: metric.into(),
            wasm_metric: wasm.to_vec(),
            target_score_ppm: 0,
            min_improvement_ppm: 50_000,
            target_is_improvement: true,
            reward: REWARD.to_string(),
            submitter_share_ppm: 800_000,
            verifier_share_ppm: 200_000,
            royalty_ppm: 20_000,
            mode: bounty::BountyMode::FirstToBeat as i32,
            deadline_height: height as u64 + deadline_blocks,
            committee_size: committee,
            quorum,
            submission_fee: SUBMISSION_FEE.to_string(),
        };
        self.send("sponsor", any(&msg)).await?;
        let list = self
            .bounties()
            .bounties(bounty::QueryBountiesRequest {
                start_after: 0,
                limit: 100,
            })
            .await?
            .into_inner()
            .bounties;
        Ok(list.last().context("a bounty")?.id)
    }

    pub async fn wait_bounty(
        &self,
        id: u64,
        done: impl Fn(&bounty::Bounty) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<bounty::Bounty> {
        let deadline = Instant::now() + timeout;
        loop {
            let b = self.bounty(id).await?;
            if done(&b) {
                return Ok(b);
            }
            if Instant::now() > deadline {
                bail!("bounty {id} stuck: {b:?}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Job `id` once its current round has a committee (drawn at the end of its
    /// beacon's block, two epochs after the request).
    pub async fn wait_committee(
        &self,
        id: u64,
        timeout: Duration,
    ) -> anyhow::Result<attest::EvaluationJob> {
        let deadline = Instant::now() + timeout;
        loop {
            let job = self.job(id).await?;
            if !job.committee.is_empty() {
                return Ok(job);
            }
            if Instant::now() > deadline {
                bail!("job {id} has no committee yet: {job:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Commits and reveals `model`; returns (submission id, reveal height).
    pub async fn submit(
        &self,
        who: &str,
        bounty_id: u64,
        model: &[u8],
    ) -> anyhow::Result<(u64, i64)> {
        let submitter = self.address(who)?;
        let salt = [who.len() as u8 ^ 0x5a; 24];
        let commitment =
            kaizen_bounty::submission_commitment(bounty_id, &submitter, model, 0, &[], &salt);
        self.send(
            who,
            any(&bounty::MsgCommitSubmission {
                submitter: submitter.clone(),
                bounty_id,
                commitment: commitment.to_vec(),
            }),
        )
        .await?;
        let id = self.submission_with(bounty_id, &commitment).await?;
        let h = self
            .send(
                who,
                any(&bounty::MsgRevealSubmission {
                    submitter,
                    submission_id: id,
                    model: model.to_vec(),
                    parent_model_id: 0,
                    patch: vec![],
                    salt: salt.to_vec(),
                }),
            )
            .await?;
        Ok((id, h))
    }

    pub async fn wait_decided(
        &self,
        id: u64,
        timeout: Duration,
    ) -> anyhow::Result<bounty::Submission> {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.submission(id).await?;
            let pending = s.status == bounty::SubmissionStatus::Committed as i32
                || s.status == bounty::SubmissionStatus::Evaluating as i32;
            if !pending {
                return Ok(s);
            }
            if Instant::now() > deadline {
                bail!("submission {id} undecided: {s:?}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}
