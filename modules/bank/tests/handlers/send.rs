//! `MsgSend`: a transfer moves coins, creates the recipient's account, emits
//! `EventTransfer`; every refusal leaves state as it was.

use cosmrs::proto::cosmos::{bank::v1beta1::MsgSend, base::v1beta1::Coin};
use kaizen_auth::AccountRead;
use kaizen_bank::{events::EventTransfer, BankWrite, Send};
use kaizen_framework::{Address, Coins, GasMeter, HandlerError, NATIVE_DENOM};

use crate::setup::{
    alice, bob, events_of, TestChain, ALICE_UATOM, ALICE_UKZN, BOB_UKZN, GAS_LIMIT,
};

fn carol() -> Address {
    Address::from_bytes([0xca; 20])
}

fn send(from: Address, to: Address, coins: &[(&str, u128)]) -> Send {
    let coins: Vec<Coin> = coins
        .iter()
        .map(|(denom, n)| Coin {
            denom: denom.to_string(),
            amount: n.to_string(),
        })
        .collect();
    Send {
        from,
        to,
        amount: Coins::from_proto(&coins).expect("test coins"),
    }
}

#[tokio::test]
async fn a_send_moves_the_coins_keeps_the_supply_and_emits_a_transfer() {
    let mut chain = TestChain::new().await;
    let events = chain
        .ok(&send(alice(), bob(), &[(NATIVE_DENOM, 400)]))
        .await;

    assert_eq!(
        chain.balance(&alice(), NATIVE_DENOM).await,
        ALICE_UKZN - 400
    );
    assert_eq!(chain.balance(&bob(), NATIVE_DENOM).await, BOB_UKZN + 400);
    assert_eq!(
        chain.supply(NATIVE_DENOM).await,
        ALICE_UKZN + BOB_UKZN,
        "a transfer does not change the supply"
    );
    let transfers = events_of::<EventTransfer>(&events);
    assert_eq!(transfers.len(), 1);
    assert_eq!(transfers[0].sender, alice().to_string());
    assert_eq!(transfers[0].recipient, bob().to_string());
    assert_eq!(
        transfers[0]
            .amount
            .iter()
            .map(|c| (c.denom.as_str(), c.amount.as_str()))
            .collect::<Vec<_>>(),
        [(NATIVE_DENOM, "400")]
    );
}

#[tokio::test]
async fn a_send_of_several_denoms_moves_each_of_them() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&send(
            alice(),
            bob(),
            &[("uatom", ALICE_UATOM), (NATIVE_DENOM, 7)],
        ))
        .await;
    assert_eq!(chain.balance(&alice(), NATIVE_DENOM).await, ALICE_UKZN - 7);
    assert_eq!(chain.balance(&alice(), "uatom").await, 0);
    assert_eq!(chain.balance(&bob(), "uatom").await, ALICE_UATOM);
    assert_eq!(chain.supply("uatom").await, ALICE_UATOM);
}

#[tokio::test]
async fn a_send_to_a_new_address_creates_its_account() {
    let mut chain = TestChain::new().await;
    let gas = GasMeter::unlimited();
    assert!(chain.state.account(&gas, &carol()).await.unwrap().is_none());
    chain
        .ok(&send(alice(), carol(), &[(NATIVE_DENOM, 1)]))
        .await;
    let account = chain.state.account(&gas, &carol()).await.unwrap();
    assert_eq!(
        account.map(|a| (a.address, a.sequence)),
        Some((carol().to_string(), 0))
    );
    assert_eq!(chain.balance(&carol(), NATIVE_DENOM).await, 1);
}

#[tokio::test]
async fn a_send_to_oneself_leaves_the_balance_as_it_was() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&send(alice(), alice(), &[(NATIVE_DENOM, 5)]))
        .await;
    assert_eq!(chain.balance(&alice(), NATIVE_DENOM).await, ALICE_UKZN);
}

#[tokio::test]
async fn a_send_over_the_balance_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let over = send(bob(), alice(), &[(NATIVE_DENOM, BOB_UKZN + 1)]);
    assert_eq!(chain.refused(&over).await, ("bank", 2));
}

#[tokio::test]
async fn a_send_short_in_one_of_its_denoms_is_refused_and_moves_none_of_them() {
    let mut chain = TestChain::new().await;
    // Denoms go in order: the uatom leg is written before the ukzn leg fails, and the
    // fork is dropped with it.
    let short = send(
        alice(),
        bob(),
        &[("uatom", 1), (NATIVE_DENOM, ALICE_UKZN + 1)],
    );
    assert_eq!(chain.refused(&short).await, ("bank", 2));
    assert_eq!(chain.balance(&alice(), "uatom").await, ALICE_UATOM);
}

#[tokio::test]
async fn a_send_of_a_denom_never_held_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let none = send(bob(), alice(), &[("uatom", 1)]);
    assert_eq!(chain.refused(&none).await, ("bank", 2));
}

#[tokio::test]
async fn a_send_without_coins_is_refused_before_state_and_by_the_bank() {
    let mut chain = TestChain::new().await;
    let empty = send(alice(), bob(), &[]);
    // At decoding (the stateless check): sdk ErrInvalidCoins.
    assert_eq!(chain.refused(&empty).await, ("sdk", 10));
    // Should a caller skip the stateless check, the bank itself refuses.
    assert_eq!(
        chain.refused_with(&empty, GAS_LIMIT, false).await,
        ("bank", 3)
    );
}

#[tokio::test]
async fn a_send_that_would_overflow_the_recipient_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    // Unreachable while the supply fits a u128; written here to reach the check.
    chain
        .state
        .put_balance(&GasMeter::unlimited(), &carol(), NATIVE_DENOM, u128::MAX)
        .unwrap();
    let overflow = send(alice(), carol(), &[(NATIVE_DENOM, 1)]);
    assert_eq!(chain.refused(&overflow).await, ("bank", 4));
}

#[tokio::test]
async fn a_send_out_of_gas_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let msg = send(alice(), bob(), &[(NATIVE_DENOM, 1)]);
    assert_eq!(chain.refused_with(&msg, 1_500, true).await, ("sdk", 11));
}

#[test]
fn a_send_with_a_malformed_address_or_amount_does_not_parse() {
    let coin = |amount: &str| Coin {
        denom: NATIVE_DENOM.into(),
        amount: amount.into(),
    };
    let msg = |from: String, to: String, amount: Vec<Coin>| MsgSend {
        from_address: from,
        to_address: to,
        amount,
    };
    let code = |r: Result<Send, HandlerError>| r.map(|_| ()).map_err(|e| (e.codespace, e.code));
    let (a, b) = (alice().to_string(), bob().to_string());
    assert_eq!(
        code(Send::try_from(&msg(a.clone(), b.clone(), vec![coin("5")]))),
        Ok(())
    );
    assert_eq!(
        code(Send::try_from(&msg(
            "cosmos1xyz".into(),
            b.clone(),
            vec![coin("5")]
        ))),
        Err(("sdk", 7))
    );
    assert_eq!(
        code(Send::try_from(&msg(
            a.clone(),
            "kaizen1nope".into(),
            vec![coin("5")]
        ))),
        Err(("sdk", 7))
    );
    assert_eq!(
        code(Send::try_from(&msg(a, b, vec![coin("-5")]))),
        Err(("sdk", 10))
    );
}
