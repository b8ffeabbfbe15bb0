//! Snapshot of the app hash after genesis and after one of each message. A change to
//! either hash is a consensus-breaking change: if it is on purpose, update the constant
//! and say so in the change; if not, something changed state encoding or gas.

use kaizen_app::harness::{genesis_with_balances, TestKey, TestNode};
use kaizen_framework::any;
use kaizen_framework::bls::BlsKey;
use kaizen_proto::kaizen::{da::v1::MsgPayForBlob, staking::v1::MsgRegisterDaOperator};

const GENESIS_HASH: &str = "99d493bdbe53cb39e24bcf3093182c7cec7521484233385d79fb1b6e0bbf1aab";
const AFTER_SEND_HASH: &str = "2389095f9299a6482330bb3e5cd399e2f1f4be59c5f018149981ddc05a61e6d0";
const AFTER_DA_HASH: &str = "a80f7af6850f3f914245b62fcb5d98375ca32134da275ee87890df3e976bb6e9";

#[tokio::test]
async fn app_hash_after_genesis_and_one_of_each_message_is_unchanged() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node =
        TestNode::start(&genesis_with_balances(&[(&alice.address, 100_000_000)])).await?;
    let genesis = hex::encode(node.info().await?.last_block_app_hash);

    let send = node.signed_send(&alice, &bob.address, 1234).await?;
    let block = node.block(vec![send]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let after_send = hex::encode(&block.app_hash);

    // A DA operator registers; from the next epoch (20 blocks) it stores a paid blob.
    let bls = BlsKey::from_seed(&[9u8; 32])?;
    let register = MsgRegisterDaOperator {
        operator: alice.address.to_string(),
        bls_public_key: bls.public_key().to_vec(),
        proof_of_possession: bls.proof_of_possession().to_vec(),
        endpoint: "http://127.0.0.1:7100".into(),
        bond: "1000000".into(),
    };
    let mut tx = node.tx_for(&alice, vec![any(&register)]).await?;
    tx.gas_limit = 1_000_000;
    tx.fee = 1_000;
    let block = node.block(vec![tx.sign(&alice)?]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    while node.height() < 20 {
        node.block(vec![]).await?;
    }
    let pay = MsgPayForBlob {
        payer: alice.address.to_string(),
        commitment: vec![7; 32],
        size: 1000,
        original_shards: 2,
        recovery_shards: 2,
        codec: "rs16".into(),
        retention_blocks: 100,
        max_fee: "10000".into(),
    };
    let mut tx = node.tx_for(&alice, vec![any(&pay)]).await?;
    tx.gas_limit = 1_000_000;
    tx.fee = 1_000;
    let block = node.block(vec![tx.sign(&alice)?]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let after_da = hex::encode(&block.app_hash);

    assert_eq!(genesis, GENESIS_HASH, "genesis app hash changed");
    assert_eq!(
        after_send, AFTER_SEND_HASH,
        "app hash after MsgSend changed"
    );
    assert_eq!(
        after_da, AFTER_DA_HASH,
        "app hash after the DA messages changed"
    );
    Ok(())
}
