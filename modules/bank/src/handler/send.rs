//! `cosmos.bank.v1beta1.MsgSend`: the standard Cosmos transfer, so that existing wallets
//! can send on Kaizen unchanged.

use async_trait::async_trait;
use cnidarium::StateWrite;
use cosmrs::proto::cosmos::bank::v1beta1::MsgSend;
use kaizen_framework::{
    Address, Coins, HandlerError, MeteredStateWrite, MsgHandler, TxCtx, TxError,
};

use crate::{
    events::{coins, EventTransfer},
    view::BankWrite,
};

/// A parsed `MsgSend`: addresses and coins already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    pub from: Address,
    pub to: Address,
    pub amount: Coins,
}

impl TryFrom<&MsgSend> for Send {
    type Error = HandlerError;
    fn try_from(msg: &MsgSend) -> Result<Self, HandlerError> {
        Ok(Self {
            from: msg.from_address.parse()?,
            to: msg.to_address.parse()?,
            amount: Coins::from_proto(&msg.amount)?,
        })
    }
}

#[async_trait]
impl MsgHandler for Send {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.from])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.amount.is_empty() {
            return Err(TxError::InvalidCoins("MsgSend carries no coins".into()).into());
        }
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        state
            .send(ctx.gas, &self.from, &self.to, &self.amount)
            .await?;
        state.emit(
            ctx.gas,
            &EventTransfer {
                sender: self.from.to_string(),
                recipient: self.to.to_string(),
                amount: coins(&self.amount),
            },
        )
    }
}
