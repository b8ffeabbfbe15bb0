//! `cosmos.base.tendermint.v1beta1.Service`: node info and blocks, from CometBFT.

use cosmrs::proto::cosmos::base::tendermint::v1beta1::{service_server::Service, *};
use tendermint_rpc::Client;
use tonic::{Request, Response, Status};

use super::{unimplemented, GrpcContext};

pub struct NodeService(pub GrpcContext);

fn unavailable(e: tendermint_rpc::Error) -> Status {
    super::rpc_status(e)
}

#[tonic::async_trait]
impl Service for NodeService {
    async fn get_node_info(
        &self,
        _req: Request<GetNodeInfoRequest>,
    ) -> Result<Response<GetNodeInfoResponse>, Status> {
        let s = self.0.cometbft.status().await.map_err(unavailable)?;
        let info = s.node_info;
        Ok(Response::new(GetNodeInfoResponse {
            default_node_info: Some(tendermint_proto::p2p::DefaultNodeInfo {
                protocol_version: Some(tendermint_proto::p2p::ProtocolVersion {
                    p2p: info.protocol_version.p2p,
                    block: info.protocol_version.block,
                    app: info.protocol_version.app,
                }),
                default_node_id: info.id.to_string(),
                listen_addr: info.listen_addr.to_string(),
                network: info.network.to_string(),
                version: info.version.to_string(),
                channels: info.channels.to_string().into_bytes(),
                moniker: info.moniker.to_string(),
                other: Some(tendermint_proto::p2p::DefaultNodeInfoOther {
                    tx_index: match info.other.tx_index {
                        tendermint::node::info::TxIndexStatus::On => "on".into(),
                        tendermint::node::info::TxIndexStatus::Off => "off".into(),
                    },
                    rpc_address: info.other.rpc_address.clone(),
                }),
            }),
            application_version: Some(VersionInfo {
                name: "kaizen".into(),
                app_name: "kaizend".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                // Not built on the SDK; the version whose services and codes it follows
                // (clients such as cosmpy parse this field as a version).
                cosmos_sdk_version: "v0.50.13".into(),
                ..Default::default()
            }),
        }))
    }

    async fn get_syncing(
        &self,
        _req: Request<GetSyncingRequest>,
    ) -> Result<Response<GetSyncingResponse>, Status> {
        let s = self.0.cometbft.status().await.map_err(unavailable)?;
        Ok(Response::new(GetSyncingResponse {
            syncing: s.sync_info.catching_up,
        }))
    }

    async fn get_latest_block(
        &self,
        _req: Request<GetLatestBlockRequest>,
    ) -> Result<Response<GetLatestBlockResponse>, Status> {
        let b = self.0.cometbft.latest_block().await.map_err(unavailable)?;
        Ok(Response::new(GetLatestBlockResponse {
            block_id: Some(b.block_id.into()),
            block: Some(b.block.into()),
            sdk_block: None,
        }))
    }

    async fn get_block_by_height(
        &self,
        req: Request<GetBlockByHeightRequest>,
    ) -> Result<Response<GetBlockByHeightResponse>, Status> {
        let height = tendermint::block::Height::try_from(req.into_inner().height)
            .map_err(|e| Status::invalid_argument(format!("height: {e}")))?;
        let b = self.0.cometbft.block(height).await.map_err(unavailable)?;
        Ok(Response::new(GetBlockByHeightResponse {
            block_id: Some(b.block_id.into()),
            block: Some(b.block.into()),
            sdk_block: None,
        }))
    }

    async fn get_latest_validator_set(
        &self,
        _req: Request<GetLatestValidatorSetRequest>,
    ) -> Result<Response<GetLatestValidatorSetResponse>, Status> {
        Err(unimplemented("GetLatestValidatorSet"))
    }
    async fn get_validator_set_by_height(
        &self,
        _req: Request<GetValidatorSetByHeightRequest>,
    ) -> Result<Response<GetValidatorSetByHeightResponse>, Status> {
        Err(unimplemented("GetValidatorSetByHeight"))
    }
    async fn abci_query(
        &self,
        _req: Request<AbciQueryRequest>,
    ) -> Result<Response<AbciQueryResponse>, Status> {
        Err(unimplemented("ABCIQuery"))
    }
}
