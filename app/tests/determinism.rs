//! Determinism: the same blocks give the same app hash on every node, and transfers
//! never create or destroy tokens.

use kaizen_app::harness::{genesis_with_balances, msg_send, TestKey, TestNode};
use kaizen_bank::BankRead;
use kaizen_framework::{GasMeter, NATIVE_DENOM};
use proptest::prelude::*;

const USERS: usize = 5;

fn keys() -> Vec<TestKey> {
    (0..USERS)
        .map(|i| TestKey::new(&format!("user{i}")))
        .collect()
}

/// One transfer: sender index, recipient index, amount (may exceed the balance).
type Transfer = (usize, usize, u128);

/// Signs each block's transfers with sequences tracked across blocks, against `node`.
async fn sign_blocks(
    node: &TestNode,
    keys: &[TestKey],
    blocks: &[Vec<Transfer>],
) -> anyhow::Result<Vec<Vec<Vec<u8>>>> {
    let mut seq = vec![0u64; keys.len()];
    let mut numbers = Vec::new();
    for k in keys {
        numbers.push(
            node.account(&k.address)
                .await
                .map(|a| a.account_number)
                .unwrap_or(0),
        );
    }
    let mut out = Vec::new();
    for block in blocks {
        let mut txs = Vec::new();
        for &(from, to, amount) in block {
            let msg = msg_send(&keys[from].address, &keys[to].address, amount);
            let mut b = kaizen_app::harness::TxBuilder::new(vec![msg], numbers[from], seq[from]);
            b.fee = 200 + amount % 7;
            txs.push(b.sign(&keys[from])?);
            seq[from] += 1;
        }
        out.push(txs);
    }
    Ok(out)
}

async fn total_balances(node: &TestNode, keys: &[TestKey]) -> u128 {
    let mut total = node.balance(&kaizen_bank::fee_collector()).await;
    for k in keys {
        total += node.balance(&k.address).await;
    }
    total
}

#[tokio::test]
async fn two_fresh_nodes_fed_the_same_blocks_agree_on_every_app_hash() -> anyhow::Result<()> {
    let keys = keys();
    let funded: Vec<_> = keys.iter().map(|k| (&k.address, 10_000_000u128)).collect();
    let genesis = genesis_with_balances(&funded);
    let mut a = TestNode::start(&genesis).await?;
    let mut b = TestNode::start(&genesis).await?;
    assert_eq!(
        a.info().await?.last_block_app_hash,
        b.info().await?.last_block_app_hash
    );

    let plan: Vec<Vec<Transfer>> = (0..6)
        .map(|h| {
            (0..8)
                .map(|i| {
                    (
                        (h + i) % USERS,
                        (h * 3 + i + 1) % USERS,
                        (h * 1000 + i * 7 + 1) as u128,
                    )
                })
                .collect()
        })
        .collect();
    let blocks = sign_blocks(&a, &keys, &plan).await?;
    let mut hashes = Vec::new();
    for txs in blocks {
        let ra = a.block(txs.clone()).await?;
        let rb = b.block(txs).await?;
        assert_eq!(ra.app_hash, rb.app_hash, "height {}", ra.height);
        assert_eq!(ra.tx_results, rb.tx_results, "height {}", ra.height);
        assert!(
            ra.tx_results.iter().all(|r| r.code == 0),
            "{:?}",
            ra.tx_results
        );
        hashes.push(ra.app_hash);
    }
    // Every block changed state, so every hash is new.
    hashes.dedup();
    assert_eq!(hashes.len(), 6);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_transfers_keep_total_supply_constant(
        blocks in prop::collection::vec(
            prop::collection::vec((0..USERS, 0..USERS, prop_oneof![0u128..5_000, Just(u128::MAX), 9_000_000u128..20_000_000]), 0..10),
            1..5,
        )
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let keys = keys();
            let funded: Vec<_> = keys.iter().map(|k| (&k.address, 10_000_000u128)).collect();
            let mut node = TestNode::start(&genesis_with_balances(&funded)).await.unwrap();
            let supply_before = node.app.storage().latest_snapshot().supply(&GasMeter::unlimited(), NATIVE_DENOM).await.unwrap();
            prop_assert_eq!(supply_before, 10_000_000 * USERS as u128);
            let signed = sign_blocks(&node, &keys, &blocks).await.unwrap();
            for txs in signed {
                node.block(txs).await.unwrap();
                let supply = node.app.storage().latest_snapshot().supply(&GasMeter::unlimited(), NATIVE_DENOM).await.unwrap();
                prop_assert_eq!(supply, supply_before);
                prop_assert_eq!(total_balances(&node, &keys).await, supply_before);
            }
            Ok(())
        })?;
    }
}
