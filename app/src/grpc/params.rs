//! `cosmos.params.v1beta1.Query`: the one parameter Cosmos clients read through it, the
//! block's limits (`baseapp` / `BlockParams`), which cosmpy uses to cap its gas estimate.
//! Kaizen's own parameters are served by each module's `Params` query.

use cosmrs::proto::cosmos::params::v1beta1::{
    query_server::Query, ParamChange, QueryParamsRequest, QueryParamsResponse,
    QuerySubspacesRequest, QuerySubspacesResponse, Subspace,
};
use tendermint_rpc::Client;
use tonic::{Request, Response, Status};

use super::{rpc_status, GrpcContext};

pub struct ParamsQuery(pub GrpcContext);

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
        let block = self
            .0
            .cometbft
            .latest_consensus_params()
            .await
            .map_err(rpc_status)?
            .consensus_params
            .block;
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
