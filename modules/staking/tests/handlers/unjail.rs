//! `MsgUnjailDaOperator` and `MsgUnjailEvaluator` (one handler over the role): a jailed
//! record leaves jail once its jail time is over and the role's unjail event is emitted;
//! every refusal leaves state as it was.

use kaizen_framework::{bls::BlsKey, Address, GasMeter};
use kaizen_staking::{
    events::{EventDaOperatorUnjailed, EventEvaluatorUnjailed},
    RegisterDaOperator, RegisterEvaluator, StakingRead, StakingWrite, UnjailDaOperator,
    UnjailEvaluator,
};

use crate::setup::{
    alice, bob, events_of, TestChain, MAX_CONSECUTIVE_MISSES, MIN_DA_BOND, MIN_EVALUATOR_BOND,
};

/// How long the slash below jails an evaluator.
const EVALUATOR_JAIL: u64 = 5;

/// Registers `who` as a DA operator and makes it miss challenges until it is jailed;
/// returns the height its jail ends.
async fn jailed_operator(chain: &mut TestChain, who: Address) -> u64 {
    let key = BlsKey::from_seed(who.to_string().as_bytes()).unwrap();
    chain
        .ok(&RegisterDaOperator {
            operator: who,
            bls_public_key: key.public_key().to_vec(),
            proof_of_possession: key.proof_of_possession().to_vec(),
            endpoint: "http://127.0.0.1:7100".into(),
            bond: MIN_DA_BOND,
        })
        .await;
    let gas = GasMeter::unlimited();
    let height = chain.height;
    for _ in 0..MAX_CONSECUTIVE_MISSES {
        chain
            .state
            .record_challenge_missed(&gas, &who, height)
            .await
            .unwrap();
    }
    let op = chain.state.da_operator(&gas, &who).await.unwrap().unwrap();
    assert!(op.jailed);
    op.jailed_until_height
}

/// Registers `who` as an evaluator and slashes it; returns the height its jail ends.
async fn jailed_evaluator(chain: &mut TestChain, who: Address) -> u64 {
    chain
        .ok(&RegisterEvaluator {
            evaluator: who,
            bond: MIN_EVALUATOR_BOND,
            endpoint: String::new(),
        })
        .await;
    let gas = GasMeter::unlimited();
    let height = chain.height;
    chain
        .state
        .slash_evaluator(&gas, &who, 100_000, EVALUATOR_JAIL, height, "test", 1)
        .await
        .unwrap();
    let ev = chain.state.evaluator(&gas, &who).await.unwrap().unwrap();
    assert!(ev.jailed);
    ev.jailed_until_height
}

#[tokio::test]
async fn a_jailed_operator_unjails_when_its_jail_is_over_and_its_miss_streak_ends() {
    let mut chain = TestChain::new().await;
    let until = jailed_operator(&mut chain, alice()).await;
    chain.height = until;
    let events = chain.ok(&UnjailDaOperator::new(alice())).await;

    let op = chain
        .state
        .da_operator(&GasMeter::unlimited(), &alice())
        .await
        .unwrap()
        .unwrap();
    assert!(!op.jailed);
    assert_eq!(op.consecutive_misses, 0);
    assert_eq!(op.missed_challenges, u64::from(MAX_CONSECUTIVE_MISSES));
    let unjailed = events_of::<EventDaOperatorUnjailed>(&events);
    assert_eq!(unjailed.len(), 1);
    assert_eq!(unjailed[0].operator, alice().to_string());
}

#[tokio::test]
async fn an_operator_unjailing_before_its_jail_is_over_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let until = jailed_operator(&mut chain, alice()).await;
    chain.height = until - 1;
    assert_eq!(
        chain.refused(&UnjailDaOperator::new(alice())).await,
        ("staking", 10)
    );
}

#[tokio::test]
async fn an_operator_that_is_not_jailed_cannot_unjail() {
    let mut chain = TestChain::new().await;
    let until = jailed_operator(&mut chain, alice()).await;
    chain.height = until;
    chain.ok(&UnjailDaOperator::new(alice())).await;
    assert_eq!(
        chain.refused(&UnjailDaOperator::new(alice())).await,
        ("staking", 9)
    );
}

#[tokio::test]
async fn an_unregistered_operator_cannot_unjail() {
    let mut chain = TestChain::new().await;
    // An evaluator is no DA operator.
    jailed_evaluator(&mut chain, bob()).await;
    assert_eq!(
        chain.refused(&UnjailDaOperator::new(bob())).await,
        ("staking", 8)
    );
}

#[tokio::test]
async fn a_jailed_evaluator_unjails_when_its_jail_is_over_and_keeps_its_faults() {
    let mut chain = TestChain::new().await;
    let until = jailed_evaluator(&mut chain, alice()).await;
    chain.height = until;
    let events = chain.ok(&UnjailEvaluator::new(alice())).await;

    let ev = chain
        .state
        .evaluator(&GasMeter::unlimited(), &alice())
        .await
        .unwrap()
        .unwrap();
    assert!(!ev.jailed);
    assert_eq!(ev.faults, 1);
    let unjailed = events_of::<EventEvaluatorUnjailed>(&events);
    assert_eq!(unjailed.len(), 1);
    assert_eq!(unjailed[0].evaluator, alice().to_string());
}

#[tokio::test]
async fn an_evaluator_unjailing_before_its_jail_is_over_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let until = jailed_evaluator(&mut chain, alice()).await;
    chain.height = until - 1;
    assert_eq!(
        chain.refused(&UnjailEvaluator::new(alice())).await,
        ("staking", 10)
    );
}

#[tokio::test]
async fn an_evaluator_that_is_not_jailed_cannot_unjail() {
    let mut chain = TestChain::new().await;
    chain
        .ok(&RegisterEvaluator {
            evaluator: alice(),
            bond: MIN_EVALUATOR_BOND,
            endpoint: String::new(),
        })
        .await;
    assert_eq!(
        chain.refused(&UnjailEvaluator::new(alice())).await,
        ("staking", 9)
    );
}

#[tokio::test]
async fn an_unregistered_evaluator_cannot_unjail() {
    let mut chain = TestChain::new().await;
    // A DA operator is no evaluator.
    jailed_operator(&mut chain, bob()).await;
    assert_eq!(
        chain.refused(&UnjailEvaluator::new(bob())).await,
        ("staking", 13)
    );
}
