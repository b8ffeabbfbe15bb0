//! `MsgAnswerChallenge`: the challenged operator proves a segment of its shard, is paid
//! the reward from the DA pool, and its challenge closes (`EventChallengeAnswered`);
//! every refusal leaves state as it was.

use kaizen_da_core::{blob::EncodedBlob, SEGMENT_BYTES};
use kaizen_da_module::{
    da_pool, events::EventChallengeAnswered, state_key, AnswerChallenge, DaRead,
};
use kaizen_framework::{Address, GasMeter, HandlerError, NATIVE_DENOM};
use kaizen_proto::kaizen::da::v1::{Challenge, ChallengeStatus, MsgAnswerChallenge};
use kaizen_staking::StakingRead;

use crate::setup::{
    blob_of, events_of, operator, pay, TestChain, CHALLENGE_REWARD, EPOCH_BLOCKS, OPERATORS,
};

/// A chain where a 4 + 4 blob was paid and certified by the whole quorum in epoch 0 and
/// epoch 1 has begun, issuing challenges over it; the blob and challenge 0.
async fn challenged() -> (TestChain, EncodedBlob, Challenge) {
    let mut chain = TestChain::new().await;
    let blob = blob_of(5_000, 3);
    chain.ok(&pay(&blob, 1_000)).await;
    let cert = chain
        .certificate(blob.blob_ref.commitment, &[0, 1, 2, 3])
        .await;
    chain.ok(&cert).await;
    chain.begin_block(EPOCH_BLOCKS).await;
    let challenge = chain
        .state
        .challenge(&GasMeter::unlimited(), 0)
        .await
        .unwrap()
        .expect("epoch 1 challenged the one live blob");
    assert_eq!(challenge.status, ChallengeStatus::Open as i32);
    (chain, blob, challenge)
}

/// The honest answer to `c` by `operator`.
fn answer(operator: Address, blob: &EncodedBlob, c: &Challenge) -> AnswerChallenge {
    let shard = &blob.shards[c.shard_index as usize];
    let proof = blob
        .commitment
        .segment_proof(shard, c.shard_index as usize, c.segment_index as usize)
        .expect("the segment exists");
    let start = c.segment_index as usize * SEGMENT_BYTES;
    let end = (start + SEGMENT_BYTES).min(shard.len());
    AnswerChallenge {
        operator,
        challenge_id: c.id,
        segment: shard[start..end].to_vec(),
        segment_path: proof.path,
        shard_path: proof.shard.path,
    }
}

fn challenged_operator(c: &Challenge) -> Address {
    c.operator.parse().unwrap()
}

/// A genesis operator other than the challenged one.
fn bystander(c: &Challenge) -> Address {
    (0..OPERATORS)
        .map(|i| operator(i).0)
        .find(|a| a.to_string() != c.operator)
        .unwrap()
}

#[tokio::test]
async fn an_honest_answer_closes_the_challenge_and_pays_the_reward() {
    let (mut chain, blob, c) = challenged().await;
    let op = challenged_operator(&c);
    let pool_before = chain.balance(&da_pool(), NATIVE_DENOM).await;
    let op_before = chain.balance(&op, NATIVE_DENOM).await;
    chain.height = EPOCH_BLOCKS + 1;
    let events = chain.ok(&answer(op, &blob, &c)).await;

    let gas = GasMeter::unlimited();
    let closed = chain.state.challenge(&gas, c.id).await.unwrap().unwrap();
    assert_eq!(closed.status, ChallengeStatus::Answered as i32);
    assert_eq!(closed.reward, CHALLENGE_REWARD.to_string());
    assert_eq!(
        chain.balance(&op, NATIVE_DENOM).await,
        op_before + CHALLENGE_REWARD
    );
    assert_eq!(
        chain.balance(&da_pool(), NATIVE_DENOM).await,
        pool_before - CHALLENGE_REWARD
    );
    let record = chain.state.da_operator(&gas, &op).await.unwrap().unwrap();
    assert_eq!(
        (record.answered_challenges, record.consecutive_misses),
        (1, 0)
    );
    let keys: Vec<String> = chain.dump().await.into_iter().map(|(k, _)| k).collect();
    assert!(!keys.contains(&state_key::open_challenge(&op, c.id)));
    assert!(!keys.contains(&state_key::challenge_deadline(c.deadline_height, c.id)));

    let answered = events_of::<EventChallengeAnswered>(&events);
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].id, c.id);
    assert_eq!(answered[0].operator, c.operator);
    assert_eq!(answered[0].reward, CHALLENGE_REWARD.to_string());
}

#[test]
fn an_answer_with_a_malformed_or_overlong_path_does_not_parse() {
    let good = MsgAnswerChallenge {
        operator: operator(0).0.to_string(),
        challenge_id: 0,
        segment: vec![1; 10],
        segment_path: vec![vec![0; 32]],
        shard_path: vec![vec![0; 32]],
    };
    let code = |m: &MsgAnswerChallenge| {
        AnswerChallenge::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&good), Ok(()));
    let short_hash = MsgAnswerChallenge {
        shard_path: vec![vec![0; 31]],
        ..good.clone()
    };
    assert_eq!(code(&short_hash), Err(("sdk", 18)));
    let overlong = MsgAnswerChallenge {
        segment_path: vec![vec![0; 32]; 33],
        ..good
    };
    assert_eq!(code(&overlong), Err(("sdk", 18)));
}

#[tokio::test]
async fn an_answer_with_no_segment_or_an_oversized_one_is_refused_before_state() {
    let (mut chain, blob, c) = challenged().await;
    let op = challenged_operator(&c);
    let empty = AnswerChallenge {
        segment: vec![],
        ..answer(op, &blob, &c)
    };
    assert_eq!(chain.refused(&empty).await, ("sdk", 18));
    let oversized = AnswerChallenge {
        segment: vec![0; SEGMENT_BYTES + 1],
        ..answer(op, &blob, &c)
    };
    assert_eq!(chain.refused(&oversized).await, ("sdk", 18));
}

#[tokio::test]
async fn an_answer_to_an_unknown_challenge_is_refused_and_changes_nothing() {
    let (mut chain, blob, c) = challenged().await;
    let unknown = AnswerChallenge {
        challenge_id: 9_999,
        ..answer(challenged_operator(&c), &blob, &c)
    };
    assert_eq!(chain.refused(&unknown).await, ("da", 13));
}

#[tokio::test]
async fn an_answer_by_another_operator_is_refused_and_changes_nothing() {
    let (mut chain, blob, c) = challenged().await;
    let stranger = answer(bystander(&c), &blob, &c);
    assert_eq!(chain.refused(&stranger).await, ("da", 15));
}

#[tokio::test]
async fn a_second_answer_is_refused_and_changes_nothing() {
    let (mut chain, blob, c) = challenged().await;
    let honest = answer(challenged_operator(&c), &blob, &c);
    chain.ok(&honest).await;
    assert_eq!(chain.refused(&honest).await, ("da", 14));
}

#[tokio::test]
async fn an_answer_after_the_deadline_is_refused_and_one_at_it_is_accepted() {
    let (mut chain, blob, c) = challenged().await;
    let honest = answer(challenged_operator(&c), &blob, &c);
    chain.height = c.deadline_height + 1;
    assert_eq!(chain.refused(&honest).await, ("da", 16));
    chain.height = c.deadline_height;
    chain.ok(&honest).await;
}

#[tokio::test]
async fn an_answer_whose_segment_does_not_match_the_commitment_is_refused_and_changes_nothing() {
    let (mut chain, blob, c) = challenged().await;
    let op = challenged_operator(&c);
    let mut flipped = answer(op, &blob, &c);
    flipped.segment[0] ^= 1;
    assert_eq!(chain.refused(&flipped).await, ("da", 17));
    let mut truncated = answer(op, &blob, &c);
    truncated.segment.pop();
    assert_eq!(chain.refused(&truncated).await, ("da", 17));
    let mut wrong_path = answer(op, &blob, &c);
    wrong_path.shard_path.reverse();
    wrong_path.shard_path.push([0; 32]);
    assert_eq!(chain.refused(&wrong_path).await, ("da", 17));
}
