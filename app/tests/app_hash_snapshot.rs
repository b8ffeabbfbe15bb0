//! Snapshot of the app hash after genesis and after one of each message. A change to
//! either hash is a consensus-breaking change: if it is on purpose, update the constant
//! and say so in the change; if not, something changed state encoding or gas.

use cosmrs::proto::Any;
use kaizen_app::harness::{genesis_with_balances, TestKey, TestNode};
use kaizen_framework::bls::BlsKey;
use kaizen_proto::kaizen::{da::v1::MsgPayForBlob, staking::v1::MsgRegisterDaOperator};
use prost::{Message, Name};

const GENESIS_HASH: &str = "752ad560dfe181331245ff3215b63b6b9aa24a22dbc8d770420008d94bbeefd4";
const AFTER_SEND_HASH: &str = "fdbbbba6de5d574b92ba0ebef505f16a88f5456dfce9f9a21270c007ac110108";
const AFTER_DA_HASH: &str = "cb9e817b2c83e448aad67d555a64ad854a475be72bbce6b1c2185ce0c35868ee";

fn any<T: Message + Name>(msg: &T) -> Any {
    Any {
        type_url: T::type_url(),
        value: msg.encode_to_vec(),
    }
}

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
