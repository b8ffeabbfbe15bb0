//! Transfers through the mock-consensus harness.

use kaizen_app::harness::{genesis_with_balances, msg_send, TestKey, TestNode};
use kaizen_bank::events::{EventFeePaid, EventTransfer};
use kaizen_bank::fee_collector;
use kaizen_framework::event::TypedEvent;
use kaizen_proto::event::parse_event;
use tendermint_proto::v0_38::abci::Event;

/// Every event of type `E` in `events`.
fn find<E: TypedEvent>(events: &[Event]) -> Vec<E> {
    events
        .iter()
        .filter_map(|e| {
            parse_event::<E>(
                &e.r#type,
                e.attributes
                    .iter()
                    .map(|a| (a.key.as_str(), a.value.as_str())),
            )
        })
        .collect::<Result<_, _>>()
        .expect("the chain emits well-formed events")
}

#[tokio::test]
async fn signed_send_moves_funds_pays_the_fee_and_records_an_event() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[
        (&alice.address, 1_000_000),
        (&bob.address, 10),
    ]))
    .await?;

    let tx = node.signed_send(&alice, &bob.address, 12_345).await?;
    let check = node.check_tx(&tx).await?;
    assert_eq!(check.code, 0, "CheckTx: {}", check.log);

    let block = node.block(vec![tx]).await?;
    let result = &block.tx_results[0];
    assert_eq!(result.code, 0, "{}", result.log);
    assert!(result.gas_used > 0 && result.gas_used <= result.gas_wanted);

    // The default builder pays 200ukzn.
    assert_eq!(node.balance(&alice.address).await, 1_000_000 - 12_345 - 200);
    assert_eq!(node.balance(&bob.address).await, 10 + 12_345);
    assert_eq!(node.balance(&fee_collector()).await, 200);

    let transfers = find::<EventTransfer>(&result.events);
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0].sender, alice.address.to_string());
    assert_eq!(transfers[0].recipient, bob.address.to_string());
    assert_eq!(
        kaizen_bank::events::coins_text(&transfers[0].amount),
        "12345ukzn"
    );
    let fees = find::<EventFeePaid>(&result.events);
    assert_eq!(fees.len(), 1);
    assert_eq!(kaizen_bank::events::coins_text(&fees[0].amount), "200ukzn");
    assert!(result
        .events
        .iter()
        .filter(|e| e.r#type == "kaizen.bank.v1.EventTransfer")
        .all(|e| e.attributes.iter().all(|a| a.index)));

    let account = node
        .account(&alice.address)
        .await
        .expect("alice has an account");
    assert_eq!(account.sequence, 1);
    assert!(
        account.pub_key.is_some(),
        "the first signature records the key"
    );
    Ok(())
}

#[tokio::test]
async fn first_transfer_to_a_new_address_creates_its_account() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let carol = TestKey::new("carol");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    assert!(node.account(&carol.address).await.is_none());

    let tx = node.signed_send(&alice, &carol.address, 5_000).await?;
    let block = node.block(vec![tx]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    let created =
        find::<kaizen_proto::kaizen::auth::v1::EventAccountCreated>(&block.tx_results[0].events);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].address, carol.address.to_string());

    let account = node
        .account(&carol.address)
        .await
        .expect("carol's account exists");
    assert_eq!(account.sequence, 0);
    // Genesis numbered alice 0, the fee collector 1, the bonded pool 2, the DA pool 3, the
    // slashed pool 4, the attest pool 5 and the bounty escrow 6.
    assert_eq!(account.account_number, 7);

    // Carol can now spend what she received.
    let back = node.signed_send(&carol, &alice.address, 1_000).await?;
    let block = node.block(vec![back]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(node.balance(&carol.address).await, 5_000 - 1_000 - 200);
    Ok(())
}

#[tokio::test]
async fn a_sender_may_send_several_transactions_in_one_block() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    let base = node
        .tx_for(&alice, vec![msg_send(&alice.address, &bob.address, 1)])
        .await?;
    let txs: Vec<Vec<u8>> = (0..5)
        .map(|i| {
            let mut b = base.clone();
            b.sequence = i;
            b.sign(&alice)
        })
        .collect::<Result<_, _>>()?;
    for tx in &txs {
        let r = node.check_tx(tx).await?;
        assert_eq!(
            r.code, 0,
            "CheckTx tracks the mempool's sequence: {}",
            r.log
        );
    }
    let block = node.block(txs).await?;
    assert!(block.tx_results.iter().all(|r| r.code == 0));
    assert_eq!(node.balance(&bob.address).await, 5);
    assert_eq!(node.account(&alice.address).await.unwrap().sequence, 5);
    Ok(())
}

#[test]
fn an_emitted_event_reads_back_as_itself() {
    let fee = EventFeePaid {
        payer: "p".into(),
        amount: vec![],
    };
    let e = kaizen_framework::event::to_abci(&fee);
    assert_eq!(e.kind, "kaizen.bank.v1.EventFeePaid");
    let back = kaizen_framework::event::from_abci::<EventFeePaid>(&e);
    assert_eq!(back.map(|r| r.ok()), Some(Some(fee)));
    assert!(kaizen_framework::event::from_abci::<EventTransfer>(&e).is_none());
}

#[tokio::test]
async fn simulation_reports_the_gas_the_same_tx_uses_in_a_block_and_keeps_nothing(
) -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    let tx = node.signed_send(&alice, &bob.address, 777).await?;
    let sim = kaizen_app::app::simulate(node.app.storage(), &tx).await?;
    assert!(sim.result.is_ok(), "{:?}", sim.result);
    assert_eq!(
        node.balance(&bob.address).await,
        0,
        "simulation keeps nothing"
    );
    let block = node.block(vec![tx]).await?;
    assert_eq!(block.tx_results[0].code, 0);
    assert_eq!(u64::try_from(block.tx_results[0].gas_used)?, sim.gas_used);
    Ok(())
}

#[tokio::test]
async fn a_simulation_probe_without_gas_limit_measures_the_same_gas() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[(&alice.address, 1_000_000)])).await?;
    let mut probe = node
        .tx_for(&alice, vec![msg_send(&alice.address, &bob.address, 777)])
        .await?;
    probe.gas_limit = 0;
    probe.fee = 1;
    let sim = kaizen_app::app::simulate(node.app.storage(), &probe.sign(&alice)?).await?;
    assert!(sim.result.is_ok(), "{:?}", sim.result);
    // Without any fee (cosmpy's probe): the estimate still counts the fee's transfer.
    probe.fee = 0;
    let feeless = kaizen_app::app::simulate(node.app.storage(), &probe.sign(&alice)?).await?;
    assert!(feeless.result.is_ok(), "{:?}", feeless.result);
    let tx = node.signed_send(&alice, &bob.address, 777).await?;
    let block = node.block(vec![tx]).await?;
    let real = u64::try_from(block.tx_results[0].gas_used)?;
    for gas in [sim.gas_used, feeless.gas_used] {
        assert!(gas.abs_diff(real) < 200, "simulated {gas} vs real {real}");
    }
    // The token fee of a fee-less simulation is not taken from what the messages spend:
    // a wallet can estimate sending its whole balance.
    let everything = node.balance(&alice.address).await;
    let mut all = node
        .tx_for(
            &alice,
            vec![msg_send(&alice.address, &bob.address, everything)],
        )
        .await?;
    all.gas_limit = 0;
    all.fee = 0;
    let sim = kaizen_app::app::simulate(node.app.storage(), &all.sign(&alice)?).await?;
    assert!(sim.result.is_ok(), "{:?}", sim.result);
    Ok(())
}
