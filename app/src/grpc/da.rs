//! `kaizen.da.v1.Query`: blobs, quorums, storage challenges.

use kaizen_proto::kaizen::da::v1::{query_server::Query, *};
use tonic::{Request, Response, Status};

use super::{status, GrpcContext};

pub struct DaQuery(pub GrpcContext);

#[tonic::async_trait]
impl Query for DaQuery {
    async fn blob(
        &self,
        req: Request<QueryBlobRequest>,
    ) -> Result<Response<QueryBlobResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_da_module::query::blob(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn quorum(
        &self,
        req: Request<QueryQuorumRequest>,
    ) -> Result<Response<QueryQuorumResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_da_module::query::quorum(&snapshot, req.get_ref(), snapshot.version())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn challenges(
        &self,
        req: Request<QueryChallengesRequest>,
    ) -> Result<Response<QueryChallengesResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_da_module::query::challenges(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn challenge(
        &self,
        req: Request<QueryChallengeRequest>,
    ) -> Result<Response<QueryChallengeResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_da_module::query::challenge(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn params(
        &self,
        _req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_da_module::query::params(&snapshot)
            .await
            .map(Response::new)
            .map_err(status)
    }
}
