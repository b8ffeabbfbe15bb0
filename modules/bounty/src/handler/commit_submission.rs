//! `kaizen.bounty.v1.MsgCommitSubmission`: seal a submission and pay its fee. The commit
//! height is the submission's priority.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_bank::BankWrite;
use kaizen_framework::{
    parse_amount, Address, Coins, HandlerError, MeteredStateRead, MeteredStateWrite, MsgHandler,
    TxCtx, NATIVE_DENOM,
};
use kaizen_proto::kaizen::bounty::v1::{
    BountyStatus, MsgCommitSubmission, Submission, SubmissionStatus,
};

use crate::{
    bounty_escrow,
    error::BountyError,
    events::EventSubmissionCommitted,
    state_key,
    view::{BountyRead, BountyWrite},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSubmission {
    pub submitter: Address,
    pub bounty_id: u64,
    pub commitment: Vec<u8>,
}

impl TryFrom<&MsgCommitSubmission> for CommitSubmission {
    type Error = HandlerError;
    fn try_from(msg: &MsgCommitSubmission) -> Result<Self, HandlerError> {
        Ok(Self {
            submitter: msg.submitter.parse()?,
            bounty_id: msg.bounty_id,
            commitment: msg.commitment.clone(),
        })
    }
}

#[async_trait]
impl MsgHandler for CommitSubmission {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.submitter])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.commitment.len() != 32 {
            return Err(BountyError::InvalidModelRef(format!(
                "the commitment must be 32 bytes, got {}",
                self.commitment.len()
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
        let params = state.bounty_params(ctx.gas).await?;
        let mut bounty = state
            .bounty(ctx.gas, self.bounty_id)
            .await?
            .ok_or(BountyError::BountyNotFound(self.bounty_id))?;
        if bounty.status != BountyStatus::Open as i32 {
            let why = if bounty.status == BountyStatus::EvaluatingBaseline as i32 {
                "the baseline is still being evaluated"
            } else {
                "it is closed"
            };
            return Err(BountyError::NotOpen {
                id: bounty.id,
                why: why.into(),
            }
            .into());
        }
        if ctx.height >= bounty.deadline_height {
            return Err(BountyError::NotOpen {
                id: bounty.id,
                why: format!("its deadline was height {}", bounty.deadline_height),
            }
            .into());
        }
        // Only live submissions hold a slot: an expired commit, a failed or non-beating
        // verdict and an overtaken leader free theirs, so squatting costs a fee per slot
        // per reveal window instead of once.
        if bounty.live_submissions >= params.max_submissions_per_bounty {
            return Err(BountyError::TooManySubmissions(bounty.id).into());
        }
        let slot = state_key::commitment(&self.commitment);
        if state.get_raw_metered(ctx.gas, &slot).await?.is_some() {
            return Err(BountyError::CommitmentInUse.into());
        }
        let fee = parse_amount(&bounty.submission_fee)?;
        if fee > 0 {
            state
                .send(
                    ctx.gas,
                    &self.submitter,
                    &bounty_escrow(),
                    &Coins::single(NATIVE_DENOM, fee),
                )
                .await?;
        }
        let id = state
            .take_id(ctx.gas, state_key::next_submission_id())
            .await?;
        // Reveals are accepted up to this height, and never at or after the deadline.
        let reveal_deadline = ctx
            .height
            .saturating_add(params.reveal_window_blocks)
            .min(bounty.deadline_height.saturating_sub(1));
        let submission = Submission {
            id,
            bounty_id: bounty.id,
            submitter: self.submitter.to_string(),
            commitment: self.commitment.clone(),
            commit_height: ctx.height,
            status: SubmissionStatus::Committed as i32,
            reveal_deadline_height: reveal_deadline,
            ..Default::default()
        };
        state.put_submission(ctx.gas, &submission)?;
        state.put_raw_metered(ctx.gas, slot, id.to_be_bytes().to_vec())?;
        state.put_raw_metered(ctx.gas, state_key::submission_of(bounty.id, id), vec![1])?;
        state.put_raw_metered(
            ctx.gas,
            state_key::reveal_expiry(reveal_deadline, id),
            vec![1],
        )?;
        bounty.submission_count = bounty.submission_count.saturating_add(1);
        state.join_live(ctx.gas, &mut bounty, id)?;
        state.put_bounty(ctx.gas, &bounty)?;
        state.emit(
            ctx.gas,
            &EventSubmissionCommitted {
                bounty_id: bounty.id,
                submission_id: id,
                submitter: submission.submitter,
            },
        )
    }
}
