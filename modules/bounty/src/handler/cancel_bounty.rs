//! `kaizen.bounty.v1.MsgCancelBounty`: the sponsor takes the reward back, only while no
//! submission is live (no commit waits for its reveal, no evaluation runs, nobody leads).

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx};
use kaizen_proto::kaizen::bounty::v1::{BountyStatus, MsgCancelBounty};

use crate::{error::BountyError, settlement::close_with_refund, view::BountyRead};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelBounty {
    pub sponsor: Address,
    pub bounty_id: u64,
}

impl TryFrom<&MsgCancelBounty> for CancelBounty {
    type Error = HandlerError;
    fn try_from(msg: &MsgCancelBounty) -> Result<Self, HandlerError> {
        Ok(Self {
            sponsor: msg.sponsor.parse()?,
            bounty_id: msg.bounty_id,
        })
    }
}

#[async_trait]
impl MsgHandler for CancelBounty {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.sponsor])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let mut bounty = state
            .bounty(ctx.gas, self.bounty_id)
            .await?
            .ok_or(BountyError::BountyNotFound(self.bounty_id))?;
        if bounty.sponsor != self.sponsor.to_string() {
            return Err(BountyError::NotSponsor(bounty.sponsor).into());
        }
        let open = matches!(
            BountyStatus::try_from(bounty.status),
            Ok(BountyStatus::EvaluatingBaseline | BountyStatus::Open)
        );
        if !open {
            return Err(BountyError::CannotCancel {
                id: bounty.id,
                why: "it is already closed".into(),
            }
            .into());
        }
        if bounty.live_submissions > 0 {
            return Err(BountyError::CannotCancel {
                id: bounty.id,
                why: format!(
                    "{} submission(s) are live (waiting for a reveal, being evaluated or leading)",
                    bounty.live_submissions
                ),
            }
            .into());
        }
        close_with_refund(
            state,
            ctx.gas,
            &mut bounty,
            BountyStatus::Cancelled,
            ctx.height,
        )
        .await
    }
}
