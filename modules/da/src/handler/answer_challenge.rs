//! `kaizen.da.v1.MsgAnswerChallenge`: the challenged operator proves it stores its shard
//! with one segment and two Merkle paths, and is paid for it.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_bank::{BankRead, BankWrite};
use kaizen_da_core::commitment::{verify_segment, SegmentProof, ShardProof};
use kaizen_da_core::SEGMENT_BYTES;
use kaizen_framework::{
    parse_amount, Address, Coins, HandlerError, MeteredStateWrite, MsgHandler, TxCtx, TxError,
    NATIVE_DENOM,
};
use kaizen_proto::kaizen::da::v1::{ChallengeStatus, MsgAnswerChallenge};
use kaizen_staking::StakingWrite;

use crate::{
    error::DaError,
    events::EventChallengeAnswered,
    state_key,
    view::{DaRead, DaWrite},
};

/// Longest Merkle path accepted (2^32 leaves).
const MAX_PATH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerChallenge {
    pub operator: Address,
    pub challenge_id: u64,
    pub segment: Vec<u8>,
    pub segment_path: Vec<[u8; 32]>,
    pub shard_path: Vec<[u8; 32]>,
}

fn hashes(path: &[Vec<u8>], what: &str) -> Result<Vec<[u8; 32]>, HandlerError> {
    if path.len() > MAX_PATH {
        return Err(
            TxError::InvalidRequest(format!("{what} has more than {MAX_PATH} hashes")).into(),
        );
    }
    path.iter()
        .map(|h| {
            h.as_slice().try_into().map_err(|_| {
                TxError::InvalidRequest(format!("{what} holds a hash that is not 32 bytes")).into()
            })
        })
        .collect()
}

impl TryFrom<&MsgAnswerChallenge> for AnswerChallenge {
    type Error = HandlerError;
    fn try_from(msg: &MsgAnswerChallenge) -> Result<Self, HandlerError> {
        Ok(Self {
            operator: msg.operator.parse()?,
            challenge_id: msg.challenge_id,
            segment: msg.segment.clone(),
            segment_path: hashes(&msg.segment_path, "segment_path")?,
            shard_path: hashes(&msg.shard_path, "shard_path")?,
        })
    }
}

#[async_trait]
impl MsgHandler for AnswerChallenge {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.operator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.segment.is_empty() || self.segment.len() > SEGMENT_BYTES {
            return Err(TxError::InvalidRequest(format!(
                "segment has {} bytes, want 1..={SEGMENT_BYTES}",
                self.segment.len()
            ))
            .into());
        }
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let gas = ctx.gas;
        let id = self.challenge_id;
        let mut challenge = state
            .challenge(gas, id)
            .await?
            .ok_or(DaError::ChallengeNotFound(id))?;
        if challenge.operator != self.operator.to_string() {
            return Err(DaError::NotChallenged {
                id,
                operator: challenge.operator,
            }
            .into());
        }
        if challenge.status != ChallengeStatus::Open as i32 {
            return Err(DaError::ChallengeClosed(id).into());
        }
        if ctx.height > challenge.deadline_height {
            return Err(DaError::ChallengeTooLate {
                id,
                deadline: challenge.deadline_height,
            }
            .into());
        }
        let blob = state
            .blob(gas, &challenge.commitment)
            .await?
            .ok_or_else(|| DaError::BlobNotFound(hex::encode(&challenge.commitment)))?;
        let root: [u8; 32] = challenge
            .commitment
            .as_slice()
            .try_into()
            .map_err(|_| HandlerError::internal("stored commitment is not 32 bytes"))?;
        // Sizes come from the chain's record, never from the answer.
        let segment_count = blob.shard_bytes.div_ceil(SEGMENT_BYTES as u64).max(1) as usize;
        let proof = SegmentProof {
            shard: ShardProof {
                index: challenge.shard_index as usize,
                total: blob.original_shards as usize + blob.recovery_shards as usize,
                path: self.shard_path.clone(),
            },
            segment_index: challenge.segment_index as usize,
            segment_count,
            path: self.segment_path.clone(),
        };
        let last = challenge.segment_index as usize + 1 == segment_count;
        let expected_len = if last {
            blob.shard_bytes as usize - (segment_count - 1) * SEGMENT_BYTES
        } else {
            SEGMENT_BYTES
        };
        gas.consume(
            gas.schedule()
                .read_flat
                .saturating_mul((self.segment_path.len() + self.shard_path.len()) as u64),
            "merkle path",
        )?;
        if self.segment.len() != expected_len || !verify_segment(&root, &self.segment, &proof) {
            return Err(DaError::BadStorageProof.into());
        }

        let pool = crate::da_pool();
        let reward = parse_amount(&state.da_params(gas).await?.challenge_reward)?
            .min(state.balance(gas, &pool, NATIVE_DENOM).await?);
        if reward > 0 {
            state
                .send(
                    gas,
                    &pool,
                    &self.operator,
                    &Coins::single(NATIVE_DENOM, reward),
                )
                .await?;
        }
        challenge.status = ChallengeStatus::Answered as i32;
        challenge.reward = reward.to_string();
        state.put_challenge(gas, &challenge)?;
        state.delete_metered(gas, state_key::open_challenge(&self.operator, id))?;
        state.delete_metered(
            gas,
            state_key::challenge_deadline(challenge.deadline_height, id),
        )?;
        state.record_challenge_answered(gas, &self.operator).await?;
        state.emit(
            gas,
            &EventChallengeAnswered {
                id,
                operator: challenge.operator.clone(),
                reward: challenge.reward.clone(),
            },
        )
    }
}
