//! Snapshot of the app hash after genesis and after one of each message. A change to
//! either hash is a consensus-breaking change: if it is on purpose, update the constant
//! and say so in the change; if not, something changed state encoding or gas.

use cosmrs::proto::Any;
use kaizen_app::harness::{genesis_with_balances, TestKey, TestNode};
use kaizen_framework::bls::BlsKey;
use kaizen_proto::kaizen::{da::v1::MsgPayForBlob, staking::v1::MsgRegisterDaOperator};
use prost::{Message, Name};

const GENESIS_HASH: &str = "71cf0b89a5664aa71e3811294ef3b507a1352f50e083a46ed011ce96acaadbd2";
const AFTER_SEND_HASH: &str = "b1b6de86f3e93afd8f3561a76f53f6349efefa869cff52571b2eae568c2e66c6";
const AFTER_DA_HASH: &str = "31c482c9c5ccc6aae10b35db64a21eef73b6be82a4772afd222a9eed5821488a";

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
