//! `kaizen.da.v1.MsgSubmitRandomness`: a quorum member's VRF output (a unique BLS
//! signature) for the next epoch's seed. Sending it is the duty of the epoch's quorum
//! members, and only theirs, checked here; the
//! outputs and the seeds they make are `staking`'s (`kaizen_staking::randomness`).

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_da_core::assignment::randomness_message;
use kaizen_framework::{bls, Address, HandlerError, MsgHandler, TxCtx};
use kaizen_proto::kaizen::da::v1::MsgSubmitRandomness;
use kaizen_staking::{randomness::genesis_seed, RandomnessRead, RandomnessWrite, StakingRead};

use crate::{error::DaError, view::DaRead};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitRandomness {
    pub operator: Address,
    pub epoch: u64,
    pub output: Vec<u8>,
}

impl TryFrom<&MsgSubmitRandomness> for SubmitRandomness {
    type Error = HandlerError;
    fn try_from(msg: &MsgSubmitRandomness) -> Result<Self, HandlerError> {
        Ok(Self {
            operator: msg.operator.parse()?,
            epoch: msg.epoch,
            output: msg.output.clone(),
        })
    }
}

#[async_trait]
impl MsgHandler for SubmitRandomness {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.operator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.output.len() != bls::SIGNATURE_BYTES {
            return Err(DaError::InvalidRandomness(format!(
                "output has {} bytes, want {}",
                self.output.len(),
                bls::SIGNATURE_BYTES
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
        let op = state
            .da_operator(gas, &self.operator)
            .await?
            .filter(|op| !op.jailed)
            .ok_or_else(|| DaError::NotAnOperator(self.operator.to_string()))?;
        let epoch = state.current_epoch(gas, ctx.height).await?;
        if self.epoch != epoch {
            return Err(DaError::InvalidRandomness(format!(
                "output is for epoch {}, the current epoch is {epoch}",
                self.epoch
            ))
            .into());
        }
        // Only the epoch's quorum members contribute: an operator registered during the
        // epoch (or left out of its quorum) could otherwise add an output chosen after
        // seeing the others', for the price of a registration.
        let operator = self.operator.to_string();
        let in_quorum = state
            .quorum(gas, epoch)
            .await?
            .is_some_and(|q| q.members.iter().any(|m| m.operator == operator));
        if !in_quorum {
            return Err(DaError::NotInQuorum { operator, epoch }.into());
        }
        if state
            .randomness_output(gas, epoch, &self.operator)
            .await?
            .is_some()
        {
            return Err(DaError::InvalidRandomness(format!(
                "{} already sent its output for epoch {epoch}",
                self.operator
            ))
            .into());
        }
        let seed = match state.epoch_seed(gas, epoch).await? {
            Some(s) => s.seed,
            None => genesis_seed(),
        };
        gas.consume(gas.schedule().bls_pairing, "bls verify")?;
        let message = randomness_message(ctx.chain_id, epoch.saturating_add(1), &seed);
        bls::verify(&op.bls_public_key, &message, &self.output)
            .map_err(|_| DaError::InvalidRandomness("the output does not verify".into()))?;
        state.put_randomness_output(gas, epoch, &self.operator, self.output.clone())
    }
}
