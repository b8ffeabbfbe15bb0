//! `bounty`'s end-block (`run_block_work`): verdicts, reveal expiries, deadlines and the
//! decisions they call for, within `max_queue_items_per_block` of each kind and a
//! metered `block_work_budget` per block; what is left waits for the next block.

use kaizen_bank::BankWrite;
use kaizen_bounty::{
    bounty_escrow, component::BlockWork, genesis::Params, state_key, BountyRead, BountyStatus,
    BountyWrite, Submission, SubmissionStatus,
};
use kaizen_framework::{Coins, GasMeter, MeteredStateWrite, NATIVE_DENOM};

use crate::setup::{bob, sponsor, TestChain, SUBMISSION_FEE};

/// Bounties whose deadline falls in the same block, each with every slot of the default
/// parameters (64) taken by a commitment that is never revealed.
const CROWD: u64 = 192;
const SLOTS: u32 = 64;
const CROWD_REWARD: u128 = 1_000;
/// The most one item costs (a deadline that expires a full bounty's 64 commitments),
/// with room to spare: the budget is checked before each item starts, and the first
/// item of each of the four kinds always starts.
const ITEM_GAS: u64 = 1_500_000;

/// A chain holding [`CROWD`] open bounties, all due at the next height, written straight
/// into state as the handlers leave them; the deadline height.
async fn crowded_chain(crowd: u64, budget: Option<u64>) -> (TestChain, u64) {
    let mut chain = TestChain::new().await;
    let gas = GasMeter::unlimited();
    let opened = chain.open_bounty().await;
    let template = chain.bounty(opened).await;
    if let Some(budget) = budget {
        let params = Params {
            block_work_budget: budget,
            ..chain.state.bounty_params(&gas).await.expect("params")
        };
        chain
            .state
            .put_proto_metered(&gas, state_key::params().into(), &params)
            .expect("params");
    }
    let due = chain.height + 1;
    let per_bounty = CROWD_REWARD + u128::from(SLOTS) * SUBMISSION_FEE;
    chain
        .state
        .send(
            &gas,
            &sponsor(),
            &bounty_escrow(),
            &Coins::single(NATIVE_DENOM, per_bounty * u128::from(crowd)),
        )
        .await
        .expect("escrow funded");
    let mut submission_id = 1000;
    for b in 0..crowd {
        let mut bounty = template.clone();
        bounty.id = template.id + 1 + b;
        bounty.reward = CROWD_REWARD.to_string();
        bounty.deadline_height = due;
        bounty.submission_count = SLOTS;
        bounty.live_submissions = SLOTS;
        chain.state.put_bounty(&gas, &bounty).expect("bounty");
        chain
            .state
            .put_raw_metered(&gas, state_key::deadline(due, bounty.id), vec![1])
            .expect("deadline");
        for _ in 0..SLOTS {
            submission_id += 1;
            let s = Submission {
                id: submission_id,
                bounty_id: bounty.id,
                submitter: bob().to_string(),
                commitment: submission_id.to_be_bytes().to_vec(),
                commit_height: due - 1,
                status: SubmissionStatus::Committed as i32,
                reveal_deadline_height: due,
                ..Default::default()
            };
            chain.state.put_submission(&gas, &s).expect("submission");
            for key in [
                state_key::submission_of(bounty.id, s.id),
                state_key::live_of(bounty.id, s.id),
                state_key::reveal_expiry(due, s.id),
            ] {
                chain
                    .state
                    .put_raw_metered(&gas, key, vec![1])
                    .expect("index");
            }
        }
    }
    (chain, due)
}

/// Runs blocks from the deadline until every queue entry is handled (at most
/// `max_blocks`) and checks that each of the `crowd` bounties was decided; prints and
/// returns what each block did.
async fn drain(chain: &mut TestChain, due: u64, crowd: u64, max_blocks: usize) -> Vec<BlockWork> {
    let first = chain.bounty(1).await.id + 1;
    let mut blocks = Vec::new();
    while chain.height < due {
        chain.next_block().await;
    }
    loop {
        let work = chain.next_block_measured().await;
        blocks.push(work);
        let idle = work.verdicts + work.expiries + work.deadlines + work.decisions == 0;
        if idle || blocks.len() > max_blocks {
            break;
        }
    }
    println!("block  expiries  deadlines  decisions  gas_used  deferred");
    for (i, w) in blocks.iter().enumerate() {
        println!(
            "{:>5}  {:>8}  {:>9}  {:>9}  {:>8}  {}",
            due + i as u64,
            w.expiries,
            w.deadlines,
            w.decisions,
            w.gas_used,
            w.deferred
        );
    }
    for id in first..first + crowd {
        assert_eq!(
            chain.bounty(id).await.status,
            BountyStatus::Refunded as i32,
            "bounty {id} is decided"
        );
    }
    blocks
}

#[tokio::test]
async fn the_block_work_at_the_maximum_stays_within_the_item_caps_and_the_budget() {
    let (mut chain, due) = crowded_chain(CROWD, None).await;
    let params = chain
        .state
        .bounty_params(&GasMeter::unlimited())
        .await
        .expect("params");
    let escrow = chain.balance(&bounty_escrow()).await;
    let sponsor_before = chain.balance(&sponsor()).await;
    let blocks = drain(&mut chain, due, CROWD, 40).await;
    let per_block = params.max_queue_items_per_block as usize;
    for w in &blocks {
        assert!(w.expiries <= per_block && w.deadlines <= per_block, "{w:?}");
        assert!(w.decisions <= per_block, "{w:?}");
        assert!(
            w.gas_used <= params.block_work_budget + 4 * ITEM_GAS,
            "{w:?}"
        );
    }
    // Every bounty is decided within a few blocks of its deadline.
    let decided: usize = blocks.iter().take(12).map(|w| w.decisions).sum();
    assert!(decided >= CROWD as usize, "{blocks:?}");
    // Every reward went back, every forfeited fee was burned, nothing stayed behind.
    let rewards = CROWD_REWARD * u128::from(CROWD);
    assert_eq!(chain.balance(&sponsor()).await, sponsor_before + rewards);
    assert_eq!(
        chain.balance(&bounty_escrow()).await,
        escrow - rewards - u128::from(CROWD) * u128::from(SLOTS) * SUBMISSION_FEE
    );
}

#[tokio::test]
async fn a_small_budget_defers_the_rest_to_later_blocks_in_order() {
    let budget = 2_000_000;
    let crowd = 24;
    let (mut chain, due) = crowded_chain(crowd, Some(budget)).await;
    let blocks = drain(&mut chain, due, crowd, 100).await;
    assert!(blocks[0].deferred, "the budget stops the first block early");
    for w in &blocks {
        assert!(w.gas_used <= budget + 4 * ITEM_GAS, "{w:?}");
    }
    let decided: usize = blocks.iter().map(|w| w.decisions).sum();
    assert!(decided >= crowd as usize);
}
