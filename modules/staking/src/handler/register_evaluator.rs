//! `kaizen.staking.v1.MsgRegisterEvaluator`: bond stake to be drawn into evaluation
//! committees.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{parse_amount, Address, HandlerError, MsgHandler, TxCtx, TxError};
use kaizen_proto::kaizen::staking::v1::MsgRegisterEvaluator;

use crate::view::{check_endpoint, StakingWrite};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEvaluator {
    pub evaluator: Address,
    pub bond: u128,
    pub endpoint: String,
}

impl TryFrom<&MsgRegisterEvaluator> for RegisterEvaluator {
    type Error = HandlerError;
    fn try_from(msg: &MsgRegisterEvaluator) -> Result<Self, HandlerError> {
        Ok(Self {
            evaluator: msg.evaluator.parse()?,
            bond: parse_amount(&msg.bond)?,
            endpoint: msg.endpoint.clone(),
        })
    }
}

#[async_trait]
impl MsgHandler for RegisterEvaluator {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.evaluator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if !self.endpoint.is_empty() {
            check_endpoint(&self.endpoint)?;
        }
        if self.bond == 0 {
            return Err(TxError::InvalidCoins("bond must be positive".into()).into());
        }
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        state
            .register_evaluator(
                ctx.gas,
                &self.evaluator,
                self.bond,
                &self.endpoint,
                ctx.height,
            )
            .await?;
        Ok(())
    }
}
