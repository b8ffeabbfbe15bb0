//! `kaizen.staking.v1.MsgUnjailEvaluator`: back into committees after the jail time.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Address, HandlerError, MeteredStateWrite, MsgHandler, TxCtx};
use kaizen_proto::kaizen::staking::v1::MsgUnjailEvaluator;

use crate::{
    error::StakingError,
    events::EventEvaluatorUnjailed,
    view::{StakingRead, StakingWrite},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnjailEvaluator {
    pub evaluator: Address,
}

impl TryFrom<&MsgUnjailEvaluator> for UnjailEvaluator {
    type Error = HandlerError;
    fn try_from(msg: &MsgUnjailEvaluator) -> Result<Self, HandlerError> {
        Ok(Self {
            evaluator: msg.evaluator.parse()?,
        })
    }
}

#[async_trait]
impl MsgHandler for UnjailEvaluator {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.evaluator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let mut ev = state
            .evaluator(ctx.gas, &self.evaluator)
            .await?
            .ok_or_else(|| StakingError::EvaluatorNotFound(self.evaluator.to_string()))?;
        if !ev.jailed {
            return Err(StakingError::NotJailed(ev.address).into());
        }
        if ctx.height < ev.jailed_until_height {
            return Err(StakingError::StillJailed {
                operator: ev.address,
                until: ev.jailed_until_height,
            }
            .into());
        }
        ev.jailed = false;
        state.put_evaluator(ctx.gas, &ev)?;
        state.emit(
            ctx.gas,
            &EventEvaluatorUnjailed {
                evaluator: ev.address,
            },
        )
    }
}
