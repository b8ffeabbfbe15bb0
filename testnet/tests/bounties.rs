//! Bounties end to end: a devnet of real CometBFT and kaizend with `kaizen-da` nodes and
//! `kaizen-evaluator` daemons registered in genesis. The artifacts are the demo's real
//! breast-cancer test split and ONNX models (`demo/`), stored on the DA network; the
//! evaluators fetch them, run them with tract, and attest. Shown here: the story (a
//! submission that misses earns nothing, a better one is paid, the reward adds up), a
//! byzantine evaluator slashed while the correct result stands, an evaluator killed
//! mid-job replaced, an evaluator restarted between commit and reveal revealing from
//! its journal, and a malformed model, a model with the wrong input shape and a WASM
//! metric that loops forever each ending in a clear failed verdict.

// A test harness, not consensus code: it waits by the wall clock.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use anyhow::Context;
use kaizen_proto::kaizen::bounty::v1 as bounty;
use kaizen_testnet::bounty::{demo, expected, Net, REWARD, SUBMISSION_FEE};

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
            Duration::from_secs(180),
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
    let s = net.wait_decided(sa, Duration::from_secs(180)).await?;
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
            Duration::from_secs(180),
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
        Duration::from_secs(180),
    )
    .await?;
    let (m1, _) = net.submit("alice", id2, &malformed).await?;
    let s = net.wait_decided(m1, Duration::from_secs(180)).await?;
    assert_eq!(
        (s.status, s.failure_code),
        (bounty::SubmissionStatus::Failed as i32, 1),
        "{s:?}"
    );
    let (m2, _) = net.submit("bob", id2, &wrong_shape).await?;
    let s = net.wait_decided(m2, Duration::from_secs(180)).await?;
    assert_eq!(
        (s.status, s.failure_code),
        (bounty::SubmissionStatus::Failed as i32, 2),
        "{s:?}"
    );

    // An evaluator killed mid-job is replaced: kill one member of the next job's
    // committee right after the reveal; the round times out and is re-assigned.
    let (m3, _) = net.submit("carol", id2, &strong).await?;
    let job_id = net.submission(m3).await?.job_id;
    let job = net.wait_committee(job_id, Duration::from_secs(120)).await?;
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
    // Whether the victim died before or after its commitment, it is slashed for the
    // silence, the round is re-assigned, and the replacement committee decides.
    assert!(!job.agreeing.contains(&victim));
    assert!(job.round >= 1, "re-assigned: {job:?}");
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

    // An evaluator restarted between its commit and its reveal reveals from its journal
    // (the same outcome and salt), and is neither slashed nor stuck. The two honest
    // evaluators left form the committee; one is held back so that the reveal window
    // cannot open while the other restarts.
    let left: Vec<usize> = (0..3).filter(|j| *j != victim_index).collect();
    let (held, restarted) = (left[0], left[1]);
    let restarted_address = net.devnet.evaluator(restarted)["address"]
        .as_str()
        .context("address")?
        .to_string();
    net.devnet
        .kaizen_ok(&["devnet", "stop-evaluator", &held.to_string()])?;
    let id4 = net
        .create(&test_set, &baseline, "recall:1", &[], 2, 2, 2000)
        .await?;
    let job_id = net.bounty(id4).await?.baseline_job_id;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !net
        .job(job_id)
        .await?
        .attestations
        .iter()
        .any(|a| a.evaluator == restarted_address)
    {
        anyhow::ensure!(
            Instant::now() < deadline,
            "no commitment from the evaluator"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    net.devnet
        .kaizen_ok(&["devnet", "stop-evaluator", &restarted.to_string()])?;
    net.devnet
        .kaizen_ok(&["devnet", "start-evaluator", &held.to_string()])?;
    net.devnet
        .kaizen_ok(&["devnet", "start-evaluator", &restarted.to_string()])?;
    let b = net
        .wait_bounty(
            id4,
            |b| b.status != bounty::BountyStatus::EvaluatingBaseline as i32,
            Duration::from_secs(180),
        )
        .await?;
    assert_eq!(b.status, bounty::BountyStatus::Open as i32, "{b:?}");
    let job = net.job(job_id).await?;
    assert_eq!(job.round, 0, "no re-assignment was needed");
    assert!(job.agreeing.contains(&restarted_address), "{job:?}");
    assert!(!net.evaluator(&restarted_address).await?.jailed);
    Ok(())
}
