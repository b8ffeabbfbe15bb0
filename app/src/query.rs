//! Queries, each registered once: the table in [`kaizen_queries!`] gives a query's gRPC
//! path, its request and response types and the module function that answers it; from
//! it come the ABCI `Query` routes and the tonic services (`crate::grpc`), which answer
//! from the snapshot at the requested height (ABCI) or the latest one (gRPC). The Cosmos
//! SDK's own services (`cosmos.auth`, `cosmos.bank`, ...) have hand-written adapters in
//! `crate::grpc`, since they serve only part of the SDK's methods.

use cnidarium::{Snapshot, Storage};
use kaizen_framework::{HandlerError, TxError};
use kaizen_proto::kaizen::{
    attest::v1 as attest, bank::v1 as bank, bounty::v1 as bounty, da::v1 as da,
    staking::v1 as staking,
};
use prost::Message;
use tendermint_proto::v0_38::abci::{RequestQuery, ResponseQuery};

use crate::grpc::GrpcContext;

/// Largest query body accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

fn decode<T: Message + Default>(data: &[u8]) -> Result<T, HandlerError> {
    T::decode(data).map_err(|e| TxError::TxDecode(format!("query body: {e}")).into())
}

/// Declares every Kaizen query service: for each, the tonic server it implements, the
/// struct that serves it over gRPC, and one line per method:
/// `method "Path" (Request) -> Response = function;` where `function(&Snapshot, &Request)`
/// answers. A method of the `.proto` service missing here fails to compile.
macro_rules! kaizen_queries {
    ($(
        $server:ident serves $($proto:ident)::+ {
            $( $method:ident $path:literal ($req:ty) -> $resp:ty = $func:path; )*
        }
    )*) => {
        $(
            /// Serves this service over gRPC from the latest committed snapshot.
            pub struct $server(pub GrpcContext);

            #[tonic::async_trait]
            impl $($proto)::+::query_server::Query for $server {
                $(
                    async fn $method(
                        &self,
                        req: tonic::Request<$req>,
                    ) -> Result<tonic::Response<$resp>, tonic::Status> {
                        let snapshot = self.0.storage.latest_snapshot();
                        $func(&snapshot, req.get_ref())
                            .await
                            .map(tonic::Response::new)
                            .map_err(crate::grpc::status)
                    }
                )*
            }
        )*

        /// Every Kaizen query's ABCI path with the method that answers it (checked
        /// against the proto descriptors in a test).
        #[cfg(test)]
        const KAIZEN_QUERY_PATHS: &[(&str, &str)] = &[$($(($path, stringify!($method)),)*)*];

        /// The ABCI route of a Kaizen query path, or `None` if it is not one.
        async fn route_kaizen(
            snapshot: &Snapshot,
            path: &str,
            data: &[u8],
        ) -> Option<Result<Vec<u8>, HandlerError>> {
            Some(match path {
                $($(
                    $path => match decode::<$req>(data) {
                        Ok(req) => $func(snapshot, &req).await.map(|r: $resp| r.encode_to_vec()),
                        Err(e) => Err(e),
                    },
                )*)*
                _ => return None,
            })
        }
    };
}

kaizen_queries! {
    KaizenBankQuery serves bank {
        supply "/kaizen.bank.v1.Query/Supply" (bank::QuerySupplyRequest) -> bank::QuerySupplyResponse = kaizen_bank::query::supply;
    }
    StakingQuery serves staking {
        da_operator "/kaizen.staking.v1.Query/DaOperator" (staking::QueryDaOperatorRequest) -> staking::QueryDaOperatorResponse = kaizen_staking::query::da_operator;
        da_operators "/kaizen.staking.v1.Query/DaOperators" (staking::QueryDaOperatorsRequest) -> staking::QueryDaOperatorsResponse = kaizen_staking::query::da_operators;
        epoch "/kaizen.staking.v1.Query/Epoch" (staking::QueryEpochRequest) -> staking::QueryEpochResponse = staking_epoch;
        params "/kaizen.staking.v1.Query/Params" (staking::QueryParamsRequest) -> staking::QueryParamsResponse = kaizen_staking::query::params;
        evaluator "/kaizen.staking.v1.Query/Evaluator" (staking::QueryEvaluatorRequest) -> staking::QueryEvaluatorResponse = kaizen_staking::query::evaluator;
        evaluators "/kaizen.staking.v1.Query/Evaluators" (staking::QueryEvaluatorsRequest) -> staking::QueryEvaluatorsResponse = kaizen_staking::query::evaluators;
    }
    DaQuery serves da {
        blob "/kaizen.da.v1.Query/Blob" (da::QueryBlobRequest) -> da::QueryBlobResponse = kaizen_da_module::query::blob;
        quorum "/kaizen.da.v1.Query/Quorum" (da::QueryQuorumRequest) -> da::QueryQuorumResponse = da_quorum;
        challenges "/kaizen.da.v1.Query/Challenges" (da::QueryChallengesRequest) -> da::QueryChallengesResponse = kaizen_da_module::query::challenges;
        challenge "/kaizen.da.v1.Query/Challenge" (da::QueryChallengeRequest) -> da::QueryChallengeResponse = kaizen_da_module::query::challenge;
        params "/kaizen.da.v1.Query/Params" (da::QueryParamsRequest) -> da::QueryParamsResponse = da_params;
    }
    AttestQuery serves attest {
        job "/kaizen.attest.v1.Query/Job" (attest::QueryJobRequest) -> attest::QueryJobResponse = kaizen_attest::query::job;
        assigned_jobs "/kaizen.attest.v1.Query/AssignedJobs" (attest::QueryAssignedJobsRequest) -> attest::QueryAssignedJobsResponse = kaizen_attest::query::assigned_jobs;
        params "/kaizen.attest.v1.Query/Params" (attest::QueryParamsRequest) -> attest::QueryParamsResponse = kaizen_attest::query::params;
    }
    BountyQuery serves bounty {
        bounty "/kaizen.bounty.v1.Query/Bounty" (bounty::QueryBountyRequest) -> bounty::QueryBountyResponse = kaizen_bounty::query::bounty;
        bounties "/kaizen.bounty.v1.Query/Bounties" (bounty::QueryBountiesRequest) -> bounty::QueryBountiesResponse = kaizen_bounty::query::bounties;
        submission "/kaizen.bounty.v1.Query/Submission" (bounty::QuerySubmissionRequest) -> bounty::QuerySubmissionResponse = kaizen_bounty::query::submission;
        submissions "/kaizen.bounty.v1.Query/Submissions" (bounty::QuerySubmissionsRequest) -> bounty::QuerySubmissionsResponse = kaizen_bounty::query::submissions;
        leaderboard "/kaizen.bounty.v1.Query/Leaderboard" (bounty::QueryLeaderboardRequest) -> bounty::QueryLeaderboardResponse = kaizen_bounty::query::leaderboard;
        model "/kaizen.bounty.v1.Query/Model" (bounty::QueryModelRequest) -> bounty::QueryModelResponse = kaizen_bounty::query::model;
        params "/kaizen.bounty.v1.Query/Params" (bounty::QueryParamsRequest) -> bounty::QueryParamsResponse = kaizen_bounty::query::params;
    }
}

// The queries that read the snapshot's height.
async fn staking_epoch(
    snapshot: &Snapshot,
    _req: &staking::QueryEpochRequest,
) -> Result<staking::QueryEpochResponse, HandlerError> {
    kaizen_staking::query::epoch(snapshot, snapshot.version()).await
}

async fn da_quorum(
    snapshot: &Snapshot,
    req: &da::QueryQuorumRequest,
) -> Result<da::QueryQuorumResponse, HandlerError> {
    kaizen_da_module::query::quorum(snapshot, req, snapshot.version()).await
}

async fn da_params(
    snapshot: &Snapshot,
    _req: &da::QueryParamsRequest,
) -> Result<da::QueryParamsResponse, HandlerError> {
    kaizen_da_module::query::params(snapshot).await
}

/// The Cosmos SDK queries also answered over ABCI (their gRPC adapters are in
/// `crate::grpc::{auth, bank}`).
async fn route(snapshot: &Snapshot, path: &str, data: &[u8]) -> Result<Vec<u8>, HandlerError> {
    if let Some(answer) = route_kaizen(snapshot, path, data).await {
        return answer;
    }
    Ok(match path {
        "/cosmos.auth.v1beta1.Query/Account" => {
            kaizen_auth::query::account(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/cosmos.bank.v1beta1.Query/Balance" => {
            kaizen_bank::query::balance(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/cosmos.bank.v1beta1.Query/AllBalances" => {
            kaizen_bank::query::all_balances(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        other => {
            return Err(TxError::UnknownRequest(format!("unknown query path {other:?}")).into())
        }
    })
}

pub async fn query(storage: &Storage, req: &RequestQuery) -> ResponseQuery {
    let latest = crate::app::height_of_version(storage.latest_version());
    let fail = |e: HandlerError, height: u64| ResponseQuery {
        code: e.code,
        codespace: e.codespace.into(),
        // "Not found" in the words of the SDK's baseapp, which clients match on (cosmjs
        // answers `getAccount` with null on /rpc error: code = NotFound/).
        log: if (e.codespace, e.code) == ("sdk", 22) {
            format!("rpc error: code = NotFound desc = {}: key not found", e.log)
        } else {
            e.log
        },
        height: i64::try_from(height).unwrap_or(0),
        ..Default::default()
    };
    if req.data.len() > MAX_QUERY_BYTES {
        return fail(
            TxError::InvalidRequest(format!(
                "query body of {} bytes, at most {MAX_QUERY_BYTES}",
                req.data.len()
            ))
            .into(),
            latest,
        );
    }
    let height = match req.height {
        0 => latest,
        h => match u64::try_from(h) {
            Ok(h) => h,
            Err(_) => {
                return fail(
                    TxError::InvalidRequest(format!("negative height {h}")).into(),
                    latest,
                )
            }
        },
    };
    let Some(snapshot) = storage.snapshot(height) else {
        return fail(
            TxError::InvalidRequest(format!(
                "height {height} is not available (latest is {latest}; only recent heights are kept in memory)"
            ))
            .into(),
            latest,
        );
    };
    match route(&snapshot, &req.path, &req.data).await {
        Ok(value) => ResponseQuery {
            code: 0,
            value: value.into(),
            height: i64::try_from(height).unwrap_or(0),
            ..Default::default()
        },
        Err(e) => fail(e, height),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each path names a method of the `.proto` service its line implements, spelled as
    /// the tonic method is (`AssignedJobs` -> `assigned_jobs`): a typo in a path would
    /// otherwise leave that query unanswered over ABCI while gRPC answers it.
    #[test]
    fn every_query_path_is_a_method_in_the_proto_descriptors() {
        let fds = prost_types::FileDescriptorSet::decode(kaizen_proto::FILE_DESCRIPTOR_SET)
            .expect("the built-in descriptors decode");
        let mut methods = Vec::new();
        for file in &fds.file {
            for service in &file.service {
                for method in &service.method {
                    methods.push(format!(
                        "/{}.{}/{}",
                        file.package(),
                        service.name(),
                        method.name()
                    ));
                }
            }
        }
        for (path, method) in KAIZEN_QUERY_PATHS {
            assert!(
                methods.iter().any(|m| m == path),
                "{path} is not in the protos"
            );
            let name = path.rsplit('/').next().unwrap_or_default();
            let mut snake = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            assert_eq!(&snake, method, "{path} is served by {method}");
        }
        // Every Query method of every Kaizen service has its line.
        for m in methods.iter().filter(|m| m.contains(".Query/")) {
            assert!(
                KAIZEN_QUERY_PATHS.iter().any(|(p, _)| p == m),
                "{m} has no line in kaizen_queries!"
            );
        }
    }
}
