//! `kaizend start`: the node process. Opens the store, serves ABCI to CometBFT, serves
//! gRPC and Prometheus metrics, and stops cleanly on SIGINT or SIGTERM.

use std::{path::Path, sync::Arc};

use anyhow::Context;
use tokio::sync::Mutex;

use crate::{abci::AbciApp, config::NodeConfig, grpc, App};

pub fn init_tracing(config: &NodeConfig) {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    if config.log.format == "json" {
        let _ = fmt().with_env_filter(filter).json().try_init();
    } else {
        let _ = fmt().with_env_filter(filter).try_init();
    }
}

pub async fn start(home: &Path) -> anyhow::Result<()> {
    let config = NodeConfig::load(home)?;
    init_tracing(&config);
    let data_dir = config.data_dir(home);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let app = App::open(&data_dir).await?;
    let storage = app.storage().clone();
    tracing::info!(
        height = app.last_committed_height(),
        chain_id = app.chain_id().unwrap_or("(waiting for InitChain)"),
        data_dir = %data_dir.display(),
        "opened the state store"
    );
    let max_tx_bytes = app.max_tx_bytes();
    let app = Arc::new(Mutex::new(app));

    if config.metrics.enabled {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .with_http_listener(config.metrics.listen)
            .install()
            .context("starting the Prometheus endpoint")?;
        tracing::info!(listen = %config.metrics.listen, "metrics at /metrics");
    }

    // ABCI: a blocking server on its own threads.
    let abci = AbciApp::new(
        app.clone(),
        storage.clone(),
        tokio::runtime::Handle::current(),
    );
    let server = tendermint_abci::ServerBuilder::new(1 << 20)
        .bind(config.abci.listen, abci)
        .map_err(|e| anyhow::anyhow!("binding ABCI on {}: {e}", config.abci.listen))?;
    tracing::info!(listen = %config.abci.listen, "ABCI server listening");
    std::thread::Builder::new()
        .name("abci-accept".into())
        .spawn(move || {
            if let Err(e) = server.listen() {
                tracing::error!(error = %e, "ABCI server stopped");
            }
        })?;

    if config.grpc.enabled {
        let cometbft = tendermint_rpc::HttpClient::new(config.cometbft.rpc.as_str())
            .with_context(|| format!("cometbft.rpc = {:?}", config.cometbft.rpc))?;
        let ctx = grpc::GrpcContext {
            storage: storage.clone(),
            cometbft,
        };
        let router = grpc::router(ctx, &config.grpc, max_tx_bytes)?;
        tracing::info!(listen = %config.grpc.listen, "gRPC server listening");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serve = router.serve_with_shutdown(config.grpc.listen, async {
            let _ = stopped.await;
        });
        tokio::pin!(serve);
        tokio::select! {
            r = &mut serve => r.with_context(|| format!("gRPC server on {}", config.grpc.listen))?,
            _ = shutdown_signal() => {
                let _ = stop.send(());
                // Clients that keep their connections open get a moment, not a veto.
                if tokio::time::timeout(std::time::Duration::from_secs(3), &mut serve).await.is_err() {
                    tracing::warn!("gRPC clients still connected after 3 s; closing anyway");
                }
            }
        }
    } else {
        shutdown_signal().await;
    }

    // Wait for any block in flight: once we hold the lock, nothing is half done, and
    // the last Commit is on disk (RocksDB writes each commit atomically).
    tracing::info!("shutting down");
    let app = app.lock().await;
    tracing::info!(height = app.last_committed_height(), "stopped cleanly");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
