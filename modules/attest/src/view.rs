//! The `attest` module's state API.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use kaizen_framework::{Counter, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite};
use kaizen_proto::kaizen::attest::v1::{EvaluationJob, Params};

use crate::state_key;

/// Job ids; the first job is 1, as the first bounty, submission and model.
const JOB_IDS: Counter = Counter::new(state_key::next_job_id(), 1);

#[async_trait]
pub trait AttestRead: StateRead {
    async fn attest_params(&self, gas: &GasMeter) -> Result<Params, HandlerError> {
        self.get_proto_metered(gas, state_key::params())
            .await?
            .ok_or_else(|| HandlerError::internal("attest params are missing"))
    }

    async fn job(&self, gas: &GasMeter, id: u64) -> Result<Option<EvaluationJob>, HandlerError> {
        self.get_proto_metered(gas, &state_key::job(id)).await
    }
}

impl<S: StateRead + ?Sized> AttestRead for S {}

#[async_trait]
pub trait AttestWrite: StateWrite {
    fn put_job(&mut self, gas: &GasMeter, job: &EvaluationJob) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::job(job.id), job)
    }

    /// The next job id.
    async fn take_job_id(&mut self, gas: &GasMeter) -> Result<u64, HandlerError> {
        Ok(JOB_IDS.take(self, gas).await?)
    }
}

impl<S: StateWrite + ?Sized> AttestWrite for S {}
