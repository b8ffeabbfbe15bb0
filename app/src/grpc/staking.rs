//! `kaizen.staking.v1.Query`: DA operator and evaluator registrations, and epochs.

use kaizen_proto::kaizen::staking::v1::{query_server::Query, *};
use tonic::{Request, Response, Status};

use super::{status, GrpcContext};

pub struct StakingQuery(pub GrpcContext);

#[tonic::async_trait]
impl Query for StakingQuery {
    async fn da_operator(
        &self,
        req: Request<QueryDaOperatorRequest>,
    ) -> Result<Response<QueryDaOperatorResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_staking::query::da_operator(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn da_operators(
        &self,
        req: Request<QueryDaOperatorsRequest>,
    ) -> Result<Response<QueryDaOperatorsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_staking::query::da_operators(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn epoch(
        &self,
        _req: Request<QueryEpochRequest>,
    ) -> Result<Response<QueryEpochResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_staking::query::epoch(&snapshot, snapshot.version())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn params(
        &self,
        req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_staking::query::params(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn evaluator(
        &self,
        req: Request<QueryEvaluatorRequest>,
    ) -> Result<Response<QueryEvaluatorResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_staking::query::evaluator(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn evaluators(
        &self,
        req: Request<QueryEvaluatorsRequest>,
    ) -> Result<Response<QueryEvaluatorsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_staking::query::evaluators(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }
}
