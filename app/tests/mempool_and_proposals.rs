//! CheckTx, ReCheck, PrepareProposal and ProcessProposal.

use kaizen_app::harness::{genesis_with_balances, msg_send, TestKey, TestNode, TEST_BLOCK_MAX_GAS};

#[tokio::test]
async fn check_tx_tracks_sequences_across_the_mempool_and_recheck_drops_what_a_block_spent(
) -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    let base = node
        .tx_for(&alice, vec![msg_send(&alice.address, &bob.address, 5)])
        .await?;
    let sign = |seq: u64| {
        let mut b = base.clone();
        b.sequence = seq;
        b.sign(&alice)
    };
    let (t0, t1, t3) = (sign(0)?, sign(1)?, sign(3)?);
    assert_eq!(node.check_tx(&t0).await?.code, 0);
    assert_eq!(node.check_tx(&t1).await?.code, 0);
    assert_eq!(
        node.check_tx(&t3).await?.code,
        32,
        "a gap in sequences is refused"
    );
    assert_eq!(node.check_tx(&t0).await?.code, 32, "a duplicate is refused");

    // A block includes only t0; CometBFT then rechecks what is left: t1 still fits.
    node.block(vec![t0.clone()]).await?;
    assert_eq!(node.recheck_tx(&t1).await?.code, 0);
    // t0 itself would be a replay now.
    assert_eq!(node.recheck_tx(&t0).await?.code, 32);
    Ok(())
}

#[tokio::test]
async fn prepare_proposal_drops_undecodable_txs_and_stops_at_the_byte_limit() -> anyhow::Result<()>
{
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    let good = node.signed_send(&alice, &bob.address, 5).await?;
    let garbage = vec![0xde, 0xad, 0xbe, 0xef];
    let proposal = node
        .prepare(vec![garbage.clone(), good.clone()], 1 << 20)
        .await?;
    assert_eq!(proposal, vec![good.clone()]);
    assert!(
        node.process(&proposal).await?,
        "a proposal a correct node built is accepted"
    );

    let too_small = node
        .prepare(vec![good.clone()], (good.len() - 1) as i64)
        .await?;
    assert!(too_small.is_empty());
    Ok(())
}

#[tokio::test]
async fn process_proposal_rejects_undecodable_txs_and_blocks_over_the_gas_cap() -> anyhow::Result<()>
{
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(
        &alice.address,
        u128::from(u64::MAX),
    )]))
    .await?;
    let good = node.signed_send(&alice, &bob.address, 5).await?;
    assert!(!node.process(&[good.clone(), vec![1, 2, 3]]).await?);

    // 101 txs of 10M gas each pass the cap of 1e9.
    let per_tx = 10_000_000u64;
    let n = (TEST_BLOCK_MAX_GAS as u64 / per_tx) + 1;
    let base = node
        .tx_for(&alice, vec![msg_send(&alice.address, &bob.address, 1)])
        .await?;
    let mut txs = Vec::new();
    for seq in 0..n {
        let mut b = base.clone();
        b.sequence = seq;
        b.gas_limit = per_tx;
        b.fee = 10_000;
        txs.push(b.sign(&alice)?);
    }
    assert!(!node.process(&txs).await?);
    let prepared = node.prepare(txs.clone(), 100 << 20).await?;
    assert_eq!(
        prepared.len() as u64,
        n - 1,
        "PrepareProposal stops at the gas cap"
    );
    assert!(node.process(&prepared).await?);

    // If such a block is decided anyway, the tx past the cap fails out of gas (11).
    let block = node.block(txs).await?;
    let last = block.tx_results.last().unwrap();
    assert_eq!(
        (last.codespace.as_str(), last.code),
        ("sdk", 11),
        "{}",
        last.log
    );
    assert!(block.tx_results[..block.tx_results.len() - 1]
        .iter()
        .all(|r| r.code == 0));
    Ok(())
}
