//! The ABCI socket server that CometBFT's `proxy_app` connects to.
//!
//! Built on `tendermint-abci`'s server: blocking, one thread per connection (CometBFT
//! opens four: consensus, mempool, query, snapshot). The state machine is sequential by
//! nature, so every request that touches it takes one lock on the [`App`]; queries read
//! committed snapshots and take no lock. A storage fault in `FinalizeBlock` or `Commit`
//! is not something the app can answer, so it stops the process (CometBFT then replays
//! the block on restart, see the crash tests).

use std::sync::Arc;

use cnidarium::Storage;
use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::*;
use tokio::{runtime::Handle, sync::Mutex};

use crate::App;

#[derive(Clone)]
pub struct AbciApp {
    app: Arc<Mutex<App>>,
    storage: Storage,
    rt: Handle,
}

impl AbciApp {
    pub fn new(app: Arc<Mutex<App>>, storage: Storage, rt: Handle) -> Self {
        Self { app, storage, rt }
    }
}

fn fatal(what: &str, e: anyhow::Error) -> ! {
    tracing::error!(error = %format!("{e:#}"), "{what} failed; stopping so that CometBFT replays on restart");
    std::process::exit(1);
}

impl Application for AbciApp {
    fn info(&self, req: RequestInfo) -> ResponseInfo {
        let app = self.app.blocking_lock();
        self.rt
            .block_on(app.info(&req))
            .unwrap_or_else(|e| fatal("Info", e))
    }

    fn init_chain(&self, req: RequestInitChain) -> ResponseInitChain {
        let mut app = self.app.blocking_lock();
        self.rt
            .block_on(app.init_chain(&req))
            .unwrap_or_else(|e| fatal("InitChain", e))
    }

    fn query(&self, req: RequestQuery) -> ResponseQuery {
        self.rt.block_on(crate::query::query(&self.storage, &req))
    }

    fn check_tx(&self, req: RequestCheckTx) -> ResponseCheckTx {
        let mut app = self.app.blocking_lock();
        match self.rt.block_on(app.check_tx(&req)) {
            Ok(r) => {
                metrics::counter!("kaizen_check_tx_total", "result" => if r.code == 0 { "ok" } else { "refused" }).increment(1);
                r
            }
            // Only a missing genesis gets here; refuse the tx rather than stop.
            Err(e) => ResponseCheckTx {
                code: 1,
                codespace: "sdk".into(),
                log: format!("{e:#}"),
                ..Default::default()
            },
        }
    }

    fn prepare_proposal(&self, req: RequestPrepareProposal) -> ResponsePrepareProposal {
        let mut app = self.app.blocking_lock();
        self.rt
            .block_on(app.prepare_proposal(&req))
            .unwrap_or_else(|e| fatal("PrepareProposal", e))
    }

    fn process_proposal(&self, req: RequestProcessProposal) -> ResponseProcessProposal {
        let mut app = self.app.blocking_lock();
        self.rt
            .block_on(app.process_proposal(&req))
            .unwrap_or_else(|e| fatal("ProcessProposal", e))
    }

    // The clock only feeds a metric; nothing in the block depends on it.
    #[allow(clippy::disallowed_methods)]
    fn finalize_block(&self, req: RequestFinalizeBlock) -> ResponseFinalizeBlock {
        let mut app = self.app.blocking_lock();
        let started = std::time::Instant::now();
        let resp = self
            .rt
            .block_on(app.finalize_block(&req))
            .unwrap_or_else(|e| fatal("FinalizeBlock", e));
        metrics::histogram!("kaizen_finalize_block_seconds")
            .record(started.elapsed().as_secs_f64());
        metrics::counter!("kaizen_txs_total", "result" => "ok")
            .increment(resp.tx_results.iter().filter(|r| r.code == 0).count() as u64);
        metrics::counter!("kaizen_txs_total", "result" => "failed")
            .increment(resp.tx_results.iter().filter(|r| r.code != 0).count() as u64);
        tracing::info!(height = req.height, txs = req.txs.len(), app_hash = %hex::encode_upper(&resp.app_hash), "finalized block");
        resp
    }

    fn commit(&self) -> ResponseCommit {
        let mut app = self.app.blocking_lock();
        let resp = self
            .rt
            .block_on(app.commit())
            .unwrap_or_else(|e| fatal("Commit", e));
        metrics::gauge!("kaizen_height").set(app.last_committed_height() as f64);
        resp
    }
}
