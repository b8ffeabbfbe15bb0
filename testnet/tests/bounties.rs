//! Bounties end to end: a devnet of real CometBFT and kaizend with `kaizen-da` nodes and
//! `kaizen-evaluator` daemons registered in genesis. The artifacts are the demo's real
//! breast-cancer test split and ONNX models (`demo/`), stored on the DA network; the
//! evaluators fetch them, run them with tract, and attest. Shown here: the story (a
//! submission that misses earns nothing, a better one is paid, the reward adds up), a
//! byzantine evaluator slashed while the correct result stands, an evaluator killed
//! mid-job replaced, and a malformed model, a model with the wrong input shape and a WASM
//! metric that loops forever each ending in a clear failed verdict.

// A test harness, not consensus code: it waits by the wall clock.
#![allow(clippy::disallowed_methods)]

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use cosmrs::proto::Any;
use kaizen_client::{
    tx::{broadcast, Gas, TxOptions},
    Endpoints,
};
use kaizen_proto::kaizen::{attest::v1 as attest, bounty::v1 as bounty, staking::v1 as staking};
use kaizen_testnet::Devnet;
use prost::{Message, Name};
use serde_json::Value;
use tonic::transport::Channel;

const REWARD: u128 = 10_000_000;
const SUBMISSION_FEE: u128 = 30_000;

fn demo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../demo")
        .join(file)
}

fn expected() -> anyhow::Result<Value> {
    Ok(serde_json::from_slice(&std::fs::read(demo(
        "expected.json",
    ))?)?)
}

fn any<T: Message + Name>(msg: &T) -> Any {
    Any {
        type_url: T::type_url(),
        value: msg.encode_to_vec(),
    }
}

struct Net {
    devnet: Devnet,
    ep: Endpoints,
    channel: Channel,
}

impl Net {
    async fn up(base_port: u16, evaluators: usize) -> anyhow::Result<Self> {
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

    fn address(&self, who: &str) -> anyhow::Result<String> {
        self.devnet.address(who)
    }

    /// Stores a file on DA with the CLI; its commitment.
    fn put(&self, file: &Path) -> anyhow::Result<Vec<u8>> {
        let f = file.to_string_lossy().to_string();
        let v = self
            .devnet
            .kaizen_json(&["da", "put", &f, "--from", "sponsor"])?;
        let r = v["blob_ref"].as_str().context("blob_ref")?;
        let hex = r.split('/').nth(1).context("commitment in the BlobRef")?;
        Ok(hex::decode(hex)?)
    }

    async fn send(&self, who: &str, msg: Any) -> anyhow::Result<i64> {
        let mnemonic = self.devnet.account(who)?["mnemonic"]
            .as_str()
            .context("mnemonic")?
            .to_string();
        let (key, address) = kaizen_client::keys::derive(&mnemonic)?;
        let r = broadcast(
            &self.ep,
            &key,
            &address,
            vec![msg],
            &TxOptions {
                gas: Gas::Auto {
                    adjustment_percent: 150,
                },
                fees: None,
                memo: String::new(),
                wait: true,
            },
        )
        .await?;
        if r.code != 0 {
            bail!(
                "{who}'s tx failed: {} ({} {})",
                r.raw_log,
                r.codespace,
                r.code
            );
        }
        Ok(r.height)
    }

    fn bounties(&self) -> bounty::query_client::QueryClient<Channel> {
        bounty::query_client::QueryClient::new(self.channel.clone())
    }

    async fn bounty(&self, id: u64) -> anyhow::Result<bounty::Bounty> {
        self.bounties()
            .bounty(bounty::QueryBountyRequest { id })
            .await?
            .into_inner()
            .bounty
            .context("bounty")
    }

    async fn submission(&self, id: u64) -> anyhow::Result<bounty::Submission> {
        self.bounties()
            .submission(bounty::QuerySubmissionRequest { id })
            .await?
            .into_inner()
            .submission
            .context("submission")
    }

    async fn job(&self, id: u64) -> anyhow::Result<attest::EvaluationJob> {
        attest::query_client::QueryClient::new(self.channel.clone())
            .job(attest::QueryJobRequest { id })
            .await?
            .into_inner()
            .job
            .context("job")
    }

    async fn evaluator(&self, address: &str) -> anyhow::Result<staking::Evaluator> {
        staking::query_client::QueryClient::new(self.channel.clone())
            .evaluator(staking::QueryEvaluatorRequest {
                address: address.to_string(),
            })
            .await?
            .into_inner()
            .evaluator
            .context("evaluator")
    }

    async fn balance(&self, address: &str) -> anyhow::Result<u128> {
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
    async fn create(
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

    async fn wait_bounty(
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

    /// Commits and reveals `model`; returns (submission id, reveal height).
    async fn submit(&self, who: &str, bounty_id: u64, model: &[u8]) -> anyhow::Result<(u64, i64)> {
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
        let subs = self
            .bounties()
            .submissions(bounty::QuerySubmissionsRequest { bounty_id })
            .await?
            .into_inner()
            .submissions;
        let id = subs
            .iter()
            .find(|s| s.commitment == commitment)
            .context("my submission")?
            .id;
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

    async fn wait_decided(&self, id: u64, timeout: Duration) -> anyhow::Result<bounty::Submission> {
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

#[tokio::test]
async fn bounty_story_with_real_evaluators_slashes_a_byzantine_one_and_fails_bad_models_cleanly(
) -> anyhow::Result<()> {
    let net = Net::up(31000, 4).await?;
    let want = expected()?;
    let ppm = |model: &str| want["models"][model]["recall_1_ppm"].as_u64().unwrap_or(0);

    // Evaluator 3 turns byzantine: it attests wrong scores.
    net.devnet.kaizen_ok(&["devnet", "stop-evaluator", "3"])?;
    let _byzantine = net.devnet.start_evaluator_with(3, &["--test-byzantine"])?;
    let byzantine = net.devnet.evaluator(3)["address"]
        .as_str()
        .context("address")?
        .to_string();

    let test_set = net.put(&demo("breast_cancer_test.npz"))?;
    let baseline = net.put(&demo("baseline.onnx"))?;
    let weak = net.put(&demo("submission_weak.onnx"))?;
    let strong = net.put(&demo("submission_strong.onnx"))?;

    let sponsor = net.address("sponsor")?;
    let (alice, bob) = (net.address("alice")?, net.address("bob")?);
    let sponsor_before = net.balance(&sponsor).await?;
    let alice_before = net.balance(&alice).await?;
    let bob_before = net.balance(&bob).await?;

    // All four evaluators sit on every committee of this bounty (quorum 3).
    let id = net
        .create(&test_set, &baseline, "recall:1", &[], 4, 3, 2000)
        .await?;
    let b = net
        .wait_bounty(
            id,
            |b| b.status != bounty::BountyStatus::EvaluatingBaseline as i32,
            Duration::from_secs(120),
        )
        .await?;
    assert_eq!(b.status, bounty::BountyStatus::Open as i32, "{b:?}");
    assert_eq!(
        b.baseline_score_ppm,
        ppm("baseline.onnx"),
        "the honest quorum's baseline"
    );
    assert_eq!(b.effective_target_ppm, ppm("baseline.onnx") + 50_000);
    let baseline_job = net.job(b.baseline_job_id).await?;
    assert!(!baseline_job.agreeing.contains(&byzantine));
    // The byzantine member is slashed (at the verdict or when its reveal came in).
    let deadline = Instant::now() + Duration::from_secs(60);
    let ev = loop {
        let ev = net.evaluator(&byzantine).await?;
        if ev.jailed || Instant::now() > deadline {
            break ev;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(ev.jailed, "{ev:?}");
    assert_eq!(ev.slashed, (5_000_000u128 / 10).to_string());

    // Alice's model misses the target: scored, earns nothing.
    let (sa, _) = net.submit("alice", id, &weak).await?;
    let s = net.wait_decided(sa, Duration::from_secs(120)).await?;
    assert_eq!(s.status, bounty::SubmissionStatus::Scored as i32, "{s:?}");
    assert_eq!(s.score_ppm, ppm("submission_weak.onnx"));
    assert!(!s.beats_target);

    // Bob's beats it and is paid, in the block of the deciding reveal.
    let started = Instant::now();
    let (sb, reveal_height) = net.submit("bob", id, &strong).await?;
    let b = net
        .wait_bounty(
            id,
            |b| b.status == bounty::BountyStatus::Settled as i32,
            Duration::from_secs(120),
        )
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "reveal at height {reveal_height}, settled at {}: {} blocks, {seconds:.1} s",
        b.closed_height,
        b.closed_height as i64 - reveal_height
    );
    assert_eq!(b.winning_submission_id, sb);
    let s = net.submission(sb).await?;
    assert_eq!(s.score_ppm, ppm("submission_strong.onnx"));
    let job = net.job(s.job_id).await?;
    assert_eq!(job.agreeing.len(), 3, "the three honest members agree");
    assert!(
        !job.committee.contains(&byzantine),
        "jailed: not drawn again"
    );

    // Balances add up: Bob's gain is his share plus the division's remainder; the
    // verifiers' share went to the three agreeing members; escrow is empty.
    let verifier_share = REWARD / 5;
    let each = verifier_share / 3;
    let bob_gain = REWARD - 3 * each;
    let bob_now = net.balance(&bob).await?;
    let alice_now = net.balance(&alice).await?;
    // Bob paid the submission fee and two tx fees (small, gas-dependent).
    let bob_spent = bob_before + bob_gain - bob_now;
    assert!(
        (SUBMISSION_FEE..SUBMISSION_FEE + 10_000).contains(&bob_spent),
        "{bob_spent}"
    );
    let alice_spent = alice_before - alice_now;
    assert!((SUBMISSION_FEE..SUBMISSION_FEE + 10_000).contains(&alice_spent));
    let sponsor_spent = sponsor_before - net.balance(&sponsor).await?;
    assert!(sponsor_spent >= REWARD + SUBMISSION_FEE, "{sponsor_spent}");
    assert_eq!(
        net.balance(&kaizen_bounty::bounty_escrow().to_string())
            .await?,
        0
    );

    // Bad inputs: each a clear failed verdict. A committee of 2 (quorum 2) of the three
    // honest evaluators.
    let malformed = net.put(&demo("malformed.onnx"))?;
    let wrong_shape = net.put(&demo("wrong_shape.onnx"))?;
    let id2 = net
        .create(&test_set, &baseline, "recall:1", &[], 2, 2, 2000)
        .await?;
    net.wait_bounty(
        id2,
        |b| b.status == bounty::BountyStatus::Open as i32,
        Duration::from_secs(120),
    )
    .await?;
    let (m1, _) = net.submit("alice", id2, &malformed).await?;
    let s = net.wait_decided(m1, Duration::from_secs(120)).await?;
    assert_eq!(
        (s.status, s.failure_code),
        (bounty::SubmissionStatus::Failed as i32, 1),
        "{s:?}"
    );
    let (m2, _) = net.submit("bob", id2, &wrong_shape).await?;
    let s = net.wait_decided(m2, Duration::from_secs(120)).await?;
    assert_eq!(
        (s.status, s.failure_code),
        (bounty::SubmissionStatus::Failed as i32, 2),
        "{s:?}"
    );

    // An evaluator killed mid-job is replaced: kill one member of the next job's
    // committee right after the reveal; the round times out and is re-assigned.
    let (m3, _) = net.submit("carol", id2, &strong).await?;
    let job_id = net.submission(m3).await?.job_id;
    let job = net.job(job_id).await?;
    let victim = job.committee[0].clone();
    let victim_index = (0..net.devnet.evaluators())
        .find(|j| net.devnet.evaluator(*j)["address"] == victim.as_str())
        .context("victim is one of ours")?;
    net.devnet.kaizen_ok(&[
        "devnet",
        "stop-evaluator",
        &victim_index.to_string(),
        "--kill",
    ])?;
    let s = net.wait_decided(m3, Duration::from_secs(240)).await?;
    assert_eq!(s.status, bounty::SubmissionStatus::Won as i32, "{s:?}");
    let job = net.job(job_id).await?;
    // Either the victim had committed before dying (then it is slashed for not
    // revealing) or not (slashed for not committing); with a quorum of 2 and only it
    // silent the round must have been re-assigned unless its commit made it in.
    assert!(!job.agreeing.contains(&victim));
    assert!(
        job.round >= 1 || net.evaluator(&victim).await?.jailed,
        "{job:?}"
    );
    assert!(net.evaluator(&victim).await?.jailed);

    // A WASM metric that loops forever: the baseline's verdict is a failure (code 5),
    // the bounty closes and the reward goes back, nothing is stuck.
    let looping = net.put(&demo("loop_forever.wasm"))?;
    let id3 = net
        .create(&test_set, &baseline, "wasm", &looping, 2, 2, 2000)
        .await?;
    let b = net
        .wait_bounty(
            id3,
            |b| b.status != bounty::BountyStatus::EvaluatingBaseline as i32,
            Duration::from_secs(180),
        )
        .await?;
    assert_eq!(
        b.status,
        bounty::BountyStatus::BaselineFailed as i32,
        "{b:?}"
    );
    let job = net.job(b.baseline_job_id).await?;
    assert_eq!(job.outcome.map(|o| o.failure_code), Some(5));
    Ok(())
}
