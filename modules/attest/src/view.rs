//! The `attest` module's state API.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use kaizen_framework::{GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite};
use kaizen_proto::kaizen::attest::v1::{EvaluationJob, Params};

use crate::state_key;

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

    /// The next job id (ids start at 1).
    async fn take_job_id(&mut self, gas: &GasMeter) -> Result<u64, HandlerError> {
        let next = self
            .get_raw_metered(gas, state_key::next_job_id())
            .await?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map_or(1, u64::from_be_bytes);
        self.put_raw_metered(
            gas,
            state_key::next_job_id().into(),
            next.saturating_add(1).to_be_bytes().to_vec(),
        )?;
        Ok(next)
    }
}

impl<S: StateWrite + ?Sized> AttestWrite for S {}
