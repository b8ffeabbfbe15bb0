//! `kaizen.bounty.v1.Query`: bounties, submissions and the model registry.

use kaizen_proto::kaizen::bounty::v1::{query_server::Query, *};
use tonic::{Request, Response, Status};

use super::{status, GrpcContext};

pub struct BountyQuery(pub GrpcContext);

#[tonic::async_trait]
impl Query for BountyQuery {
    async fn bounty(
        &self,
        req: Request<QueryBountyRequest>,
    ) -> Result<Response<QueryBountyResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::bounty(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn bounties(
        &self,
        req: Request<QueryBountiesRequest>,
    ) -> Result<Response<QueryBountiesResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::bounties(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn submission(
        &self,
        req: Request<QuerySubmissionRequest>,
    ) -> Result<Response<QuerySubmissionResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::submission(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn submissions(
        &self,
        req: Request<QuerySubmissionsRequest>,
    ) -> Result<Response<QuerySubmissionsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::submissions(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn leaderboard(
        &self,
        req: Request<QueryLeaderboardRequest>,
    ) -> Result<Response<QueryLeaderboardResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::leaderboard(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn model(
        &self,
        req: Request<QueryModelRequest>,
    ) -> Result<Response<QueryModelResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::model(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn params(
        &self,
        req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bounty::query::params(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }
}
