//! `kaizen.attest.v1.MsgCommitAttestation`: a committee member seals its outcome.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Address, HandlerError, MeteredStateWrite, MsgHandler, TxCtx};
use kaizen_proto::kaizen::attest::v1::{Attestation, JobStatus, MsgCommitAttestation};

use crate::{
    error::AttestError,
    events::EventAttestationCommitted,
    lifecycle::open_reveal,
    view::{AttestRead, AttestWrite},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitAttestation {
    pub evaluator: Address,
    pub job_id: u64,
    pub commitment: Vec<u8>,
}

impl TryFrom<&MsgCommitAttestation> for CommitAttestation {
    type Error = HandlerError;
    fn try_from(msg: &MsgCommitAttestation) -> Result<Self, HandlerError> {
        Ok(Self {
            evaluator: msg.evaluator.parse()?,
            job_id: msg.job_id,
            commitment: msg.commitment.clone(),
        })
    }
}

#[async_trait]
impl MsgHandler for CommitAttestation {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.evaluator])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.commitment.len() != 32 {
            return Err(AttestError::InvalidOutcome(format!(
                "commitment must be 32 bytes, got {}",
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
        let mut job = state
            .job(ctx.gas, self.job_id)
            .await?
            .ok_or(AttestError::JobNotFound(self.job_id))?;
        let me = self.evaluator.to_string();
        if !job.committee.contains(&me) {
            return Err(AttestError::NotCommitteeMember {
                evaluator: me,
                job: job.id,
                round: job.round,
            }
            .into());
        }
        if job.status != JobStatus::Committing as i32 {
            return Err(AttestError::CommitClosed {
                job: job.id,
                why: "the commit phase of this round is over".into(),
            }
            .into());
        }
        if ctx.height > job.commit_deadline_height {
            return Err(AttestError::CommitClosed {
                job: job.id,
                why: format!("the window ended at height {}", job.commit_deadline_height),
            }
            .into());
        }
        if job
            .attestations
            .iter()
            .any(|a| a.round == job.round && a.evaluator == me)
        {
            return Err(AttestError::AlreadyCommitted(me).into());
        }
        job.attestations.push(Attestation {
            evaluator: me.clone(),
            round: job.round,
            commitment: self.commitment.clone(),
            commit_height: ctx.height,
            ..Default::default()
        });
        let committed = job
            .attestations
            .iter()
            .filter(|a| a.round == job.round)
            .count();
        state.emit(
            ctx.gas,
            &EventAttestationCommitted {
                job_id: job.id,
                evaluator: me,
            },
        )?;
        // Everyone committed: no reason to wait for the window's end.
        if committed == job.committee.len() {
            open_reveal(state, ctx.gas, &mut job, ctx.height).await?;
        }
        state.put_job(ctx.gas, &job)
    }
}
