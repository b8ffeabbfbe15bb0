//! The consensus parameters, as Cosmos clients read them: `cosmos.consensus.v1.Query`
//! (SDK 0.47 and later) and, for older clients, `cosmos.params.v1beta1.Query`'s one
//! parameter they read, the block's limits (`baseapp` / `BlockParams`). cosmpy reads
//! either to cap its gas estimate. Kaizen's own parameters are served by each module's
//! `Params` query.

use cosmrs::proto::cosmos::params::v1beta1::{
    query_server::Query, ParamChange, QueryParamsRequest, QueryParamsResponse,
    QuerySubspacesRequest, QuerySubspacesResponse, Subspace,
};
use kaizen_proto::cosmos::consensus::v1 as consensus;
use tendermint_rpc::Client;
use tonic::{Request, Response, Status};

use super::{rpc_status, GrpcContext};

pub struct ParamsQuery(pub GrpcContext);
pub struct ConsensusQuery(pub GrpcContext);

/// The consensus parameters of the newest block CometBFT has stored. Asked for "the
/// latest" without a height, CometBFT reads the parameters of the height after its newest
/// block, which it saves only after that block is applied, so a query racing a commit
/// fails ("could not find consensus params"); the newest stored block's own are always
/// there.
async fn committed_params(ctx: &GrpcContext) -> Result<tendermint::consensus::Params, Status> {
    let height = ctx
        .cometbft
        .status()
        .await
        .map_err(rpc_status)?
        .sync_info
        .latest_block_height;
    if height.value() == 0 {
        return Err(Status::unavailable(
            "the chain has no block yet: consensus parameters are known from height 1",
        ));
    }
    Ok(ctx
        .cometbft
        .consensus_params(height)
        .await
        .map_err(rpc_status)?
        .consensus_params)
}

#[tonic::async_trait]
impl consensus::query_server::Query for ConsensusQuery {
    async fn params(
        &self,
        _req: Request<consensus::QueryParamsRequest>,
    ) -> Result<Response<consensus::QueryParamsResponse>, Status> {
        let params = committed_params(&self.0).await?;
        Ok(Response::new(consensus::QueryParamsResponse {
            params: Some(params.into()),
        }))
    }
}

const BASEAPP: &str = "baseapp";
const BLOCK_PARAMS: &str = "BlockParams";

#[tonic::async_trait]
impl Query for ParamsQuery {
    async fn params(
        &self,
        req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        let req = req.into_inner();
        if (req.subspace.as_str(), req.key.as_str()) != (BASEAPP, BLOCK_PARAMS) {
            return Err(Status::not_found(format!(
                "parameter {}/{} not found: only {BASEAPP}/{BLOCK_PARAMS} is kept here; \
                 Kaizen's own parameters are in each module's Params query",
                req.subspace, req.key
            )));
        }
        let block = committed_params(&self.0).await?.block;
        // The JSON the SDK's `baseapp` subspace holds (integers as strings, as amino
        // JSON writes them).
        let value = serde_json::json!({
            "max_bytes": block.max_bytes.to_string(),
            "max_gas": block.max_gas.to_string(),
        })
        .to_string();
        Ok(Response::new(QueryParamsResponse {
            param: Some(ParamChange {
                subspace: BASEAPP.into(),
                key: BLOCK_PARAMS.into(),
                value,
            }),
        }))
    }

    async fn subspaces(
        &self,
        _req: Request<QuerySubspacesRequest>,
    ) -> Result<Response<QuerySubspacesResponse>, Status> {
        Ok(Response::new(QuerySubspacesResponse {
            subspaces: vec![Subspace {
                subspace: BASEAPP.into(),
                keys: vec![BLOCK_PARAMS.into()],
            }],
        }))
    }
}
