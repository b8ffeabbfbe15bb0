//! Every way a transaction can be refused: each gets a stable code, and a refused
//! transaction changes nothing. "Nothing" is checked by feeding the same genesis to a
//! second node that gets an empty block instead: the app hashes must agree.

use cosmrs::proto::{
    cosmos::{bank::v1beta1::MsgSend, base::v1beta1::Coin, tx::v1beta1::TxRaw},
    Any,
};
use kaizen_app::harness::{genesis_with_balances, msg_send, TestKey, TestNode, TxBuilder};
use kaizen_framework::Address;
use prost::{Message, Name};

const ALICE_FUNDS: u128 = 1_000_000;

struct Pair {
    node: TestNode,
    twin: TestNode,
    alice: TestKey,
    bob: TestKey,
}

impl Pair {
    async fn new() -> anyhow::Result<Self> {
        let alice = TestKey::new("alice");
        let bob = TestKey::new("bob");
        let genesis = genesis_with_balances(&[(&alice.address, ALICE_FUNDS)]);
        Ok(Self {
            node: TestNode::start(&genesis).await?,
            twin: TestNode::start(&genesis).await?,
            alice,
            bob,
        })
    }

    async fn send_builder(&self, amount: u128) -> anyhow::Result<TxBuilder> {
        self.node
            .tx_for(
                &self.alice,
                vec![msg_send(&self.alice.address, &self.bob.address, amount)],
            )
            .await
    }

    /// The same block of valid transactions on both nodes.
    async fn both(&mut self, txs: Vec<Vec<u8>>) -> anyhow::Result<()> {
        let a = self.node.block(txs.clone()).await?;
        let b = self.twin.block(txs).await?;
        assert!(a.tx_results.iter().all(|r| r.code == 0));
        assert_eq!(a.app_hash, b.app_hash);
        Ok(())
    }

    /// `tx` is refused by CheckTx and by FinalizeBlock with `(codespace, code)`, and the
    /// block that carried it leaves the same state as an empty block.
    async fn assert_refused(
        &mut self,
        tx: Vec<u8>,
        codespace: &str,
        code: u32,
        case: &str,
    ) -> anyhow::Result<()> {
        let check = self.node.check_tx(&tx).await?;
        assert_eq!(
            (check.codespace.as_str(), check.code),
            (codespace, code),
            "{case}: CheckTx said {:?}",
            check.log
        );
        assert!(
            !check.log.is_empty(),
            "{case}: the error says what went wrong"
        );

        let with_tx = self.node.block(vec![tx]).await?;
        let empty = self.twin.block(vec![]).await?;
        let r = &with_tx.tx_results[0];
        assert_eq!(
            (r.codespace.as_str(), r.code),
            (codespace, code),
            "{case}: FinalizeBlock said {:?}",
            r.log
        );
        assert!(r.events.is_empty(), "{case}: a refused tx emits nothing");
        assert_eq!(
            with_tx.app_hash, empty.app_hash,
            "{case}: the refused tx changed state"
        );
        assert_eq!(
            self.node.balance(&self.alice.address).await,
            self.twin.balance(&self.alice.address).await
        );
        Ok(())
    }
}

fn raw_send(from: &Address, to: &Address, amount: &str) -> Any {
    Any {
        type_url: MsgSend::type_url(),
        value: MsgSend {
            from_address: from.to_string(),
            to_address: to.to_string(),
            amount: vec![Coin {
                denom: "ukzn".into(),
                amount: amount.into(),
            }],
        }
        .encode_to_vec(),
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused_with_code_4() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut raw = p.send_builder(10).await?.sign_raw(&p.alice)?;
    raw.signatures[0][10] ^= 0x01;
    p.assert_refused(raw.encode_to_vec(), "sdk", 4, "flipped signature bit")
        .await?;
    let mut raw = p.send_builder(10).await?.sign_raw(&p.alice)?;
    raw.signatures[0].truncate(63);
    p.assert_refused(raw.encode_to_vec(), "sdk", 4, "short signature")
        .await
}

#[tokio::test]
async fn a_signature_for_another_chain_id_is_refused() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut b = p.send_builder(10).await?;
    b.chain_id = "kaizen-other-p0".into();
    let tx = b.sign(&p.alice)?;
    let check = p.node.check_tx(&tx).await?;
    assert!(
        check.log.contains("chain-id (kaizen-test-p0)"),
        "{}",
        check.log
    );
    p.assert_refused(tx, "sdk", 4, "wrong chain id").await
}

#[tokio::test]
async fn a_signature_over_the_wrong_account_number_is_refused() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut b = p.send_builder(10).await?;
    b.account_number += 7;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 4, "wrong account number")
        .await
}

#[tokio::test]
async fn replayed_and_skipped_sequences_are_refused_with_code_32() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let first = p.send_builder(10).await?.sign(&p.alice)?;
    p.both(vec![first.clone()]).await?;
    p.assert_refused(first, "sdk", 32, "replay of a committed tx")
        .await?;

    let mut b = p.send_builder(10).await?;
    b.sequence += 1;
    let skipped = b.sign(&p.alice)?;
    let check = p.node.check_tx(&skipped).await?;
    assert!(check.log.contains("expected 1, got 2"), "{}", check.log);
    p.assert_refused(skipped, "sdk", 32, "skipped sequence")
        .await
}

#[tokio::test]
async fn a_fee_the_payer_cannot_cover_is_refused() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut b = p.send_builder(10).await?;
    b.fee = ALICE_FUNDS + 1;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 5, "fee above balance")
        .await
}

#[tokio::test]
async fn a_fee_below_the_minimum_gas_price_is_refused() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut b = p.send_builder(10).await?;
    b.fee = 0;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 13, "no fee")
        .await?;
    let mut b = p.send_builder(10).await?;
    b.fee = 199; // 200_000 gas at 0.001 ukzn/gas needs 200
    p.assert_refused(b.sign(&p.alice)?, "sdk", 13, "fee one short")
        .await
}

#[tokio::test]
async fn an_amount_above_u128_is_refused_as_invalid_coins() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let too_big = "340282366920938463463374607431768211456";
    let msg = raw_send(&p.alice.address, &p.bob.address, too_big);
    let b = p.node.tx_for(&p.alice, vec![msg]).await?;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 10, "u128 overflow")
        .await?;
    for bad in ["-5", "0", "01", ""] {
        let msg = raw_send(&p.alice.address, &p.bob.address, bad);
        let b = p.node.tx_for(&p.alice, vec![msg]).await?;
        p.assert_refused(b.sign(&p.alice)?, "sdk", 10, bad).await?;
    }
    Ok(())
}

#[tokio::test]
async fn sending_more_than_the_balance_is_refused_by_check_tx_and_keeps_only_the_fee_in_a_block(
) -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let tx = p.send_builder(u128::MAX).await?.sign(&p.alice)?;
    let check = p.node.check_tx(&tx).await?;
    assert_eq!(
        (check.codespace.as_str(), check.code),
        ("bank", 2),
        "{}",
        check.log
    );
    // CheckTx kept nothing: the same sequence is still free for a valid tx.
    let ok = p.send_builder(1).await?.sign(&p.alice)?;
    assert_eq!(p.node.check_tx(&ok).await?.code, 0);

    // A proposer that includes it anyway: the transfer is rolled back, the fee and the
    // sequence bump stand, as on every Cosmos chain.
    let block = p.node.block(vec![tx]).await?;
    let r = &block.tx_results[0];
    assert_eq!((r.codespace.as_str(), r.code), ("bank", 2), "{}", r.log);
    assert!(r.log.contains("insufficient funds"), "{}", r.log);
    assert_eq!(p.node.balance(&p.alice.address).await, ALICE_FUNDS - 200);
    assert_eq!(p.node.balance(&p.bob.address).await, 0);
    assert_eq!(p.node.account(&p.alice.address).await.unwrap().sequence, 1);
    assert!(r
        .events
        .iter()
        .all(|e| e.r#type != "kaizen.bank.v1.EventTransfer"));
    assert!(r
        .events
        .iter()
        .any(|e| e.r#type == "kaizen.bank.v1.EventFeePaid"));
    Ok(())
}

#[tokio::test]
async fn a_gas_limit_too_small_for_the_signature_checks_is_refused_without_state_change(
) -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut b = p.send_builder(10).await?;
    b.gas_limit = 3_000;
    b.fee = 3;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 11, "gas below the ante cost")
        .await?;
    let mut b = p.send_builder(10).await?;
    b.gas_limit = 10_000_001;
    b.fee = 1_000_000;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 41, "gas above the per-tx maximum")
        .await
}

#[tokio::test]
async fn running_out_of_gas_in_the_messages_rolls_them_back() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    // Measure what the send costs on the twin, then give the real one a unit less.
    let probe = p.twin.signed_send(&p.alice, &p.bob.address, 10).await?;
    let used = p.twin.block(vec![probe]).await?.tx_results[0].gas_used;
    let mut b = p.send_builder(10).await?;
    b.gas_limit = u64::try_from(used)? - 1;
    let block = p.node.block(vec![b.sign(&p.alice)?]).await?;
    let r = &block.tx_results[0];
    assert_eq!((r.codespace.as_str(), r.code), ("sdk", 11), "{}", r.log);
    assert_eq!(r.gas_used, r.gas_wanted);
    assert_eq!(p.node.balance(&p.bob.address).await, 0);
    assert_eq!(p.node.balance(&p.alice.address).await, ALICE_FUNDS - 200);
    Ok(())
}

#[tokio::test]
async fn malformed_bytes_are_refused_with_code_2() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    p.assert_refused(vec![0xff; 64], "sdk", 2, "garbage")
        .await?;
    p.assert_refused(vec![], "sdk", 2, "empty").await?;
    let good = p.send_builder(10).await?.sign(&p.alice)?;
    p.assert_refused(good[..good.len() / 2].to_vec(), "sdk", 2, "truncated")
        .await
}

#[tokio::test]
async fn non_canonical_encodings_of_a_valid_tx_are_refused() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let raw = p.send_builder(10).await?.sign_raw(&p.alice)?;
    let good = raw.encode_to_vec();

    // The same fields in another order decode to the same message.
    let mut reordered = Vec::new();
    prost::encoding::bytes::encode(3, &raw.signatures[0], &mut reordered);
    prost::encoding::bytes::encode(1, &raw.body_bytes, &mut reordered);
    prost::encoding::bytes::encode(2, &raw.auth_info_bytes, &mut reordered);
    assert_eq!(TxRaw::decode(reordered.as_slice())?, raw);
    p.assert_refused(reordered, "sdk", 2, "reordered fields")
        .await?;

    // An unknown field rides along.
    let mut extra = good.clone();
    prost::encoding::string::encode(9, &"hi".to_string(), &mut extra);
    p.assert_refused(extra, "sdk", 2, "unknown field").await?;

    // The body carries an unknown field (signed, so only the canonical check catches it).
    let mut b = p.send_builder(10).await?;
    b.memo = String::new();
    let mut raw2 = b.sign_raw(&p.alice)?;
    prost::encoding::uint64::encode(99, &7, &mut raw2.body_bytes);
    p.assert_refused(raw2.encode_to_vec(), "sdk", 2, "unknown body field")
        .await?;

    // The original still goes through.
    p.both(vec![good]).await
}

#[tokio::test]
async fn an_oversized_tx_is_refused_with_code_21() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mut b = p.send_builder(10).await?;
    b.memo = "x".repeat(1 << 20);
    p.assert_refused(b.sign(&p.alice)?, "sdk", 21, "1 MiB memo")
        .await?;
    let mut b = p.send_builder(10).await?;
    b.memo = "x".repeat(257);
    p.assert_refused(b.sign(&p.alice)?, "sdk", 12, "memo over 256 bytes")
        .await
}

#[tokio::test]
async fn an_unknown_message_type_is_refused_with_code_6() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let msg = Any {
        type_url: "/cosmos.gov.v1.MsgVote".into(),
        value: vec![8, 1],
    };
    let b = p.node.tx_for(&p.alice, vec![msg]).await?;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 6, "unknown type url")
        .await?;
    let b = p.node.tx_for(&p.alice, vec![]).await?;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 18, "no messages")
        .await
}

#[tokio::test]
async fn only_the_key_holder_can_move_funds() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    let mallory = TestKey::new("mallory");
    // Mallory signs a send out of Alice's account with her own key.
    let b = p
        .node
        .tx_for(
            &p.alice,
            vec![msg_send(&p.alice.address, &mallory.address, 500)],
        )
        .await?;
    p.assert_refused(b.sign(&mallory)?, "sdk", 8, "key of another address")
        .await?;
    // Once Alice's key is on record, a different key is refused the same way.
    let ok = p.send_builder(1).await?.sign(&p.alice)?;
    p.both(vec![ok]).await?;
    let b = p
        .node
        .tx_for(
            &p.alice,
            vec![msg_send(&p.alice.address, &mallory.address, 500)],
        )
        .await?;
    p.assert_refused(
        b.sign(&mallory)?,
        "sdk",
        8,
        "key differs from the recorded one",
    )
    .await
}

#[tokio::test]
async fn a_tx_past_its_timeout_height_is_refused() -> anyhow::Result<()> {
    let mut p = Pair::new().await?;
    p.both(vec![]).await?;
    p.both(vec![]).await?;
    let mut b = p.send_builder(10).await?;
    b.timeout_height = 2;
    p.assert_refused(b.sign(&p.alice)?, "sdk", 30, "timeout height passed")
        .await
}
