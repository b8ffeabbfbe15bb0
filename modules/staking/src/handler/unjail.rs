//! The unjail message of every bonded role (`MsgUnjailDaOperator`,
//! `MsgUnjailEvaluator`): back into quorums or committees after the jail time. One
//! handler; the role is its type parameter.

use std::marker::PhantomData;

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx};

use crate::{bonded::BondedRole, view::StakingWrite};

/// Unjails `address`'s record of role `R`; signed by `address`.
pub struct Unjail<R> {
    pub address: Address,
    role: PhantomData<fn() -> R>,
}

impl<R> Unjail<R> {
    pub fn new(address: Address) -> Self {
        Self {
            address,
            role: PhantomData,
        }
    }
}

impl<R> Clone for Unjail<R> {
    fn clone(&self) -> Self {
        Self::new(self.address)
    }
}

impl<R> PartialEq for Unjail<R> {
    fn eq(&self, other: &Self) -> bool {
        self.address == other.address
    }
}

impl<R> Eq for Unjail<R> {}

impl<R> std::fmt::Debug for Unjail<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unjail")
            .field("role", &std::any::type_name::<R>())
            .field("address", &self.address)
            .finish()
    }
}

#[async_trait]
impl<R: BondedRole> MsgHandler for Unjail<R> {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.address])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        state.unjail::<R>(ctx.gas, &self.address, ctx.height).await
    }
}
