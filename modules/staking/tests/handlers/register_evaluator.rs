//! `MsgRegisterEvaluator`: the bond moves to the bonded pool, the record is stored,
//! `EventEvaluatorRegistered` is emitted; every refusal leaves state as it was.

use kaizen_framework::{Address, GasMeter, NATIVE_DENOM};
use kaizen_staking::{
    bonded_pool, events::EventEvaluatorRegistered, RegisterEvaluator, StakingRead,
};

use crate::setup::{
    alice, bob, carol, events_of, nobody, TestChain, FUNDS, GAS_LIMIT, MIN_EVALUATOR_BOND,
};

fn registration(evaluator: Address, bond: u128, endpoint: &str) -> RegisterEvaluator {
    RegisterEvaluator {
        evaluator,
        bond,
        endpoint: endpoint.into(),
    }
}

#[tokio::test]
async fn an_evaluator_registration_bonds_the_stake_and_records_the_evaluator() {
    let mut chain = TestChain::new().await;
    chain.height = 3;
    let events = chain
        .ok(&registration(alice(), 800, "https://eval.example.org"))
        .await;

    let gas = GasMeter::unlimited();
    let ev = chain
        .state
        .evaluator(&gas, &alice())
        .await
        .unwrap()
        .expect("the evaluator is registered");
    assert_eq!(ev.address, alice().to_string());
    assert_eq!(ev.bond, "800");
    assert_eq!(ev.endpoint, "https://eval.example.org");
    assert_eq!(ev.registered_height, 3);
    assert_eq!(ev.slashed, "0");
    assert!(!ev.jailed);
    assert_eq!(chain.state.evaluator_count(&gas).await.unwrap(), 1);
    assert_eq!(chain.balance(&alice(), NATIVE_DENOM).await, FUNDS - 800);
    assert_eq!(chain.balance(&bonded_pool(), NATIVE_DENOM).await, 800);

    let registered = events_of::<EventEvaluatorRegistered>(&events);
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].evaluator, alice().to_string());
    assert_eq!(registered[0].bond, "800");
}

#[tokio::test]
async fn an_evaluator_may_register_without_an_endpoint() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&registration(alice(), MIN_EVALUATOR_BOND, ""))
        .await;
    let ev = chain
        .state
        .evaluator(&GasMeter::unlimited(), &alice())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ev.endpoint, "");
}

#[tokio::test]
async fn an_evaluator_registration_with_a_bad_endpoint_or_no_bond_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let bad = registration(alice(), MIN_EVALUATOR_BOND, "eval.example.org");
    assert_eq!(chain.refused(&bad).await, ("staking", 7));
    assert_eq!(
        chain.refused_with(&bad, GAS_LIMIT, false).await,
        ("staking", 7)
    );
    let zero = registration(alice(), 0, "");
    assert_eq!(chain.refused(&zero).await, ("sdk", 10));
}

#[tokio::test]
async fn a_second_evaluator_registration_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&registration(alice(), MIN_EVALUATOR_BOND, ""))
        .await;
    let again = registration(alice(), MIN_EVALUATOR_BOND, "");
    assert_eq!(chain.refused(&again).await, ("staking", 12));
}

#[tokio::test]
async fn an_evaluator_bond_below_the_minimum_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let low = registration(alice(), MIN_EVALUATOR_BOND - 1, "");
    assert_eq!(chain.refused(&low).await, ("staking", 6));
}

#[tokio::test]
async fn an_evaluator_registration_into_a_full_registry_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&registration(alice(), MIN_EVALUATOR_BOND, ""))
        .await;
    chain.ok(&registration(bob(), MIN_EVALUATOR_BOND, "")).await;
    let third = registration(carol(), MIN_EVALUATOR_BOND, "");
    assert_eq!(chain.refused(&third).await, ("staking", 14));
}

#[tokio::test]
async fn an_evaluator_bond_above_the_balance_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let broke = registration(nobody(), MIN_EVALUATOR_BOND, "");
    assert_eq!(chain.refused(&broke).await, ("bank", 2));
    let over = registration(alice(), FUNDS + 1, "");
    assert_eq!(chain.refused(&over).await, ("bank", 2));
}
