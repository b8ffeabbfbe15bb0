//! Queries of `da` (`kaizen.da.v1.Query`).

use cnidarium::StateRead;
use kaizen_framework::{Address, GasMeter, HandlerError, TxError};
use kaizen_proto::kaizen::da::v1::{
    QueryBlobRequest, QueryBlobResponse, QueryChallengeRequest, QueryChallengeResponse,
    QueryChallengesRequest, QueryChallengesResponse, QueryParamsResponse, QueryQuorumRequest,
    QueryQuorumResponse,
};

use crate::view::DaRead;

/// Most open challenges one answer lists.
pub const MAX_CHALLENGES_PER_QUERY: usize = 256;

fn not_found(what: String) -> HandlerError {
    TxError::NotFound(what).into()
}

pub async fn blob<S: StateRead>(
    state: &S,
    req: &QueryBlobRequest,
) -> Result<QueryBlobResponse, HandlerError> {
    if req.commitment.len() != 32 {
        return Err(TxError::InvalidRequest("commitment must be 32 bytes".into()).into());
    }
    let blob = state
        .blob(&GasMeter::unlimited(), &req.commitment)
        .await?
        .ok_or_else(|| not_found(format!("blob {}", hex::encode(&req.commitment))))?;
    Ok(QueryBlobResponse { blob: Some(blob) })
}

/// The quorum of `req.epoch`, or of the epoch of the latest block (`height`) when
/// `req.current` is set.
pub async fn quorum<S: StateRead>(
    state: &S,
    req: &QueryQuorumRequest,
    height: u64,
) -> Result<QueryQuorumResponse, HandlerError> {
    let gas = GasMeter::unlimited();
    let epoch = if req.current {
        state.current_epoch(&gas, height).await?
    } else {
        req.epoch
    };
    let quorum = state
        .quorum(&gas, epoch)
        .await?
        .ok_or_else(|| not_found(format!("quorum of epoch {epoch}")))?;
    Ok(QueryQuorumResponse {
        quorum: Some(quorum),
    })
}

pub async fn challenges<S: StateRead>(
    state: &S,
    req: &QueryChallengesRequest,
) -> Result<QueryChallengesResponse, HandlerError> {
    let operator: Address = req.operator.parse()?;
    Ok(QueryChallengesResponse {
        challenges: state
            .open_challenges(&operator, MAX_CHALLENGES_PER_QUERY)
            .await?,
    })
}

pub async fn challenge<S: StateRead>(
    state: &S,
    req: &QueryChallengeRequest,
) -> Result<QueryChallengeResponse, HandlerError> {
    let c = state
        .challenge(&GasMeter::unlimited(), req.id)
        .await?
        .ok_or_else(|| not_found(format!("challenge {}", req.id)))?;
    Ok(QueryChallengeResponse { challenge: Some(c) })
}

pub async fn params<S: StateRead>(state: &S) -> Result<QueryParamsResponse, HandlerError> {
    Ok(QueryParamsResponse {
        params: Some(state.da_params(&GasMeter::unlimited()).await?),
    })
}
