//! Queries of `bounty` (`kaizen.bounty.v1.Query`).

use cnidarium::StateRead;
use futures::StreamExt;
use kaizen_framework::{GasMeter, HandlerError, TxError};
use kaizen_proto::kaizen::bounty::v1::{
    QueryBountiesRequest, QueryBountiesResponse, QueryBountyRequest, QueryBountyResponse,
    QueryLeaderboardRequest, QueryLeaderboardResponse, QueryModelRequest, QueryModelResponse,
    QueryParamsRequest, QueryParamsResponse, QuerySubmissionRequest, QuerySubmissionResponse,
    QuerySubmissionsRequest, QuerySubmissionsResponse,
};

use crate::{state_key, view::BountyRead};

/// Most entries one `Bounties`, `Submissions` or `Leaderboard` answer lists.
pub const MAX_PAGE: u32 = 100;

fn not_found(what: String) -> HandlerError {
    TxError::NotFound(what).into()
}

pub async fn bounty<S: StateRead>(
    state: &S,
    req: &QueryBountyRequest,
) -> Result<QueryBountyResponse, HandlerError> {
    let b = state
        .bounty(&GasMeter::unlimited(), req.id)
        .await?
        .ok_or_else(|| not_found(format!("bounty {} does not exist", req.id)))?;
    Ok(QueryBountyResponse { bounty: Some(b) })
}

pub async fn bounties<S: StateRead>(
    state: &S,
    req: &QueryBountiesRequest,
) -> Result<QueryBountiesResponse, HandlerError> {
    let limit = page_size(req.limit);
    let gas = GasMeter::unlimited();
    let mut ids = Vec::new();
    {
        let mut stream = Box::pin(state.prefix_keys(state_key::bounties()));
        while let Some(key) = stream.next().await {
            let key = key.map_err(HandlerError::internal)?;
            match state_key::trailing_id(&key) {
                Some(id) if id > req.start_after => ids.push(id),
                _ => continue,
            }
            if ids.len() >= limit {
                break;
            }
        }
    }
    let mut bounties = Vec::new();
    for id in ids {
        if let Some(b) = state.bounty(&gas, id).await? {
            bounties.push(b);
        }
    }
    Ok(QueryBountiesResponse { bounties })
}

pub async fn submission<S: StateRead>(
    state: &S,
    req: &QuerySubmissionRequest,
) -> Result<QuerySubmissionResponse, HandlerError> {
    let s = state
        .submission(&GasMeter::unlimited(), req.id)
        .await?
        .ok_or_else(|| not_found(format!("submission {} does not exist", req.id)))?;
    Ok(QuerySubmissionResponse {
        submission: Some(s),
    })
}

fn page_size(limit: u32) -> usize {
    if limit == 0 {
        MAX_PAGE as usize
    } else {
        limit.min(MAX_PAGE) as usize
    }
}

pub async fn submissions<S: StateRead>(
    state: &S,
    req: &QuerySubmissionsRequest,
) -> Result<QuerySubmissionsResponse, HandlerError> {
    let gas = GasMeter::unlimited();
    state
        .bounty(&gas, req.bounty_id)
        .await?
        .ok_or_else(|| not_found(format!("bounty {} does not exist", req.bounty_id)))?;
    let limit = page_size(req.limit);
    // One more than the page tells whether another page follows.
    let mut submissions = state
        .submissions_of(&gas, req.bounty_id, req.start_after, limit + 1)
        .await?;
    let next_start_after = if submissions.len() > limit {
        submissions.truncate(limit);
        submissions.last().map_or(0, |s| s.id)
    } else {
        0
    };
    Ok(QuerySubmissionsResponse {
        submissions,
        next_start_after,
    })
}

/// The best scored submissions of a bounty (the winner among them), read from its
/// ranked index: best score first, ties by the earlier commit.
pub async fn leaderboard<S: StateRead>(
    state: &S,
    req: &QueryLeaderboardRequest,
) -> Result<QueryLeaderboardResponse, HandlerError> {
    let gas = GasMeter::unlimited();
    state
        .bounty(&gas, req.bounty_id)
        .await?
        .ok_or_else(|| not_found(format!("bounty {} does not exist", req.bounty_id)))?;
    let submissions = state
        .indexed_submissions(
            &gas,
            &state_key::ranking(req.bounty_id),
            0,
            page_size(req.limit),
        )
        .await?;
    Ok(QueryLeaderboardResponse { submissions })
}

pub async fn model<S: StateRead>(
    state: &S,
    req: &QueryModelRequest,
) -> Result<QueryModelResponse, HandlerError> {
    let m = state
        .model(&GasMeter::unlimited(), req.id)
        .await?
        .ok_or_else(|| not_found(format!("model {} does not exist", req.id)))?;
    Ok(QueryModelResponse { model: Some(m) })
}

pub async fn params<S: StateRead>(
    state: &S,
    _req: &QueryParamsRequest,
) -> Result<QueryParamsResponse, HandlerError> {
    Ok(QueryParamsResponse {
        params: Some(state.bounty_params(&GasMeter::unlimited()).await?),
    })
}
