//! `kaizen.attest.v1.Query`: evaluation jobs.

use kaizen_proto::kaizen::attest::v1::{query_server::Query, *};
use tonic::{Request, Response, Status};

use super::{status, GrpcContext};

pub struct AttestQuery(pub GrpcContext);

#[tonic::async_trait]
impl Query for AttestQuery {
    async fn job(
        &self,
        req: Request<QueryJobRequest>,
    ) -> Result<Response<QueryJobResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_attest::query::job(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn assigned_jobs(
        &self,
        req: Request<QueryAssignedJobsRequest>,
    ) -> Result<Response<QueryAssignedJobsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_attest::query::assigned_jobs(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn params(
        &self,
        req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_attest::query::params(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }
}
