//! `MsgCreateBounty`: the sponsor escrows the reward over certified DA blobs, and the
//! baseline's evaluation job starts at once, paid by the sponsor's submission fee
//! (`EventBountyCreated`, `EventJobAwaitingBeacon`). Every refusal leaves state as it was.

use kaizen_attest::{attest_pool, events::EventJobAwaitingBeacon, JobKind, JobStatus};
use kaizen_bounty::{
    bounty_escrow, events::EventBountyCreated, state_key, BountyMode, BountyStatus, CreateBounty,
};
use kaizen_framework::HandlerError;
use kaizen_proto::kaizen::bounty::v1::MsgCreateBounty;

use crate::setup::{
    carol, create, evaluator, events_of, nobody, sponsor, TestChain, COMMITTEE, DEADLINE_IN,
    MAX_COMMITTEE, MAX_DEADLINE_BLOCKS, MAX_TITLE_BYTES, MIN_COMMITTEE, MIN_IMPROVEMENT,
    MIN_JOB_FEE, MIN_QUORUM, MIN_REWARD, QUORUM, REWARD, SUBMISSION_FEE,
};

#[tokio::test]
async fn a_bounty_escrows_its_reward_and_starts_the_baseline_evaluation() {
    let mut chain = TestChain::new().await;
    let msg = chain.create_msg();
    let sponsor_before = chain.balance(&sponsor()).await;
    let events = chain.ok(&create(&msg)).await;

    let b = chain.bounty(1).await;
    assert_eq!(b.status, BountyStatus::EvaluatingBaseline as i32);
    assert_eq!(b.sponsor, sponsor().to_string());
    assert_eq!(b.title, msg.title);
    assert_eq!(
        (&b.test_set, &b.baseline_model),
        (&chain.blobs.test_set, &chain.blobs.baseline)
    );
    assert_eq!(b.metric, "recall:1");
    assert!(b.higher_is_better);
    assert_eq!(b.reward, REWARD.to_string());
    assert_eq!(b.submission_fee, SUBMISSION_FEE.to_string());
    assert_eq!(
        (b.target_is_improvement, b.min_improvement_ppm),
        (true, MIN_IMPROVEMENT)
    );
    assert_eq!((b.committee_size, b.quorum), (COMMITTEE, QUORUM));
    assert_eq!(b.deadline_height, 1 + DEADLINE_IN);
    assert_eq!(b.created_height, 1);
    assert_eq!(b.baseline_job_id, 1);
    assert_eq!(b.submission_count, 0);
    assert_eq!(b.forfeited_fees, "0");
    assert!(
        chain.has(&state_key::deadline(1 + DEADLINE_IN, 1)).await,
        "the deadline is queued"
    );

    // The reward is escrowed; the sponsor's fee pays the baseline's evaluators.
    assert_eq!(chain.balance(&bounty_escrow()).await, REWARD);
    assert_eq!(chain.balance(&attest_pool()).await, SUBMISSION_FEE);
    assert_eq!(
        chain.balance(&sponsor()).await,
        sponsor_before - REWARD - SUBMISSION_FEE
    );
    let job = chain.job(b.baseline_job_id).await;
    assert_eq!(job.kind, JobKind::Baseline as i32);
    assert_eq!((job.bounty_id, job.submission_id), (1, 0));
    let artifacts = job.artifacts.clone().unwrap();
    assert_eq!(artifacts.model, chain.blobs.baseline);
    assert_eq!(artifacts.test_set, chain.blobs.test_set);
    assert_eq!(artifacts.metric, "recall:1");
    assert_eq!(job.fee, SUBMISSION_FEE.to_string());
    assert_eq!(job.refund_to, sponsor().to_string());
    // Its committee is drawn from a beacon nobody knows yet.
    assert_eq!(job.status, JobStatus::AwaitingBeacon as i32);
    assert!(job.committee.is_empty());

    assert_eq!(
        events_of::<EventBountyCreated>(&events),
        vec![EventBountyCreated {
            bounty_id: 1,
            sponsor: sponsor().to_string(),
            reward: REWARD.to_string(),
            baseline_job_id: 1,
        }]
    );
    let awaiting = events_of::<EventJobAwaitingBeacon>(&events);
    assert_eq!(awaiting.len(), 1);
    assert_eq!((awaiting[0].job_id, awaiting[0].round), (1, 0));
    assert_eq!(awaiting[0].beacon_epoch, job.beacon_epoch);
    let job = chain.drawn(job.id).await;
    assert_eq!(job.status, JobStatus::Committing as i32);
    assert_eq!(job.committee.len(), COMMITTEE as usize);
}

#[tokio::test]
async fn a_custom_wasm_metric_goes_to_the_evaluators_and_an_error_metric_is_lower_is_better() {
    let mut chain = TestChain::new().await;
    let wasm = MsgCreateBounty {
        metric: "wasm".into(),
        wasm_metric: chain.blobs.wasm.clone(),
        ..chain.create_msg()
    };
    chain.ok(&create(&wasm)).await;
    let b = chain.bounty(1).await;
    assert_eq!(b.wasm_metric, chain.blobs.wasm);
    assert!(b.higher_is_better);
    let job = chain.job(b.baseline_job_id).await;
    assert_eq!(job.artifacts.unwrap().wasm_metric, chain.blobs.wasm);

    let mse = MsgCreateBounty {
        metric: "mse".into(),
        ..chain.create_msg()
    };
    chain.ok(&create(&mse)).await;
    assert!(!chain.bounty(2).await.higher_is_better);
}

#[tokio::test]
async fn deadlines_at_either_end_of_the_allowed_range_are_accepted() {
    let mut chain = TestChain::new().await;
    let soonest = MsgCreateBounty {
        deadline_height: chain.height + 1,
        ..chain.create_msg()
    };
    chain.ok(&create(&soonest)).await;
    let latest = MsgCreateBounty {
        deadline_height: chain.height + MAX_DEADLINE_BLOCKS,
        ..chain.create_msg()
    };
    chain.ok(&create(&latest)).await;
}

#[tokio::test]
async fn a_malformed_bounty_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let good = chain.create_msg();
    let bad = |m: MsgCreateBounty| create(&m);
    let cases: Vec<(&str, MsgCreateBounty, (&str, u32))> = vec![
        (
            "a title past the hard cap",
            MsgCreateBounty {
                title: "t".repeat(1025),
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "a title with a control character",
            MsgCreateBounty {
                title: "line\nbreak".into(),
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "a short test set commitment",
            MsgCreateBounty {
                test_set: vec![1; 31],
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "no baseline commitment",
            MsgCreateBounty {
                baseline_model: vec![],
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "an unknown metric",
            MsgCreateBounty {
                metric: "rmse".into(),
                ..good.clone()
            },
            ("bounty", 4),
        ),
        (
            "a class metric without its class",
            MsgCreateBounty {
                metric: "recall".into(),
                ..good.clone()
            },
            ("bounty", 4),
        ),
        (
            "the wasm metric without its module",
            MsgCreateBounty {
                metric: "wasm".into(),
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "a wasm module for another metric",
            MsgCreateBounty {
                wasm_metric: vec![1; 32],
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "no reward",
            MsgCreateBounty {
                reward: "0".into(),
                ..good.clone()
            },
            ("sdk", 10),
        ),
        (
            "shares that do not add up",
            MsgCreateBounty {
                submitter_share_ppm: 800_000,
                verifier_share_ppm: 200_001,
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "a royalty over 100%",
            MsgCreateBounty {
                royalty_ppm: 1_000_001,
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "an improvement target of nothing",
            MsgCreateBounty {
                min_improvement_ppm: 0,
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "an improvement on an absolute target",
            MsgCreateBounty {
                target_is_improvement: false,
                target_score_ppm: 900_000,
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "no mode",
            MsgCreateBounty {
                mode: BountyMode::Unspecified as i32,
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "an unknown mode",
            MsgCreateBounty {
                mode: 99,
                ..good.clone()
            },
            ("bounty", 3),
        ),
        (
            "an empty committee",
            MsgCreateBounty {
                committee_size: 0,
                quorum: 0,
                ..good.clone()
            },
            ("attest", 13),
        ),
        (
            "a quorum that is no majority",
            MsgCreateBounty {
                committee_size: 4,
                quorum: 2,
                ..good.clone()
            },
            ("attest", 13),
        ),
        (
            "a quorum larger than the committee",
            MsgCreateBounty {
                committee_size: 3,
                quorum: 4,
                ..good.clone()
            },
            ("attest", 13),
        ),
    ];
    for (what, msg, code) in cases {
        assert_eq!(chain.refused(&bad(msg)).await, code, "{what}");
    }
}

#[tokio::test]
async fn a_title_longer_than_the_parameter_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let long = MsgCreateBounty {
        title: "t".repeat(MAX_TITLE_BYTES as usize + 1),
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&long)).await, ("bounty", 3));
}

#[tokio::test]
async fn a_committee_larger_than_attest_allows_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let big = MsgCreateBounty {
        committee_size: MAX_COMMITTEE + 2,
        quorum: MAX_COMMITTEE,
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&big)).await, ("attest", 13));
}

#[tokio::test]
async fn a_deadline_now_or_past_the_longest_allowed_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let now = MsgCreateBounty {
        deadline_height: chain.height,
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&now)).await, ("bounty", 3));
    let too_far = MsgCreateBounty {
        deadline_height: chain.height + MAX_DEADLINE_BLOCKS + 1,
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&too_far)).await, ("bounty", 3));
}

#[tokio::test]
async fn a_bounty_over_blobs_that_are_not_available_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let unpaid_test_set = MsgCreateBounty {
        test_set: chain.blobs.unpaid.clone(),
        ..chain.create_msg()
    };
    assert_eq!(
        chain.refused(&create(&unpaid_test_set)).await,
        ("bounty", 5)
    );
    let pending_baseline = MsgCreateBounty {
        baseline_model: chain.blobs.pending.clone(),
        ..chain.create_msg()
    };
    assert_eq!(
        chain.refused(&create(&pending_baseline)).await,
        ("bounty", 5)
    );
    let unpaid_wasm = MsgCreateBounty {
        metric: "wasm".into(),
        wasm_metric: chain.blobs.unpaid.clone(),
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&unpaid_wasm)).await, ("bounty", 5));
}

#[tokio::test]
async fn a_sponsor_that_cannot_pay_the_reward_or_the_baseline_fee_is_refused() {
    let mut chain = TestChain::new().await;
    let broke = MsgCreateBounty {
        sponsor: nobody().to_string(),
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&broke)).await, ("bank", 2));
    // Carol holds the reward exactly: it moves, then the fee does not, and nothing
    // of either stays.
    let short_of_the_fee = MsgCreateBounty {
        sponsor: carol().to_string(),
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&short_of_the_fee)).await, ("bank", 2));
    assert_eq!(chain.balance(&carol()).await, REWARD);
}

#[tokio::test]
async fn a_committee_that_cannot_be_drawn_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    // Four evaluators, five seats, five needed.
    let everyone = MsgCreateBounty {
        committee_size: MAX_COMMITTEE,
        quorum: MAX_COMMITTEE,
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&everyone)).await, ("attest", 12));
    // Three of the four jailed: one left for a quorum of two.
    for i in 0..3 {
        chain.jail(&evaluator(i)).await;
    }
    let usual = chain.create_msg();
    assert_eq!(chain.refused(&create(&usual)).await, ("attest", 12));
}

#[tokio::test]
async fn a_bounty_out_of_gas_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let msg = create(&chain.create_msg());
    assert_eq!(chain.refused_with(&msg, 1_000, true).await, ("sdk", 11));
}

#[test]
fn a_bounty_with_a_malformed_sponsor_or_amount_does_not_parse() {
    let good = MsgCreateBounty {
        sponsor: sponsor().to_string(),
        reward: "10".into(),
        submission_fee: "1".into(),
        ..Default::default()
    };
    let code = |m: &MsgCreateBounty| {
        CreateBounty::try_from(m)
            .map(|c| (c.reward, c.submission_fee))
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&good), Ok((10, 1)));
    let no_fee = MsgCreateBounty {
        submission_fee: String::new(),
        ..good.clone()
    };
    assert_eq!(code(&no_fee), Ok((10, 0)), "an empty fee is no fee");
    let bad_sponsor = MsgCreateBounty {
        sponsor: "cosmos1xyz".into(),
        ..good.clone()
    };
    assert_eq!(code(&bad_sponsor), Err(("sdk", 7)));
    let negative = MsgCreateBounty {
        reward: "-1".into(),
        ..good.clone()
    };
    assert_eq!(code(&negative), Err(("sdk", 10)));
    let no_reward = MsgCreateBounty {
        reward: String::new(),
        ..good.clone()
    };
    assert_eq!(code(&no_reward), Err(("sdk", 10)));
    let bad_fee = MsgCreateBounty {
        submission_fee: "3k".into(),
        ..good
    };
    assert_eq!(code(&bad_fee), Err(("sdk", 10)));
}

#[tokio::test]
async fn a_bounty_below_the_chains_floors_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    // No fee, or less than the least job fee: evaluations are not free to request.
    for fee in ["", "0", &(MIN_JOB_FEE - 1).to_string()] {
        let free = MsgCreateBounty {
            submission_fee: fee.to_string(),
            ..chain.create_msg()
        };
        assert_eq!(
            chain.refused(&create(&free)).await,
            ("bounty", 19),
            "{fee:?}"
        );
    }
    // A reward under the floor: bounties are not a free way to make jobs.
    let cheap = MsgCreateBounty {
        reward: (MIN_REWARD - 1).to_string(),
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&cheap)).await, ("bounty", 19));
    // A committee of one (quorum one): one evaluator's word.
    let lone = MsgCreateBounty {
        committee_size: 1,
        quorum: 1,
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&lone)).await, ("attest", 13));
    // At the floors: accepted.
    let least = MsgCreateBounty {
        reward: MIN_REWARD.to_string(),
        submission_fee: MIN_JOB_FEE.to_string(),
        committee_size: MIN_COMMITTEE,
        quorum: MIN_QUORUM,
        ..chain.create_msg()
    };
    chain.ok(&create(&least)).await;
}

/// Issue 15, item 2: an artifact evaluators cannot fetch used to make every committee
/// member miss its commit, and be slashed for it, for the price of a bounty. The chain
/// now refuses artifacts kept shorter than the deadline plus an evaluation's span, and
/// artifacts over the size every evaluator fetches (`attest.max_artifact_bytes`).
#[tokio::test]
async fn artifacts_evaluators_could_not_fetch_in_time_are_refused_and_change_nothing() {
    use kaizen_attest::AttestRead;
    use kaizen_framework::{GasMeter, MeteredStateWrite};
    let mut chain = TestChain::new().await;
    // Kept 50 blocks: gone before the deadline, 100 blocks ahead.
    let short = chain.certified_blob_kept(20, 50).await;
    let msg = MsgCreateBounty {
        test_set: short,
        ..chain.create_msg()
    };
    assert_eq!(chain.refused(&create(&msg)).await, ("bounty", 5));
    // Kept long enough, but over the limit of what evaluators fetch.
    let gas = GasMeter::unlimited();
    let params = kaizen_attest::genesis::Params {
        max_artifact_bytes: 100,
        ..chain.state.attest_params(&gas).await.expect("params")
    };
    chain
        .state
        .put_proto_metered(&gas, kaizen_attest::state_key::params().into(), &params)
        .expect("params");
    let msg = create(&chain.create_msg());
    assert_eq!(chain.refused(&msg).await, ("bounty", 5));
}
