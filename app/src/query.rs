//! ABCI `Query`: the gRPC method paths clients already use, with protobuf request and
//! response bodies, answered from the snapshot at the requested height.

use cnidarium::{Snapshot, Storage};
use kaizen_framework::{HandlerError, TxError};
use prost::Message;
use tendermint_proto::v0_38::abci::{RequestQuery, ResponseQuery};

/// Largest query body accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

fn decode<T: Message + Default>(data: &[u8]) -> Result<T, HandlerError> {
    T::decode(data).map_err(|e| TxError::TxDecode(format!("query body: {e}")).into())
}

async fn route(snapshot: &Snapshot, path: &str, data: &[u8]) -> Result<Vec<u8>, HandlerError> {
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
        "/kaizen.bank.v1.Query/Supply" => kaizen_bank::query::supply(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        "/kaizen.staking.v1.Query/DaOperator" => {
            kaizen_staking::query::da_operator(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.staking.v1.Query/DaOperators" => {
            kaizen_staking::query::da_operators(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.staking.v1.Query/Epoch" => {
            kaizen_staking::query::epoch(snapshot, snapshot.version())
                .await?
                .encode_to_vec()
        }
        "/kaizen.staking.v1.Query/Params" => {
            kaizen_staking::query::params(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.da.v1.Query/Blob" => kaizen_da_module::query::blob(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        "/kaizen.da.v1.Query/Quorum" => {
            kaizen_da_module::query::quorum(snapshot, &decode(data)?, snapshot.version())
                .await?
                .encode_to_vec()
        }
        "/kaizen.da.v1.Query/Challenges" => {
            kaizen_da_module::query::challenges(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.da.v1.Query/Challenge" => {
            kaizen_da_module::query::challenge(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.da.v1.Query/Params" => kaizen_da_module::query::params(snapshot)
            .await?
            .encode_to_vec(),
        "/kaizen.staking.v1.Query/Evaluator" => {
            kaizen_staking::query::evaluator(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.staking.v1.Query/Evaluators" => {
            kaizen_staking::query::evaluators(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.attest.v1.Query/Job" => kaizen_attest::query::job(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        "/kaizen.attest.v1.Query/AssignedJobs" => {
            kaizen_attest::query::assigned_jobs(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.attest.v1.Query/Params" => kaizen_attest::query::params(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        "/kaizen.bounty.v1.Query/Bounty" => kaizen_bounty::query::bounty(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        "/kaizen.bounty.v1.Query/Bounties" => {
            kaizen_bounty::query::bounties(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.bounty.v1.Query/Submission" => {
            kaizen_bounty::query::submission(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.bounty.v1.Query/Submissions" => {
            kaizen_bounty::query::submissions(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.bounty.v1.Query/Leaderboard" => {
            kaizen_bounty::query::leaderboard(snapshot, &decode(data)?)
                .await?
                .encode_to_vec()
        }
        "/kaizen.bounty.v1.Query/Model" => kaizen_bounty::query::model(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        "/kaizen.bounty.v1.Query/Params" => kaizen_bounty::query::params(snapshot, &decode(data)?)
            .await?
            .encode_to_vec(),
        other => {
            return Err(TxError::UnknownRequest(format!("unknown query path {other:?}")).into())
        }
    })
}

pub async fn query(storage: &Storage, req: &RequestQuery) -> ResponseQuery {
    let latest = match storage.latest_version() {
        u64::MAX => 0,
        v => v,
    };
    let fail = |e: HandlerError, height: u64| ResponseQuery {
        code: e.code,
        codespace: e.codespace.into(),
        log: e.log,
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
