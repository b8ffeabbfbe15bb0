//! `MsgCancelBounty`: only the sponsor, only while the bounty is open or evaluating its
//! baseline, and only while no submission is live (a commit waiting for its reveal, an
//! evaluation, a leader); the reward goes back in full (`EventBountyClosed`). Every refusal leaves state as it was.

use kaizen_bounty::{bounty_escrow, events::EventBountyClosed, BountyStatus, CancelBounty};
use kaizen_framework::HandlerError;
use kaizen_proto::kaizen::bounty::v1::MsgCancelBounty;

use crate::setup::{
    alice, bob, create, events_of, sponsor, whole, TestChain, REVEAL_WINDOW, REWARD,
    SUBMISSION_FEE, SUBMITTER_UKZN,
};

fn cancel(bounty_id: u64) -> CancelBounty {
    CancelBounty {
        sponsor: sponsor(),
        bounty_id,
    }
}

#[tokio::test]
async fn the_sponsor_cancels_an_open_bounty_and_gets_the_reward_back() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let before = chain.balance(&sponsor()).await;
    let events = chain.ok(&cancel(bounty_id)).await;

    let b = chain.bounty(bounty_id).await;
    assert_eq!(b.status, BountyStatus::Cancelled as i32);
    assert_eq!(b.closed_height, chain.height);
    assert_eq!(chain.balance(&sponsor()).await, before + REWARD);
    assert_eq!(chain.balance(&bounty_escrow()).await, 0);
    assert_eq!(
        events_of::<EventBountyClosed>(&events),
        vec![EventBountyClosed {
            bounty_id,
            status: "cancelled".into(),
            refunded: REWARD.to_string(),
        }]
    );
}

#[tokio::test]
async fn the_sponsor_cancels_while_the_baseline_is_still_evaluated() {
    let mut chain = TestChain::new().await;
    let before = chain.balance(&sponsor()).await;
    let create_msg = create(&chain.create_msg());
    chain.ok(&create_msg).await;
    let events = chain.ok(&cancel(1)).await;

    assert_eq!(chain.bounty(1).await.status, BountyStatus::Cancelled as i32);
    // The reward comes back; the baseline's fee stays with its evaluators' job.
    assert_eq!(chain.balance(&sponsor()).await, before - SUBMISSION_FEE);
    assert_eq!(chain.balance(&bounty_escrow()).await, 0);
    assert_eq!(
        events_of::<EventBountyClosed>(&events)[0].status,
        "cancelled"
    );
}

#[tokio::test]
async fn cancelling_an_unknown_bounty_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    assert_eq!(chain.refused(&cancel(bounty_id + 1)).await, ("bounty", 2));
}

#[tokio::test]
async fn anyone_but_the_sponsor_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let by_alice = CancelBounty {
        sponsor: alice(),
        bounty_id,
    };
    assert_eq!(chain.refused(&by_alice).await, ("bounty", 6));
}

#[tokio::test]
async fn cancelling_a_closed_bounty_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    chain.ok(&cancel(bounty_id)).await;
    assert_eq!(chain.refused(&cancel(bounty_id)).await, ("bounty", 7));
}

#[tokio::test]
async fn a_squatters_commitment_blocks_cancel_only_until_its_reveal_window_ends() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    let committed_at = chain.height;
    chain
        .commit(bounty_id, &bob(), &whole(&chain.blobs.model_a))
        .await;
    assert_eq!(chain.refused(&cancel(bounty_id)).await, ("bounty", 7));
    while chain.height <= committed_at + REVEAL_WINDOW {
        chain.next_block().await;
    }
    let before = chain.balance(&sponsor()).await;
    chain.ok(&cancel(bounty_id)).await;
    assert_eq!(
        chain.bounty(bounty_id).await.status,
        BountyStatus::Cancelled as i32
    );
    // The reward comes back; the squatter's forfeited fee is burned, not paid to the
    // sponsor.
    assert_eq!(chain.balance(&sponsor()).await, before + REWARD);
    assert_eq!(chain.balance(&bounty_escrow()).await, 0);
    assert_eq!(chain.balance(&bob()).await, SUBMITTER_UKZN - SUBMISSION_FEE);
}

#[tokio::test]
async fn cancelling_after_a_commitment_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    chain
        .commit(bounty_id, &alice(), &whole(&chain.blobs.model_a))
        .await;
    assert_eq!(chain.refused(&cancel(bounty_id)).await, ("bounty", 7));
    assert_eq!(
        chain.bounty(bounty_id).await.status,
        BountyStatus::Open as i32
    );
}

#[tokio::test]
async fn a_cancel_out_of_gas_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let bounty_id = chain.open_bounty().await;
    assert_eq!(
        chain.refused_with(&cancel(bounty_id), 100, true).await,
        ("sdk", 11)
    );
}

#[test]
fn a_cancel_with_a_malformed_address_does_not_parse() {
    let msg = |sponsor: String| MsgCancelBounty {
        sponsor,
        bounty_id: 1,
    };
    let code = |m: &MsgCancelBounty| {
        CancelBounty::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&msg(sponsor().to_string())), Ok(()));
    assert_eq!(code(&msg("cosmos1xyz".into())), Err(("sdk", 7)));
}
