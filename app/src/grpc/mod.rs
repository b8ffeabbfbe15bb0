//! The gRPC server: Kaizen's own query services and the Cosmos services that existing
//! clients (cosmjs, cosmpy, grpcurl, explorers) call, plus server reflection.
//!
//! Queries read the latest committed snapshot directly (no lock on the app); transactions
//! go to the CometBFT node, which runs them through `CheckTx` like any other.

pub mod auth;
pub mod bank;
pub mod node;
pub mod params;
pub mod tx;

use cnidarium::Storage;
use kaizen_framework::HandlerError;
use tendermint_rpc::HttpClient;

/// What every service needs.
#[derive(Clone)]
pub struct GrpcContext {
    pub storage: Storage,
    pub cometbft: HttpClient,
}

/// A gRPC status for a handler error: the codespace and code ride in the message, so a
/// client can branch on them as it would on a transaction result.
pub fn status(e: HandlerError) -> tonic::Status {
    let msg = format!("{} (codespace {}, code {})", e.log, e.codespace, e.code);
    match (e.codespace, e.code) {
        // NotFound, UnknownAddress.
        ("sdk", 22 | 9) => tonic::Status::not_found(msg),
        // What the request itself gets wrong: TxDecode, UnknownRequest, InvalidAddress,
        // InvalidCoins, MemoTooLarge, TooManySignatures, NoSignatures, InvalidRequest,
        // TxTooLarge, InvalidGasLimit.
        ("sdk", 2 | 6 | 7 | 10 | 12 | 14 | 15 | 18 | 21 | 41) => {
            tonic::Status::invalid_argument(msg)
        }
        _ => tonic::Status::internal(msg),
    }
}

/// A status for a CometBFT RPC failure. The RPC client's errors carry a whole trace; a
/// gRPC status message travels in an HTTP/2 header, so only its first line goes out.
pub fn rpc_status(e: tendermint_rpc::Error) -> tonic::Status {
    let text = e.to_string();
    let first: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    if text.contains("not found") {
        tonic::Status::not_found(first)
    } else {
        tonic::Status::unavailable(format!("the CometBFT node did not answer: {first}"))
    }
}

pub fn unimplemented(what: &str) -> tonic::Status {
    tonic::Status::unimplemented(format!("{what} is not served by Kaizen"))
}

/// Adds each service to a [`tonic::service::RoutesBuilder`] and collects its name, so
/// that reflection describes exactly what is served (the list is not written twice).
macro_rules! serve {
    ($limit:expr; $($service:expr),* $(,)?) => {{
        let mut routes = tonic::service::RoutesBuilder::default();
        let mut names: Vec<&'static str> = Vec::new();
        $(
            let service = $service.max_decoding_message_size($limit);
            names.push(service_name(&service));
            routes.add_service(service);
        )*
        (routes, names)
    }};
}

fn service_name<S: tonic::server::NamedService>(_: &S) -> &'static str {
    S::NAME
}

/// Every service, with reflection, behind the configured size limits. Adding a service
/// is one line in the list below.
pub fn router(
    ctx: GrpcContext,
    config: &crate::config::GrpcConfig,
    max_tx_bytes: usize,
) -> anyhow::Result<tonic::transport::server::Router> {
    use crate::query::{AttestQuery, BountyQuery, DaQuery, KaizenBankQuery, StakingQuery};
    use cosmrs::proto::cosmos::{
        auth::v1beta1::query_server::QueryServer as AuthServer,
        bank::v1beta1::query_server::QueryServer as BankServer,
        base::tendermint::v1beta1::service_server::ServiceServer as NodeServer,
        params::v1beta1::query_server::QueryServer as ParamsServer,
        tx::v1beta1::service_server::ServiceServer as TxServer,
    };
    use kaizen_proto::cosmos::consensus::v1::query_server::QueryServer as ConsensusServer;
    use kaizen_proto::kaizen::{
        attest::v1::query_server::QueryServer as AttestServer,
        bank::v1::query_server::QueryServer as KaizenBankServer,
        bounty::v1::query_server::QueryServer as BountyServer,
        da::v1::query_server::QueryServer as DaServer,
        staking::v1::query_server::QueryServer as StakingServer,
    };

    let (mut routes, served) = serve!(config.max_request_bytes;
        AuthServer::new(auth::AuthQuery(ctx.clone())),
        BankServer::new(bank::BankQuery(ctx.clone())),
        ParamsServer::new(params::ParamsQuery(ctx.clone())),
        ConsensusServer::new(params::ConsensusQuery(ctx.clone())),
        TxServer::new(tx::TxService { ctx: ctx.clone(), max_tx_bytes }),
        NodeServer::new(node::NodeService(ctx.clone())),
        KaizenBankServer::new(KaizenBankQuery(ctx.clone())),
        StakingServer::new(StakingQuery(ctx.clone())),
        DaServer::new(DaQuery(ctx.clone())),
        AttestServer::new(AttestQuery(ctx.clone())),
        BountyServer::new(BountyQuery(ctx)),
    );
    // Descriptors: Kaizen's own, and the Cosmos SDK services' (from
    // scripts/gen-cosmos-descriptors.sh).
    let mut v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(kaizen_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(kaizen_proto::COSMOS_FILE_DESCRIPTOR_SET);
    let mut v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(kaizen_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(kaizen_proto::COSMOS_FILE_DESCRIPTOR_SET);
    for name in served {
        v1 = v1.with_service_name(name);
        v1alpha = v1alpha.with_service_name(name);
    }
    routes
        .add_service(v1.build_v1()?)
        .add_service(v1alpha.build_v1alpha()?);
    Ok(tonic::transport::Server::builder()
        .max_concurrent_streams(config.max_concurrent_streams)
        .add_routes(routes.routes()))
}
