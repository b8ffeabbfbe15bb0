//! `kaizen.bounty.v1.MsgRevealSubmission`: open a commitment; the submission's
//! evaluation job starts, paid by its submission fee.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_attest::NewJob;
use kaizen_framework::{parse_amount, Address, HandlerError, MeteredStateWrite, MsgHandler, TxCtx};
use kaizen_proto::kaizen::{
    attest::v1::{Artifacts, JobKind},
    bounty::v1::{BountyStatus, MsgRevealSubmission, SubmissionStatus},
};

use crate::{
    bounty_escrow,
    error::BountyError,
    events::EventSubmissionRevealed,
    state_key, submission_commitment,
    view::{BountyRead, BountyWrite},
    MAX_SALT_BYTES, MIN_SALT_BYTES,
};

#[derive(Debug, Clone, PartialEq)]
pub struct RevealSubmission {
    pub submitter: Address,
    pub msg: MsgRevealSubmission,
}

impl TryFrom<&MsgRevealSubmission> for RevealSubmission {
    type Error = HandlerError;
    fn try_from(msg: &MsgRevealSubmission) -> Result<Self, HandlerError> {
        Ok(Self {
            submitter: msg.submitter.parse()?,
            msg: msg.clone(),
        })
    }
}

#[async_trait]
impl MsgHandler for RevealSubmission {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.submitter])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        let m = &self.msg;
        if !(MIN_SALT_BYTES..=MAX_SALT_BYTES).contains(&m.salt.len()) {
            return Err(BountyError::InvalidSalt {
                got: m.salt.len(),
                min: MIN_SALT_BYTES,
                max: MAX_SALT_BYTES,
            }
            .into());
        }
        let full = !m.model.is_empty();
        let patch = m.parent_model_id != 0 || !m.patch.is_empty();
        match (full, patch) {
            (true, false) if m.model.len() == 32 => Ok(()),
            (false, true) if m.parent_model_id != 0 && m.patch.len() == 32 => Ok(()),
            _ => Err(BountyError::InvalidModelRef(
                "give either a 32-byte model blob, or a parent model id and a 32-byte patch blob"
                    .into(),
            )
            .into()),
        }
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let m = &self.msg;
        let mut sub = state
            .submission(ctx.gas, m.submission_id)
            .await?
            .ok_or(BountyError::SubmissionNotFound(m.submission_id))?;
        if sub.submitter != self.submitter.to_string() {
            return Err(BountyError::NotSubmitter {
                id: sub.id,
                submitter: sub.submitter,
            }
            .into());
        }
        if sub.status == SubmissionStatus::Expired as i32 || ctx.height > sub.reveal_deadline_height
        {
            return Err(BountyError::RevealWindowOver {
                id: sub.id,
                until: sub.reveal_deadline_height,
            }
            .into());
        }
        if sub.status != SubmissionStatus::Committed as i32 {
            return Err(BountyError::AlreadyRevealed(sub.id).into());
        }
        let bounty = state
            .bounty(ctx.gas, sub.bounty_id)
            .await?
            .ok_or(BountyError::BountyNotFound(sub.bounty_id))?;
        if bounty.status != BountyStatus::Open as i32 {
            return Err(BountyError::NotOpen {
                id: bounty.id,
                why: "it is closed".into(),
            }
            .into());
        }
        let expected = submission_commitment(
            bounty.id,
            &sub.submitter,
            &m.model,
            m.parent_model_id,
            &m.patch,
            &m.salt,
        );
        if sub.commitment != expected {
            return Err(BountyError::CommitmentMismatch.into());
        }
        let mut artifacts = Artifacts {
            model: m.model.clone(),
            patch: m.patch.clone(),
            test_set: bounty.test_set.clone(),
            metric: bounty.metric.clone(),
            wasm_metric: bounty.wasm_metric.clone(),
            ..Default::default()
        };
        // The bounty's own artifacts must still be there for this job's whole span too
        // (parameters may have changed since the bounty was created).
        let until = ctx
            .height
            .saturating_add(state.evaluation_span(ctx.gas).await?);
        state
            .require_available(ctx.gas, &bounty.test_set, until)
            .await?;
        if !bounty.wasm_metric.is_empty() {
            state
                .require_available(ctx.gas, &bounty.wasm_metric, until)
                .await?;
        }
        if m.parent_model_id != 0 {
            let parent = state
                .model(ctx.gas, m.parent_model_id)
                .await?
                .ok_or(BountyError::ModelNotFound(m.parent_model_id))?;
            if parent.blob.is_empty() {
                return Err(BountyError::InvalidModelRef(format!(
                    "model {} is itself a patch; patch a model stored whole",
                    parent.id
                ))
                .into());
            }
            state
                .require_available(ctx.gas, &parent.blob, until)
                .await?;
            artifacts.parent_model = parent.blob;
            state.require_available(ctx.gas, &m.patch, until).await?;
        } else {
            state.require_available(ctx.gas, &m.model, until).await?;
        }
        let job = kaizen_attest::lifecycle::create_job(
            state,
            ctx.gas,
            NewJob {
                kind: JobKind::Submission,
                bounty_id: bounty.id,
                submission_id: sub.id,
                artifacts,
                committee_size: bounty.committee_size,
                quorum: bounty.quorum,
                fee: parse_amount(&bounty.submission_fee)?,
                payer: bounty_escrow(),
                refund_to: self.submitter,
                // The submitter wants a pass; the sponsor may want its reward back.
                interested: vec![self.submitter, bounty.sponsor.parse()?],
            },
            ctx.height,
        )
        .await?;
        sub.status = SubmissionStatus::Evaluating as i32;
        sub.reveal_height = ctx.height;
        sub.model = m.model.clone();
        sub.parent_model_id = m.parent_model_id;
        sub.patch = m.patch.clone();
        sub.job_id = job.id;
        state.put_submission(ctx.gas, &sub)?;
        // Revealed: its reveal window's end has nothing left to do.
        state.delete_metered(
            ctx.gas,
            state_key::reveal_expiry(sub.reveal_deadline_height, sub.id),
        )?;
        state.emit(
            ctx.gas,
            &EventSubmissionRevealed {
                bounty_id: bounty.id,
                submission_id: sub.id,
                job_id: job.id,
            },
        )
    }
}
