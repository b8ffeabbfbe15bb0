//! `kaizen.attest.v1.MsgRevealAttestation`: a member opens its commitment. The reveal
//! that completes a quorum makes the job final in the same transaction.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Address, HandlerError, MeteredStateWrite, MsgHandler, TxCtx};
use kaizen_proto::kaizen::attest::v1::{JobStatus, MsgRevealAttestation, Outcome};
use kaizen_staking::StakingWrite;

use crate::{
    attestation_commitment,
    error::AttestError,
    events::EventAttestationRevealed,
    lifecycle::{is_final, try_finalize},
    view::{AttestRead, AttestWrite},
    MAX_SALT_BYTES, MIN_SALT_BYTES,
};

#[derive(Debug, Clone, PartialEq)]
pub struct RevealAttestation {
    pub evaluator: Address,
    pub job_id: u64,
    pub outcome: Outcome,
    pub salt: Vec<u8>,
}

impl TryFrom<&MsgRevealAttestation> for RevealAttestation {
    type Error = HandlerError;
    fn try_from(msg: &MsgRevealAttestation) -> Result<Self, HandlerError> {
        Ok(Self {
            evaluator: msg.evaluator.parse()?,
            job_id: msg.job_id,
            outcome: Outcome {
                score_ppm: msg.score_ppm,
                predictions_digest: msg.predictions_digest.clone(),
                failure_code: msg.failure_code,
            },
            salt: msg.salt.clone(),
        })
    }
}

/// An outcome is a score with a 32-byte digest, or a failure code with nothing else.
pub fn check_outcome(o: &Outcome) -> Result<(), AttestError> {
    if o.failure_code == 0 {
        if o.predictions_digest.len() != 32 {
            return Err(AttestError::InvalidOutcome(format!(
                "a score needs a 32-byte predictions digest, got {} bytes",
                o.predictions_digest.len()
            )));
        }
    } else if o.score_ppm != 0 || !o.predictions_digest.is_empty() {
        return Err(AttestError::InvalidOutcome(
            "a failed evaluation carries no score and no digest".into(),
        ));
    }
    Ok(())
}

#[async_trait]
impl MsgHandler for RevealAttestation {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.evaluator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if !(MIN_SALT_BYTES..=MAX_SALT_BYTES).contains(&self.salt.len()) {
            return Err(AttestError::InvalidSalt {
                got: self.salt.len(),
                min: MIN_SALT_BYTES,
                max: MAX_SALT_BYTES,
            }
            .into());
        }
        check_outcome(&self.outcome)?;
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let mut job = state
            .job(ctx.gas, self.job_id)
            .await?
            .ok_or(AttestError::JobNotFound(self.job_id))?;
        let me = self.evaluator.to_string();
        let round = job.round;
        let Some(pos) = job
            .attestations
            .iter()
            .position(|a| a.round == round && a.evaluator == me)
        else {
            return Err(AttestError::NoCommitment(me).into());
        };
        if job.attestations[pos].revealed {
            return Err(AttestError::AlreadyRevealed(me).into());
        }
        if job.status == JobStatus::Committing as i32 {
            return Err(AttestError::RevealNotOpen {
                job: job.id,
                why: format!(
                    "commitments are open until height {}",
                    job.commit_deadline_height
                ),
            }
            .into());
        }
        if job.status == JobStatus::NoQuorum as i32 || ctx.height > job.reveal_deadline_height {
            return Err(AttestError::RevealNotOpen {
                job: job.id,
                why: format!(
                    "the reveal window ended at height {}",
                    job.reveal_deadline_height
                ),
            }
            .into());
        }
        let expected = attestation_commitment(
            job.id,
            round,
            &me,
            self.outcome.score_ppm,
            &self.outcome.predictions_digest,
            self.outcome.failure_code,
            &self.salt,
        );
        if job.attestations[pos].commitment != expected {
            return Err(AttestError::CommitmentMismatch.into());
        }
        let a = &mut job.attestations[pos];
        a.revealed = true;
        a.outcome = Some(self.outcome.clone());
        a.reveal_height = ctx.height;
        state.emit(
            ctx.gas,
            &EventAttestationRevealed {
                job_id: job.id,
                evaluator: me.clone(),
                score_ppm: self.outcome.score_ppm,
                failure_code: self.outcome.failure_code,
            },
        )?;
        if is_final(&job) {
            // A late reveal after the verdict: not paid, slashed if it disagrees.
            state.unassign(ctx.gas, &self.evaluator, job.id).await?;
            let verdict = job.outcome.clone().unwrap_or_default();
            if verdict != self.outcome
                && crate::lifecycle::slashable_against(Some(&self.outcome), &verdict)
            {
                let params = state.attest_params(ctx.gas).await?;
                state
                    .slash_evaluator(
                        ctx.gas,
                        &self.evaluator,
                        params.slash_ppm,
                        params.jail_blocks,
                        ctx.height,
                        "minority result",
                        job.id,
                    )
                    .await?;
            }
        } else {
            try_finalize(state, ctx.gas, &mut job, ctx.height).await?;
        }
        state.put_job(ctx.gas, &job)
    }
}
