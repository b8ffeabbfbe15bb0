//! `cosmos.tx.v1beta1.Service`: `BroadcastTx`, `Simulate`, `GetTx`.

use cosmrs::proto::cosmos::{
    base::abci::v1beta1::{GasInfo, Result as AbciResult, TxResponse},
    tx::v1beta1::{service_server::Service, *},
};
use prost::Message;
use tendermint_rpc::Client;
use tonic::{Request, Response, Status};

use super::{rpc_status, status, unimplemented, GrpcContext};
use crate::{app::simulate, events::to_proto_events};

pub struct TxService {
    pub ctx: GrpcContext,
    /// Transactions larger than this are refused here, before CometBFT sees them.
    pub max_tx_bytes: usize,
}

/// `TxRaw` bytes as the `Tx` message clients expect in `GetTx`.
fn decode_tx(raw: &[u8]) -> Option<Tx> {
    let raw = TxRaw::decode(raw).ok()?;
    Some(Tx {
        body: TxBody::decode(raw.body_bytes.as_slice()).ok(),
        auth_info: AuthInfo::decode(raw.auth_info_bytes.as_slice()).ok(),
        signatures: raw.signatures,
    })
}

/// A `Tx` message as the `TxRaw` bytes it stands for.
fn encode_tx(tx: Tx) -> Vec<u8> {
    TxRaw {
        body_bytes: tx.body.map(|b| b.encode_to_vec()).unwrap_or_default(),
        auth_info_bytes: tx.auth_info.map(|a| a.encode_to_vec()).unwrap_or_default(),
        signatures: tx.signatures,
    }
    .encode_to_vec()
}

#[tonic::async_trait]
impl Service for TxService {
    async fn simulate(
        &self,
        req: Request<SimulateRequest>,
    ) -> Result<Response<SimulateResponse>, Status> {
        let req = req.into_inner();
        #[allow(deprecated)]
        // Like the Cosmos SDK's service: `tx_bytes`, or else the deprecated `tx` (which
        // clients such as cosmpy still send), encoded as the `TxRaw` it stands for.
        let bytes = match (req.tx_bytes.is_empty(), req.tx) {
            (false, _) => req.tx_bytes,
            (true, Some(tx)) => encode_tx(tx),
            (true, None) => {
                return Err(Status::invalid_argument(
                    "SimulateRequest carries neither tx_bytes nor tx",
                ))
            }
        };
        if bytes.len() > self.max_tx_bytes {
            return Err(Status::invalid_argument(format!(
                "tx of {} bytes, at most {}",
                bytes.len(),
                self.max_tx_bytes
            )));
        }
        let outcome = simulate(&self.ctx.storage, &bytes).await.map_err(status)?;
        match outcome.result {
            Ok(()) => Ok(Response::new(SimulateResponse {
                gas_info: Some(GasInfo {
                    gas_wanted: outcome.gas_wanted,
                    gas_used: outcome.gas_used,
                }),
                result: Some(AbciResult {
                    events: to_proto_events(&outcome.events),
                    ..Default::default()
                }),
            })),
            Err(e) => Err(Status::invalid_argument(format!(
                "simulation failed: {} (codespace {}, code {}), gas used {}",
                e.log, e.codespace, e.code, outcome.gas_used
            ))),
        }
    }

    async fn broadcast_tx(
        &self,
        req: Request<BroadcastTxRequest>,
    ) -> Result<Response<BroadcastTxResponse>, Status> {
        let req = req.into_inner();
        if req.tx_bytes.is_empty() {
            return Err(Status::invalid_argument(
                "BroadcastTxRequest carries no tx_bytes",
            ));
        }
        if req.tx_bytes.len() > self.max_tx_bytes {
            return Err(Status::invalid_argument(format!(
                "tx of {} bytes, at most {}",
                req.tx_bytes.len(),
                self.max_tx_bytes
            )));
        }
        let async_mode = req.mode == BroadcastMode::Async as i32;
        let (code, codespace, log, hash, data) = if async_mode {
            let r = self
                .ctx
                .cometbft
                .broadcast_tx_async(req.tx_bytes)
                .await
                .map_err(rpc_status)?;
            (r.code, r.codespace, r.log, r.hash, r.data)
        } else {
            let r = self
                .ctx
                .cometbft
                .broadcast_tx_sync(req.tx_bytes)
                .await
                .map_err(rpc_status)?;
            (r.code, r.codespace, r.log, r.hash, r.data)
        };
        Ok(Response::new(BroadcastTxResponse {
            tx_response: Some(TxResponse {
                txhash: hash.to_string(),
                code: code.value(),
                codespace,
                raw_log: log,
                data: hex::encode_upper(data),
                ..Default::default()
            }),
        }))
    }

    async fn get_tx(&self, req: Request<GetTxRequest>) -> Result<Response<GetTxResponse>, Status> {
        let text = req.into_inner().hash;
        let hash: tendermint::Hash = tendermint::Hash::from_hex_upper(
            tendermint::hash::Algorithm::Sha256,
            &text.to_uppercase(),
        )
        .map_err(|_| {
            Status::invalid_argument(format!("{text:?} is not a 64-hex-digit transaction hash"))
        })?;
        let r = self.ctx.cometbft.tx(hash, false).await.map_err(|e| {
            let s = rpc_status(e);
            if s.code() == tonic::Code::NotFound {
                Status::not_found(format!(
                    "transaction {text} not found: not in a block yet, or never accepted"
                ))
            } else {
                s
            }
        })?;
        let timestamp = match self.ctx.cometbft.block(r.height).await {
            Ok(b) => b.block.header.time.to_rfc3339(),
            Err(_) => String::new(),
        };
        let tx = decode_tx(&r.tx);
        let events: Vec<tendermint::abci::Event> = r.tx_result.events.clone();
        Ok(Response::new(GetTxResponse {
            tx: tx.clone(),
            tx_response: Some(TxResponse {
                height: r.height.value() as i64,
                txhash: r.hash.to_string(),
                codespace: r.tx_result.codespace.clone(),
                code: r.tx_result.code.value(),
                data: hex::encode_upper(&r.tx_result.data),
                raw_log: r.tx_result.log.clone(),
                logs: Vec::new(),
                info: r.tx_result.info.clone(),
                gas_wanted: r.tx_result.gas_wanted,
                gas_used: r.tx_result.gas_used,
                tx: tx.map(|t| cosmrs::proto::Any {
                    type_url: "/cosmos.tx.v1beta1.Tx".into(),
                    value: t.encode_to_vec(),
                }),
                timestamp,
                events: to_proto_events(&events),
            }),
        }))
    }

    async fn get_txs_event(
        &self,
        _req: Request<GetTxsEventRequest>,
    ) -> Result<Response<GetTxsEventResponse>, Status> {
        Err(unimplemented("GetTxsEvent"))
    }
    async fn get_block_with_txs(
        &self,
        _req: Request<GetBlockWithTxsRequest>,
    ) -> Result<Response<GetBlockWithTxsResponse>, Status> {
        Err(unimplemented("GetBlockWithTxs"))
    }
    async fn tx_decode(
        &self,
        req: Request<TxDecodeRequest>,
    ) -> Result<Response<TxDecodeResponse>, Status> {
        let tx = decode_tx(&req.into_inner().tx_bytes)
            .ok_or_else(|| Status::invalid_argument("not a TxRaw"))?;
        Ok(Response::new(TxDecodeResponse { tx: Some(tx) }))
    }
    async fn tx_encode(
        &self,
        req: Request<TxEncodeRequest>,
    ) -> Result<Response<TxEncodeResponse>, Status> {
        let tx = req
            .into_inner()
            .tx
            .ok_or_else(|| Status::invalid_argument("no tx"))?;
        Ok(Response::new(TxEncodeResponse {
            tx_bytes: encode_tx(tx),
        }))
    }
    async fn tx_encode_amino(
        &self,
        _req: Request<TxEncodeAminoRequest>,
    ) -> Result<Response<TxEncodeAminoResponse>, Status> {
        Err(unimplemented("TxEncodeAmino"))
    }
    async fn tx_decode_amino(
        &self,
        _req: Request<TxDecodeAminoRequest>,
    ) -> Result<Response<TxDecodeAminoResponse>, Status> {
        Err(unimplemented("TxDecodeAmino"))
    }
}
