//! `MsgRegisterDaOperator`: the bond moves to the bonded pool, the record and the key's
//! owner are stored, `EventDaOperatorRegistered` is emitted; every refusal leaves state
//! as it was.

use kaizen_framework::{bls::BlsKey, Address, GasMeter, NATIVE_DENOM};
use kaizen_staking::{
    bonded_pool, events::EventDaOperatorRegistered, RegisterDaOperator, StakingRead,
};

use crate::setup::{
    alice, bob, carol, events_of, nobody, TestChain, FUNDS, GAS_LIMIT, MIN_DA_BOND,
};

fn key(seed: &str) -> BlsKey {
    BlsKey::from_seed(format!("staking handler tests, the BLS key of {seed}").as_bytes())
        .expect("a BLS key")
}

fn registration(operator: Address, key: &BlsKey, bond: u128) -> RegisterDaOperator {
    RegisterDaOperator {
        operator,
        bls_public_key: key.public_key().to_vec(),
        proof_of_possession: key.proof_of_possession().to_vec(),
        endpoint: "http://127.0.0.1:7100".into(),
        bond,
    }
}

#[tokio::test]
async fn a_registration_bonds_the_stake_and_records_the_operator_and_its_key() {
    let mut chain = TestChain::new().await;
    chain.height = 7;
    let k = key("alice");
    let events = chain.ok(&registration(alice(), &k, 2_500)).await;

    let gas = GasMeter::unlimited();
    let op = chain
        .state
        .da_operator(&gas, &alice())
        .await
        .unwrap()
        .expect("the operator is registered");
    assert_eq!(op.address, alice().to_string());
    assert_eq!(op.bls_public_key, k.public_key().to_vec());
    assert_eq!(op.endpoint, "http://127.0.0.1:7100");
    assert_eq!(op.bond, "2500");
    assert_eq!(op.registered_height, 7);
    assert!(!op.jailed);
    assert_eq!(chain.state.da_operator_count(&gas).await.unwrap(), 1);
    assert_eq!(chain.balance(&alice(), NATIVE_DENOM).await, FUNDS - 2_500);
    assert_eq!(chain.balance(&bonded_pool(), NATIVE_DENOM).await, 2_500);

    let registered = events_of::<EventDaOperatorRegistered>(&events);
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].operator, alice().to_string());
    assert_eq!(registered[0].endpoint, "http://127.0.0.1:7100");
    assert_eq!(registered[0].bond, "2500");
}

#[tokio::test]
async fn a_registration_with_a_malformed_key_proof_endpoint_or_bond_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let k = key("alice");
    let mut short_key = registration(alice(), &k, MIN_DA_BOND);
    short_key.bls_public_key.pop();
    assert_eq!(chain.refused(&short_key).await, ("staking", 3));
    let mut short_proof = registration(alice(), &k, MIN_DA_BOND);
    short_proof.proof_of_possession.pop();
    assert_eq!(chain.refused(&short_proof).await, ("staking", 4));
    for endpoint in ["ftp://x", "http://", "http://a b"] {
        let mut bad = registration(alice(), &k, MIN_DA_BOND);
        bad.endpoint = endpoint.into();
        assert_eq!(chain.refused(&bad).await, ("staking", 7), "{endpoint}");
        // The state step checks the endpoint too.
        assert_eq!(
            chain.refused_with(&bad, GAS_LIMIT, false).await,
            ("staking", 7),
            "{endpoint}"
        );
    }
    let zero = registration(alice(), &k, 0);
    assert_eq!(chain.refused(&zero).await, ("sdk", 10));
}

#[tokio::test]
async fn a_second_registration_of_an_operator_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&registration(alice(), &key("alice"), MIN_DA_BOND))
        .await;
    let again = registration(alice(), &key("alice again"), MIN_DA_BOND);
    assert_eq!(chain.refused(&again).await, ("staking", 2));
}

#[tokio::test]
async fn a_bond_below_the_minimum_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let low = registration(alice(), &key("alice"), MIN_DA_BOND - 1);
    assert_eq!(chain.refused(&low).await, ("staking", 6));
}

#[tokio::test]
async fn a_registration_into_a_full_registry_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&registration(alice(), &key("alice"), MIN_DA_BOND))
        .await;
    chain
        .ok(&registration(bob(), &key("bob"), MIN_DA_BOND))
        .await;
    let third = registration(carol(), &key("carol"), MIN_DA_BOND);
    assert_eq!(chain.refused(&third).await, ("staking", 11));
}

#[tokio::test]
async fn a_key_another_operator_registered_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let k = key("shared");
    chain.ok(&registration(alice(), &k, MIN_DA_BOND)).await;
    assert_eq!(
        chain.refused(&registration(bob(), &k, MIN_DA_BOND)).await,
        ("staking", 5)
    );
}

#[tokio::test]
async fn a_proof_of_possession_of_another_key_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let mut stolen = registration(alice(), &key("alice"), MIN_DA_BOND);
    stolen.proof_of_possession = key("mallory").proof_of_possession().to_vec();
    assert_eq!(chain.refused(&stolen).await, ("staking", 4));
}

#[tokio::test]
async fn a_key_that_is_no_curve_point_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let mut garbage = registration(alice(), &key("alice"), MIN_DA_BOND);
    garbage.bls_public_key = vec![0xff; garbage.bls_public_key.len()];
    assert_eq!(chain.refused(&garbage).await, ("staking", 3));
}

#[tokio::test]
async fn a_bond_above_the_balance_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let broke = registration(nobody(), &key("nobody"), MIN_DA_BOND);
    assert_eq!(chain.refused(&broke).await, ("bank", 2));
    let over = registration(alice(), &key("alice"), FUNDS + 1);
    assert_eq!(chain.refused(&over).await, ("bank", 2));
}
