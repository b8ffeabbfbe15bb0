//! Queries of `staking` (`kaizen.staking.v1.Query`).

use cnidarium::StateRead;
use kaizen_framework::{Address, GasMeter, HandlerError, TxError};
use kaizen_proto::kaizen::staking::v1::{
    QueryDaOperatorRequest, QueryDaOperatorResponse, QueryDaOperatorsRequest,
    QueryDaOperatorsResponse, QueryEpochResponse, QueryEvaluatorRequest, QueryEvaluatorResponse,
    QueryEvaluatorsRequest, QueryEvaluatorsResponse, QueryParamsRequest, QueryParamsResponse,
};

use crate::view::{epoch_of, StakingRead};

pub async fn da_operator<S: StateRead>(
    state: &S,
    req: &QueryDaOperatorRequest,
) -> Result<QueryDaOperatorResponse, HandlerError> {
    let address: Address = req.address.parse()?;
    let op = state
        .da_operator(&GasMeter::unlimited(), &address)
        .await?
        .ok_or_else(|| TxError::NotFound(format!("{address} is not a DA operator")))?;
    Ok(QueryDaOperatorResponse { operator: Some(op) })
}

pub async fn da_operators<S: StateRead>(
    state: &S,
    _req: &QueryDaOperatorsRequest,
) -> Result<QueryDaOperatorsResponse, HandlerError> {
    Ok(QueryDaOperatorsResponse {
        operators: state.all_da_operators().await?,
    })
}

/// The epoch of the block at `height` (the state's latest committed height).
pub async fn epoch<S: StateRead>(
    state: &S,
    height: u64,
) -> Result<QueryEpochResponse, HandlerError> {
    let params = state.staking_params(&GasMeter::unlimited()).await?;
    let epoch = epoch_of(height, params.epoch_blocks);
    Ok(QueryEpochResponse {
        epoch,
        height,
        epoch_blocks: params.epoch_blocks,
        next_epoch_height: epoch.saturating_add(1).saturating_mul(params.epoch_blocks),
    })
}

pub async fn params<S: StateRead>(
    state: &S,
    _req: &QueryParamsRequest,
) -> Result<QueryParamsResponse, HandlerError> {
    Ok(QueryParamsResponse {
        params: Some(state.staking_params(&GasMeter::unlimited()).await?),
    })
}

pub async fn evaluator<S: StateRead>(
    state: &S,
    req: &QueryEvaluatorRequest,
) -> Result<QueryEvaluatorResponse, HandlerError> {
    let address: Address = req.address.parse()?;
    let ev = state
        .evaluator(&GasMeter::unlimited(), &address)
        .await?
        .ok_or_else(|| TxError::NotFound(format!("{address} is not an evaluator")))?;
    Ok(QueryEvaluatorResponse {
        evaluator: Some(ev),
    })
}

pub async fn evaluators<S: StateRead>(
    state: &S,
    _req: &QueryEvaluatorsRequest,
) -> Result<QueryEvaluatorsResponse, HandlerError> {
    Ok(QueryEvaluatorsResponse {
        evaluators: state.all_evaluators().await?,
    })
}
