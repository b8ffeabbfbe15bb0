//! Snapshot of the app hash after genesis and after one of each message. A change to
//! either hash is a consensus-breaking change: if it is on purpose, update the constant
//! and say so in the change; if not, something changed state encoding or gas.

use kaizen_app::harness::{genesis_with_balances, TestKey, TestNode};

const GENESIS_HASH: &str = "a86dd00b15e794937d6d0e65094c319ee0ed893633194f088887bf8fbde3855a";
const AFTER_SEND_HASH: &str = "5aaf826003ae614fbb2f6d4a4539f71311f88d09c432c848b0b2bf1ba264629b";

#[tokio::test]
async fn app_hash_after_genesis_and_one_of_each_message_is_unchanged() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    let genesis = hex::encode(node.info().await?.last_block_app_hash);

    let send = node.signed_send(&alice, &bob.address, 1234).await?;
    let block = node.block(vec![send]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let after_send = hex::encode(&block.app_hash);

    assert_eq!(genesis, GENESIS_HASH, "genesis app hash changed");
    assert_eq!(
        after_send, AFTER_SEND_HASH,
        "app hash after MsgSend changed"
    );
    Ok(())
}
