//! Queries of `attest` (`kaizen.attest.v1.Query`).

use cnidarium::StateRead;
use futures::StreamExt;
use kaizen_framework::{Address, GasMeter, HandlerError, TxError};
use kaizen_proto::kaizen::attest::v1::{
    QueryAssignedJobsRequest, QueryAssignedJobsResponse, QueryJobRequest, QueryJobResponse,
    QueryParamsRequest, QueryParamsResponse,
};

use crate::{state_key, view::AttestRead};

/// Most jobs one `AssignedJobs` page lists.
pub const MAX_ASSIGNED_JOBS: usize = 100;

pub async fn job<S: StateRead>(
    state: &S,
    req: &QueryJobRequest,
) -> Result<QueryJobResponse, HandlerError> {
    let job = state
        .job(&GasMeter::unlimited(), req.id)
        .await?
        .ok_or_else(|| TxError::NotFound(format!("evaluation job {} does not exist", req.id)))?;
    Ok(QueryJobResponse { job: Some(job) })
}

pub async fn assigned_jobs<S: StateRead>(
    state: &S,
    req: &QueryAssignedJobsRequest,
) -> Result<QueryAssignedJobsResponse, HandlerError> {
    let evaluator: Address = req.evaluator.parse()?;
    let limit = match req.limit {
        0 => MAX_ASSIGNED_JOBS,
        n => (n as usize).min(MAX_ASSIGNED_JOBS),
    };
    let gas = GasMeter::unlimited();
    let prefix = state_key::assigned_to(&evaluator);
    // Keys sort by job id; a range starting right after `start_after`.
    let from = state_key::assigned(&evaluator, req.start_after.saturating_add(1));
    let mut ids = Vec::new();
    let mut more = false;
    {
        let mut stream = Box::pin(state.prefix_keys(&prefix));
        while let Some(key) = stream.next().await {
            let key = key.map_err(HandlerError::internal)?;
            if req.start_after > 0 && key < from {
                continue;
            }
            if ids.len() >= limit {
                more = true;
                break;
            }
            if let Some((_, id)) = state_key::parse_assigned(&key) {
                ids.push(id);
            }
        }
    }
    let mut jobs = Vec::new();
    for id in &ids {
        if let Some(job) = state.job(&gas, *id).await? {
            jobs.push(job);
        }
    }
    let next_start_after = if more {
        ids.last().copied().unwrap_or_default()
    } else {
        0
    };
    Ok(QueryAssignedJobsResponse {
        jobs,
        next_start_after,
    })
}

pub async fn params<S: StateRead>(
    state: &S,
    _req: &QueryParamsRequest,
) -> Result<QueryParamsResponse, HandlerError> {
    Ok(QueryParamsResponse {
        params: Some(state.attest_params(&GasMeter::unlimited()).await?),
    })
}
