//! `MsgSubmitRandomness`: an active operator's VRF output for the current epoch is
//! stored for the next epoch's seed; every refusal leaves state as it was.

use kaizen_da_core::assignment::randomness_message;
use kaizen_da_module::events::EventRandomnessWithheld;
use kaizen_da_module::SubmitRandomness;
use kaizen_framework::{bls::BlsKey, GasMeter};
use kaizen_staking::{view::DaOperatorRegistration, RandomnessRead, StakingRead, StakingWrite};

use crate::setup::{
    alice, events_of, operator, TestChain, CHAIN_ID, EPOCH_BLOCKS, OPERATORS, OPERATOR_BOND,
    RANDOMNESS_MISS_SLASH_PPM,
};

/// `key`'s output for `epoch`, over the seed the chain holds for it.
async fn output(chain: &TestChain, key: &BlsKey, epoch: u64) -> Vec<u8> {
    let seed = chain
        .state
        .epoch_seed(&GasMeter::unlimited(), epoch)
        .await
        .unwrap()
        .expect("the epoch has a seed")
        .seed;
    key.sign(&randomness_message(CHAIN_ID, epoch + 1, &seed))
        .to_vec()
}

async fn submission(chain: &TestChain, i: usize, epoch: u64) -> SubmitRandomness {
    let (address, key) = operator(i);
    SubmitRandomness {
        operator: address,
        epoch,
        output: output(chain, &key, epoch).await,
    }
}

#[tokio::test]
async fn an_operators_output_for_the_current_epoch_is_stored() {
    let mut chain = TestChain::new().await;
    chain.height = 3;
    let msg = submission(&chain, 0, 0).await;
    let events = chain.ok(&msg).await;
    let stored = chain
        .state
        .randomness_output(&GasMeter::unlimited(), 0, &operator(0).0)
        .await
        .unwrap();
    assert_eq!(stored, Some(msg.output.clone()));
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test]
async fn an_output_of_the_wrong_length_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let mut short = submission(&chain, 0, 0).await;
    short.output.pop();
    assert_eq!(chain.refused(&short).await, ("da", 18));
}

#[tokio::test]
async fn an_output_from_an_address_that_is_no_operator_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let msg = SubmitRandomness {
        operator: alice(),
        ..submission(&chain, 0, 0).await
    };
    assert_eq!(chain.refused(&msg).await, ("da", 19));
}

#[tokio::test]
async fn an_output_from_a_jailed_operator_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let (address, _) = operator(1);
    for _ in 0..2 {
        chain
            .state
            .record_challenge_missed(&GasMeter::unlimited(), &address, 1)
            .await
            .unwrap();
    }
    let msg = submission(&chain, 1, 0).await;
    assert_eq!(chain.refused(&msg).await, ("da", 19));
}

#[tokio::test]
async fn an_output_for_another_epoch_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let mut next = submission(&chain, 0, 0).await;
    next.epoch = 1;
    assert_eq!(chain.refused(&next).await, ("da", 18));
    // In epoch 1, an output for epoch 0 is late.
    chain.begin_block(EPOCH_BLOCKS).await;
    let late = submission(&chain, 0, 0).await;
    assert_eq!(chain.refused(&late).await, ("da", 18));
}

#[tokio::test]
async fn a_second_output_in_an_epoch_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let msg = submission(&chain, 0, 0).await;
    chain.ok(&msg).await;
    assert_eq!(chain.refused(&msg).await, ("da", 18));
}

#[tokio::test]
async fn an_output_that_does_not_verify_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    // Operator 1's output sent as operator 0's.
    let borrowed = SubmitRandomness {
        operator: operator(0).0,
        ..submission(&chain, 1, 0).await
    };
    assert_eq!(chain.refused(&borrowed).await, ("da", 18));
    // A signature over the wrong message.
    let (address, key) = operator(0);
    let wrong = SubmitRandomness {
        operator: address,
        epoch: 0,
        output: key.sign(b"not the randomness message").to_vec(),
    };
    assert_eq!(chain.refused(&wrong).await, ("da", 18));
}

#[tokio::test]
async fn an_output_from_an_operator_outside_the_epochs_quorum_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    chain.height = 3;
    // Alice registers as an operator during epoch 0: she is active, but epoch 0's
    // quorum was drawn without her.
    let key = BlsKey::from_seed(b"da handler tests, alice's BLS key").unwrap();
    chain
        .state
        .register_da_operator(
            &GasMeter::unlimited(),
            &DaOperatorRegistration {
                operator: alice(),
                bls_public_key: key.public_key().to_vec(),
                proof_of_possession: key.proof_of_possession().to_vec(),
                endpoint: "http://127.0.0.1:7199".into(),
                bond: crate::setup::OPERATOR_BOND,
            },
            3,
        )
        .await
        .unwrap();
    let msg = SubmitRandomness {
        operator: alice(),
        epoch: 0,
        output: output(&chain, &key, 0).await,
    };
    assert_eq!(chain.refused(&msg).await, ("da", 20));
}

#[tokio::test]
async fn a_quorum_member_that_withholds_its_output_is_slashed_when_the_next_epoch_starts() {
    // Withholding is the one way to bias a seed (pick between two); before this rule it
    // cost nothing. Every member but the last sends its output during epoch 0.
    let mut chain = TestChain::new().await;
    chain.height = 3;
    let quorum = chain.quorum(0).await;
    assert_eq!(quorum.members.len(), OPERATORS);
    let withholder = quorum.members[OPERATORS - 1].operator.clone();
    for i in 0..OPERATORS {
        if operator(i).0.to_string() != withholder {
            let msg = submission(&chain, i, 0).await;
            chain.ok(&msg).await;
        }
    }
    let events = chain.begin_block(EPOCH_BLOCKS).await;
    let gas = GasMeter::unlimited();
    let seed = chain.state.epoch_seed(&gas, 1).await.unwrap().unwrap();
    assert_eq!(seed.contributions as usize, OPERATORS - 1);
    assert!(!seed.contributors.contains(&withholder));
    let slashed = OPERATOR_BOND * u128::from(RANDOMNESS_MISS_SLASH_PPM) / 1_000_000;
    assert_eq!(
        events_of::<EventRandomnessWithheld>(&events),
        vec![EventRandomnessWithheld {
            epoch: 0,
            operator: withholder.clone(),
            slashed: slashed.to_string(),
        }]
    );
    for i in 0..OPERATORS {
        let op = chain
            .state
            .da_operator(&gas, &operator(i).0)
            .await
            .unwrap()
            .unwrap();
        if op.address == withholder {
            assert_eq!(op.bond, (OPERATOR_BOND - slashed).to_string());
            assert_eq!(op.withheld_randomness, 1);
        } else {
            assert_eq!(op.bond, OPERATOR_BOND.to_string());
            assert_eq!(op.withheld_randomness, 0);
        }
    }
}
