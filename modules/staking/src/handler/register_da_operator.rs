//! `kaizen.staking.v1.MsgRegisterDaOperator`: bond stake and register a BLS key (with its
//! proof of possession) and a DA node endpoint.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{bls, parse_amount, Address, HandlerError, MsgHandler, TxCtx, TxError};
use kaizen_proto::kaizen::staking::v1::MsgRegisterDaOperator;

use crate::{
    error::StakingError,
    view::{check_endpoint, DaOperatorRegistration, StakingWrite},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterDaOperator {
    pub operator: Address,
    pub bls_public_key: Vec<u8>,
    pub proof_of_possession: Vec<u8>,
    pub endpoint: String,
    pub bond: u128,
}

impl TryFrom<&MsgRegisterDaOperator> for RegisterDaOperator {
    type Error = HandlerError;
    fn try_from(msg: &MsgRegisterDaOperator) -> Result<Self, HandlerError> {
        Ok(Self {
            operator: msg.operator.parse()?,
            bls_public_key: msg.bls_public_key.clone(),
            proof_of_possession: msg.proof_of_possession.clone(),
            endpoint: msg.endpoint.clone(),
            bond: parse_amount(&msg.bond)?,
        })
    }
}

#[async_trait]
impl MsgHandler for RegisterDaOperator {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.operator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.bls_public_key.len() != bls::PUBLIC_KEY_BYTES {
            return Err(StakingError::InvalidBlsKey(format!(
                "{} bytes, want {}",
                self.bls_public_key.len(),
                bls::PUBLIC_KEY_BYTES
            ))
            .into());
        }
        if self.proof_of_possession.len() != bls::SIGNATURE_BYTES {
            return Err(StakingError::InvalidProofOfPossession.into());
        }
        check_endpoint(&self.endpoint)?;
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
            .register_da_operator(
                ctx.gas,
                &DaOperatorRegistration {
                    operator: self.operator,
                    bls_public_key: self.bls_public_key.clone(),
                    proof_of_possession: self.proof_of_possession.clone(),
                    endpoint: self.endpoint.clone(),
                    bond: self.bond,
                },
                ctx.height,
            )
            .await?;
        Ok(())
    }
}
