//! `kaizen.staking.v1.MsgUnjailDaOperator`: back into future quorums after the jail time.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx};
use kaizen_proto::kaizen::staking::v1::MsgUnjailDaOperator;

use crate::{
    error::StakingError,
    events::EventDaOperatorUnjailed,
    view::{StakingRead, StakingWrite},
};
use kaizen_framework::MeteredStateWrite;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnjailDaOperator {
    pub operator: Address,
}

impl TryFrom<&MsgUnjailDaOperator> for UnjailDaOperator {
    type Error = HandlerError;
    fn try_from(msg: &MsgUnjailDaOperator) -> Result<Self, HandlerError> {
        Ok(Self {
            operator: msg.operator.parse()?,
        })
    }
}

#[async_trait]
impl MsgHandler for UnjailDaOperator {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.operator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let mut op = state
            .da_operator(ctx.gas, &self.operator)
            .await?
            .ok_or_else(|| StakingError::OperatorNotFound(self.operator.to_string()))?;
        if !op.jailed {
            return Err(StakingError::NotJailed(op.address).into());
        }
        if ctx.height < op.jailed_until_height {
            return Err(StakingError::StillJailed {
                operator: op.address,
                until: op.jailed_until_height,
            }
            .into());
        }
        op.jailed = false;
        op.consecutive_misses = 0;
        state.put_da_operator(ctx.gas, &op)?;
        state.emit(
            ctx.gas,
            &EventDaOperatorUnjailed {
                operator: op.address,
            },
        )
    }
}
