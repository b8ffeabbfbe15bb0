//! The `attest` module's state API.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use kaizen_framework::{
    Address, Counter, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite,
};
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

    /// How many open jobs (assignments) `evaluator` holds.
    async fn open_jobs(&self, gas: &GasMeter, evaluator: &Address) -> Result<u64, HandlerError> {
        read_u64(self, gas, &state_key::open_jobs(evaluator)).await
    }

    /// How many rounds wait for the seed of `beacon_epoch`.
    async fn beacon_load(&self, gas: &GasMeter, beacon_epoch: u64) -> Result<u64, HandlerError> {
        read_u64(self, gas, &state_key::beacon_load(beacon_epoch)).await
    }
}

async fn read_u64<S: StateRead + ?Sized>(
    state: &S,
    gas: &GasMeter,
    key: &str,
) -> Result<u64, HandlerError> {
    match state.get_raw_metered(gas, key).await? {
        None => Ok(0),
        Some(bytes) => {
            let bytes: [u8; 8] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| HandlerError::internal(format!("{key} is not 8 bytes")))?;
            Ok(u64::from_be_bytes(bytes))
        }
    }
}

/// Writes `value` at `key`, or deletes the key at 0 (so that a count leaves nothing).
fn write_u64<S: StateWrite + ?Sized>(
    state: &mut S,
    gas: &GasMeter,
    key: String,
    value: u64,
) -> Result<(), HandlerError> {
    if value == 0 {
        state.delete_metered(gas, key)
    } else {
        state.put_raw_metered(gas, key, value.to_be_bytes().to_vec())
    }
}

impl<S: StateRead + ?Sized> AttestRead for S {}

#[async_trait]
pub trait AttestWrite: StateWrite {
    fn put_job(&mut self, gas: &GasMeter, job: &EvaluationJob) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::job(job.id), job)
    }

    /// Puts job `id` on `evaluator`'s list and counts it against its open jobs.
    async fn assign(
        &mut self,
        gas: &GasMeter,
        evaluator: &Address,
        id: u64,
    ) -> Result<(), HandlerError> {
        let key = state_key::assigned(evaluator, id);
        if self.get_raw_metered(gas, &key).await?.is_some() {
            return Ok(());
        }
        self.put_raw_metered(gas, key, vec![1])?;
        let open = self.open_jobs(gas, evaluator).await?;
        write_u64(
            self,
            gas,
            state_key::open_jobs(evaluator),
            open.saturating_add(1),
        )
    }

    /// Takes job `id` off `evaluator`'s list (nothing if it is not there).
    async fn unassign(
        &mut self,
        gas: &GasMeter,
        evaluator: &Address,
        id: u64,
    ) -> Result<(), HandlerError> {
        let key = state_key::assigned(evaluator, id);
        if self.get_raw_metered(gas, &key).await?.is_none() {
            return Ok(());
        }
        self.delete_metered(gas, key)?;
        let open = self.open_jobs(gas, evaluator).await?;
        write_u64(
            self,
            gas,
            state_key::open_jobs(evaluator),
            open.saturating_sub(1),
        )
    }

    /// Adds `delta` (+1 or -1) to the rounds waiting for `beacon_epoch`.
    async fn add_beacon_load(
        &mut self,
        gas: &GasMeter,
        beacon_epoch: u64,
        delta: i64,
    ) -> Result<(), HandlerError> {
        let load = self.beacon_load(gas, beacon_epoch).await?;
        let load = if delta >= 0 {
            load.saturating_add(delta.unsigned_abs())
        } else {
            load.saturating_sub(delta.unsigned_abs())
        };
        write_u64(self, gas, state_key::beacon_load(beacon_epoch), load)
    }

    /// The next job id.
    async fn take_job_id(&mut self, gas: &GasMeter) -> Result<u64, HandlerError> {
        Ok(JOB_IDS.take(self, gas).await?)
    }
}

impl<S: StateWrite + ?Sized> AttestWrite for S {}
