//! The end-block hook: committees drawn from a beacon nobody knew when the job was
//! created, rounds queued while a member is full, and the per-block work budget.

use kaizen_attest::{
    committee::{draw_committee, Candidate},
    events::{EventJobAssigned, EventJobAwaitingBeacon, EventJobQueued},
    query::assigned_jobs,
    AttestRead, JobStatus,
};
use kaizen_framework::GasMeter;
use kaizen_proto::kaizen::attest::v1::QueryAssignedJobsRequest;
use kaizen_staking::{handler::register_evaluator::RegisterEvaluator, RandomnessRead};

use crate::setup::{
    commit, evaluator, events_of, latecomer, members, reveal, scored, GenesisShape, TestChain,
    COMMIT_WINDOW, EPOCH_BLOCKS, EVALUATORS, EVALUATOR_BOND, MAX_OPEN_JOBS,
};

/// What a grinder would have done under the old rule: predict job `id`'s committee from
/// the seed of the epoch the job is created in.
async fn predicted_from_the_current_seed(chain: &TestChain, id: u64) -> Vec<String> {
    let gas = GasMeter::unlimited();
    let epoch = chain.height / EPOCH_BLOCKS;
    let seed = chain
        .state
        .epoch_seed(&gas, epoch)
        .await
        .expect("seed")
        .expect("the current epoch has a seed")
        .seed;
    let candidates: Vec<Candidate> = (0..EVALUATORS)
        .map(|i| Candidate {
            address: evaluator(i).to_string(),
            weight: EVALUATOR_BOND,
        })
        .collect();
    let mut sorted = candidates;
    sorted.sort_by(|a, b| a.address.cmp(&b.address));
    draw_committee(&seed, id, 0, &sorted, 3)
}

#[tokio::test]
async fn a_committee_is_drawn_from_a_beacon_nobody_knew_when_the_job_was_created() {
    let mut chain = TestChain::new().await;
    chain.advance_to(1).await;
    let (job, events) = chain.request_job().await;
    let gas = GasMeter::unlimited();
    // At creation: no committee, nobody assigned, and the seed that will draw it does not
    // exist yet (its VRF inputs will be signatures over a seed that does not exist yet
    // either).
    assert_eq!(job.status, JobStatus::AwaitingBeacon as i32);
    assert!(job.committee.is_empty());
    assert_eq!(job.beacon_epoch, 2);
    assert!(chain
        .state
        .epoch_seed(&gas, job.beacon_epoch)
        .await
        .expect("seed")
        .is_none());
    assert!(chain
        .state
        .epoch_seed(&gas, job.beacon_epoch - 1)
        .await
        .expect("seed")
        .is_none());
    assert_eq!(
        events_of::<EventJobAwaitingBeacon>(&events),
        vec![EventJobAwaitingBeacon {
            job_id: job.id,
            round: 0,
            beacon_epoch: 2,
            beacon_height: 2 * EPOCH_BLOCKS,
        }]
    );
    for i in 0..EVALUATORS {
        assert_eq!(chain.state.open_jobs(&gas, &evaluator(i)).await.unwrap(), 0);
    }
    let grinders_guess = predicted_from_the_current_seed(&chain, job.id).await;

    // Nothing happens before the beacon's block ends.
    chain.advance_to(chain.beacon_height(&job)).await;
    assert_eq!(
        chain.job(job.id).await.status,
        JobStatus::AwaitingBeacon as i32
    );
    let events = chain.next_block().await;
    let drawn = chain.job(job.id).await;
    assert_eq!(drawn.status, JobStatus::Committing as i32);
    assert_eq!(
        drawn.commit_deadline_height,
        chain.beacon_height(&job) + COMMIT_WINDOW
    );
    let beacon = chain
        .state
        .epoch_seed(&gas, job.beacon_epoch)
        .await
        .unwrap()
        .unwrap()
        .seed;
    let mut candidates: Vec<Candidate> = (0..EVALUATORS)
        .map(|i| Candidate {
            address: evaluator(i).to_string(),
            weight: EVALUATOR_BOND,
        })
        .collect();
    candidates.sort_by(|a, b| a.address.cmp(&b.address));
    assert_eq!(
        drawn.committee,
        draw_committee(&beacon, job.id, 0, &candidates, 3)
    );
    assert_eq!(events_of::<EventJobAssigned>(&events).len(), 1);
    // The committee a grinder could compute at creation is not what decides: with these
    // seeds it is another one.
    assert_ne!(drawn.committee, grinders_guess);
}

#[tokio::test]
async fn an_evaluator_that_registers_after_the_job_is_created_is_never_drawn_into_it() {
    let mut chain = TestChain::new().await;
    let (job, _) = chain.request_job().await;
    chain.next_block().await;
    // A heavy newcomer: 20000 times any genesis evaluator's bond.
    chain
        .ok(&RegisterEvaluator {
            evaluator: latecomer(),
            bond: EVALUATOR_BOND * 20_000,
            endpoint: String::new(),
        })
        .await;
    let job = chain.draw(job.id).await;
    assert!(!job.committee.contains(&latecomer().to_string()));
    // A job created after the registration draws it (almost surely, by weight).
    let (later, _) = chain.create_job().await;
    assert!(later.committee.contains(&latecomer().to_string()));
}

#[tokio::test]
async fn a_flood_of_jobs_queues_instead_of_overloading_evaluators() {
    let mut chain = TestChain::new().await;
    // Ten jobs of three seats on five evaluators of four open jobs each: 30 seats, 20
    // slots. Before the cap, every member held every job at once, and missed windows.
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(chain.request_job().await.0.id);
    }
    let beacon = chain.beacon_height(&chain.job(ids[0]).await);
    chain.advance_to(beacon).await;
    let events = chain.next_block().await;
    let gas = GasMeter::unlimited();
    for i in 0..EVALUATORS {
        let open = chain.state.open_jobs(&gas, &evaluator(i)).await.unwrap();
        assert!(
            open <= u64::from(MAX_OPEN_JOBS),
            "evaluator {i} holds {open}"
        );
    }
    let queued = events_of::<EventJobQueued>(&events);
    assert!(!queued.is_empty());
    let mut waiting = Vec::new();
    for id in &ids {
        let job = chain.job(*id).await;
        assert_eq!(job.committee.len(), 3, "every committee is drawn");
        if job.status == JobStatus::Queued as i32 {
            waiting.push(job);
        } else {
            assert_eq!(job.status, JobStatus::Committing as i32);
        }
    }
    assert_eq!(waiting.len(), queued.len());

    // Started jobs get done; queued ones start as room frees up, with the committee
    // they were drawn with, and nobody ever holds more than its cap or is slashed.
    for _ in 0..10 {
        for id in &ids {
            let job = chain.job(*id).await;
            if job.status != JobStatus::Committing as i32 {
                continue;
            }
            for m in members(&job) {
                chain.ok(&commit(&job, &m, &scored(7))).await;
            }
            let job = chain.job(*id).await;
            for m in members(&job) {
                chain.ok(&reveal(&job, &m, &scored(7))).await;
            }
        }
        chain.next_block().await;
        for i in 0..EVALUATORS {
            let open = chain.state.open_jobs(&gas, &evaluator(i)).await.unwrap();
            assert!(
                open <= u64::from(MAX_OPEN_JOBS),
                "evaluator {i} holds {open}"
            );
        }
    }
    for before in &waiting {
        let now = chain.job(before.id).await;
        assert_eq!(now.committee, before.committee);
        assert_eq!(now.status, JobStatus::Scored as i32, "job {}", now.id);
    }
    for id in &ids {
        assert_eq!(chain.job(*id).await.status, JobStatus::Scored as i32);
    }
    for i in 0..EVALUATORS {
        assert_eq!(chain.evaluator(&evaluator(i)).await.faults, 0);
    }
}

#[tokio::test]
async fn assigned_jobs_come_a_page_at_a_time() {
    let mut chain = TestChain::new().await;
    for _ in 0..3 {
        chain.request_job().await;
    }
    chain.advance_to(2 * EPOCH_BLOCKS + 1).await;
    let mut who = evaluator(0);
    let mut most = 0;
    for i in 0..EVALUATORS {
        let open = chain
            .state
            .open_jobs(&GasMeter::unlimited(), &evaluator(i))
            .await
            .unwrap();
        if open > most {
            (who, most) = (evaluator(i), open);
        }
    }
    let all = assigned_jobs(
        &chain.state,
        &QueryAssignedJobsRequest {
            evaluator: who.to_string(),
            start_after: 0,
            limit: 0,
        },
    )
    .await
    .unwrap();
    assert!(all.jobs.len() >= 2);
    assert_eq!(all.next_start_after, 0);
    let mut paged = Vec::new();
    let mut start_after = 0;
    loop {
        let page = assigned_jobs(
            &chain.state,
            &QueryAssignedJobsRequest {
                evaluator: who.to_string(),
                start_after,
                limit: 1,
            },
        )
        .await
        .unwrap();
        assert!(page.jobs.len() <= 1);
        paged.extend(page.jobs.iter().map(|j| j.id));
        if page.next_start_after == 0 {
            break;
        }
        start_after = page.next_start_after;
    }
    let ids: Vec<u64> = all.jobs.iter().map(|j| j.id).collect();
    assert_eq!(paged, ids);
}

#[tokio::test]
async fn a_full_beacon_sends_a_round_to_the_next_epoch_and_a_full_horizon_is_refused() {
    let mut chain = TestChain::with(GenesisShape {
        evaluators: EVALUATORS,
        attest: kaizen_attest::genesis::Params {
            max_jobs_per_beacon: 1,
            ..TestChain::params()
        },
    })
    .await;
    for i in 0..64 {
        let (job, _) = chain.request_job().await;
        assert_eq!(job.beacon_epoch, 2 + i);
    }
    let before = chain.dump().await;
    let refused = chain
        .try_request_job(3, 2)
        .await
        .expect_err("every beacon in reach is full");
    assert_eq!((refused.codespace, refused.code), ("attest", 14));
    assert_eq!(chain.dump().await, before);
}

#[tokio::test]
async fn the_block_work_at_the_maximum_stays_within_the_budget_and_draws_land_within_five_blocks() {
    // The largest registry (256 evaluators), committees of the largest size, a full
    // beacon (320 rounds) and room for all of them.
    let evaluators = 256;
    let params = kaizen_attest::genesis::Params {
        max_committee_size: 16,
        max_open_jobs_per_evaluator: 64,
        ..TestChain::params()
    };
    let budget = params.block_work_budget;
    let per_block = params.max_queue_items_per_block as usize;
    let mut chain = TestChain::with(GenesisShape {
        evaluators,
        attest: params,
    })
    .await;
    let mut ids = Vec::new();
    for _ in 0..320 {
        ids.push(chain.try_request_job(16, 9).await.expect("requested").0.id);
    }
    let beacon = chain.beacon_height(&chain.job(ids[0]).await);
    chain.advance_to(beacon).await;
    // From the beacon's block on: 320 draws; then nobody commits, so every window ends
    // with 16 absent members slashed and a new round requested, 64 windows per block
    // (the rounds were drawn 64 per block).
    let mut blocks = Vec::new();
    let (mut draws, mut ended) = (0, 0);
    while ended < 320 && blocks.len() < 40 {
        let work = chain.next_block_measured().await;
        draws += work.draws;
        ended += work.window_ends;
        blocks.push((work, draws));
    }
    println!("block  draws  window_ends  gas_used  deferred");
    for (i, (w, _)) in blocks.iter().enumerate() {
        println!(
            "{:>5}  {:>5}  {:>11}  {:>8}  {}",
            beacon + i as u64,
            w.draws,
            w.window_ends,
            w.gas_used,
            w.deferred
        );
    }
    let drawn_by = blocks
        .iter()
        .position(|(_, sum)| *sum == 320)
        .expect("every round is drawn");
    assert!(drawn_by < 5, "drawn within five blocks of the beacon");
    assert_eq!(ended, 320, "every window end is processed");
    // A block stops once it used the budget: at most the budget plus one item (one
    // window end with 16 slashings, about half a million gas).
    for (w, _) in &blocks {
        assert!(w.draws <= per_block && w.window_ends <= per_block);
        assert!(w.gas_used <= budget + 1_000_000, "{w:?}");
    }
}
