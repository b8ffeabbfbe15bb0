//! The ABCI application: CometBFT v0.38's requests, answered against the authenticated
//! store.
//!
//! A block is the story `FinalizeBlock` tells: fork the latest snapshot, run the
//! begin-block hooks (in the order of [`crate::components::HOOK_ORDER`]), run each transaction on its
//! own fork, run the end-block hooks, and prepare (not write) the commit, whose root is
//! the app hash. `Commit` writes the prepared batch. Nothing is persisted in
//! `FinalizeBlock`, so a crash before `Commit` leaves the last committed state intact and
//! CometBFT replays the block.

use std::{path::Path, sync::Arc};

use anyhow::Context;
use cnidarium::{StagedWriteBatch, StateDelta, StateRead, StateWrite, Storage};
use kaizen_auth::{AccountRead, SignatureCache};
use kaizen_framework::{
    BlockCtx, ExecMode, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite,
};
use prost::bytes::Bytes;
use sha2::{Digest, Sha256};
use tendermint_proto::v0_38::abci::{
    response_process_proposal::ProposalStatus, CheckTxType, ExecTxResult, RequestCheckTx,
    RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestPrepareProposal,
    RequestProcessProposal, RequestQuery, ResponseCheckTx, ResponseCommit, ResponseFinalizeBlock,
    ResponseInfo, ResponseInitChain, ResponsePrepareProposal, ResponseProcessProposal,
    ResponseQuery,
};

use crate::{
    components,
    events::to_proto_events,
    execute::{execute_tx, TxEnv},
    genesis::{self, TxParams},
    state_key,
    tx::{decode_tx, DecodeLimits},
};

/// The app's version, reported in `Info`; bumped with every change to state rules.
pub const APP_VERSION: u64 = 1;

/// The chain identity and rules read from genesis, kept in state and cached here.
#[derive(Debug, Clone)]
struct ChainConfig {
    chain_id: String,
    /// The transaction limits and minimum gas price (`app/tx_params`).
    tx: TxParams,
    limits: DecodeLimits,
    /// `ConsensusParams.block.max_gas`; `None` when CometBFT's is -1 (no cap).
    block_max_gas: Option<u64>,
}

/// A block executed by `FinalizeBlock` and waiting for `Commit`.
struct PendingBlock {
    height: u64,
    batch: StagedWriteBatch,
}

/// The Kaizen state machine.
pub struct App {
    storage: Storage,
    /// Shared, so that `CheckTx` and `FinalizeBlock` take it without copying the genesis.
    config: Option<Arc<ChainConfig>>,
    pending: Option<PendingBlock>,
    /// State that `CheckTx` runs against: the last commit plus the mempool's
    /// transactions, so that a sender's second transaction sees the first's sequence.
    mempool: StateDelta<cnidarium::Snapshot>,
    sig_cache: Arc<SignatureCache>,
    /// Whether `FinalizeBlock` pre-verifies signatures on all cores (on by default).
    parallel_signature_checks: bool,
}

/// The block height of a store version: cnidarium numbers versions from 0 (genesis,
/// written by InitChain), and u64::MAX means nothing was ever committed. Version h is
/// block h.
pub fn height_of_version(version: u64) -> u64 {
    match version {
        u64::MAX => 0,
        v => v,
    }
}

fn committed_height(storage: &Storage) -> u64 {
    height_of_version(storage.latest_version())
}

impl App {
    /// Opens (or creates) the store under `dir`.
    pub async fn open(dir: &Path) -> anyhow::Result<Self> {
        let storage = Storage::load(dir.to_path_buf(), vec![])
            .await
            .with_context(|| format!("opening the state store at {}", dir.display()))?;
        let snapshot = storage.latest_snapshot();
        let config = load_config(&snapshot).await?;
        let mut app = Self {
            mempool: StateDelta::new(snapshot),
            storage,
            config,
            pending: None,
            sig_cache: Arc::new(SignatureCache::default()),
            parallel_signature_checks: true,
        };
        app.reset_mempool().await?;
        Ok(app)
    }

    /// Turns the parallel signature pre-pass of `FinalizeBlock` on or off (for
    /// benchmarks; the outcome of a block is the same either way).
    pub fn set_parallel_signature_checks(&mut self, on: bool) {
        self.parallel_signature_checks = on;
    }

    /// Forgets every cached signature check (for benchmarks).
    pub fn clear_signature_cache(&mut self) {
        self.sig_cache = Arc::new(SignatureCache::default());
    }

    /// Releases the store (waits for RocksDB to close), so that the directory can be
    /// opened again in the same process.
    pub async fn close(self) {
        self.storage.release().await;
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The largest transaction genesis allows (1 MiB before `InitChain`).
    pub fn max_tx_bytes(&self) -> usize {
        self.config
            .as_ref()
            .map_or(1 << 20, |c| c.limits.max_tx_bytes as usize)
    }

    pub fn chain_id(&self) -> Option<&str> {
        self.config.as_ref().map(|c| c.chain_id.as_str())
    }

    pub fn last_committed_height(&self) -> u64 {
        committed_height(&self.storage)
    }

    pub async fn last_app_hash(&self) -> anyhow::Result<Vec<u8>> {
        if self.storage.latest_version() == u64::MAX {
            return Ok(Vec::new());
        }
        Ok(self.storage.latest_snapshot().root_hash().await?.0.to_vec())
    }

    pub fn info(
        &self,
        _req: &RequestInfo,
    ) -> impl std::future::Future<Output = anyhow::Result<ResponseInfo>> + '_ {
        async move {
            Ok(ResponseInfo {
                data: "kaizen".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                app_version: APP_VERSION,
                last_block_height: i64::try_from(self.last_committed_height())?,
                last_block_app_hash: self.last_app_hash().await?.into(),
            })
        }
    }

    /// Writes genesis and commits it as version 0. Called again after a crash before the
    /// first block (CometBFT repeats `InitChain` while the app reports height 0), it
    /// checks that the genesis is the same and answers the same app hash.
    pub async fn init_chain(
        &mut self,
        req: &RequestInitChain,
    ) -> anyhow::Result<ResponseInitChain> {
        let genesis = genesis::parse(&req.app_state_bytes)
            .context("app_state in genesis.json is not a valid Kaizen genesis")?;
        genesis::validate(&genesis, &req.chain_id)?;
        let genesis_hash = Sha256::digest(&req.app_state_bytes).to_vec();
        let block_max_gas = req
            .consensus_params
            .as_ref()
            .and_then(|p| p.block.as_ref())
            .map(|b| b.max_gas)
            .unwrap_or(-1);

        if self.storage.latest_version() != u64::MAX {
            let snapshot = self.storage.latest_snapshot();
            let stored = snapshot.get_raw(state_key::genesis_hash()).await?;
            anyhow::ensure!(
                stored.as_deref() == Some(genesis_hash.as_slice()),
                "the store already holds a different chain; remove it or use its genesis"
            );
            return Ok(ResponseInitChain {
                consensus_params: None,
                validators: Vec::new(),
                app_hash: self.last_app_hash().await?.into(),
            });
        }

        let mut state = StateDelta::new(self.storage.latest_snapshot());
        state.put_raw(
            state_key::chain_id().into(),
            req.chain_id.clone().into_bytes(),
        );
        state.put_raw(state_key::genesis_hash().into(), genesis_hash);
        state
            .put_proto_metered(
                &GasMeter::unlimited(),
                state_key::tx_params().into(),
                &genesis::tx_params(&genesis),
            )
            .map_err(|e| anyhow::anyhow!("{}", e.log))?;
        state.put_raw(
            state_key::block_max_gas().into(),
            block_max_gas.to_be_bytes().to_vec(),
        );
        components::init_chain(&mut state, &genesis).await?;
        let root = self.storage.commit(state).await?;

        self.config = load_config(&self.storage.latest_snapshot()).await?;
        self.reset_mempool().await?;
        Ok(ResponseInitChain {
            consensus_params: None,
            validators: Vec::new(),
            app_hash: Bytes::copy_from_slice(&root.0),
        })
    }

    fn config(&self) -> anyhow::Result<&Arc<ChainConfig>> {
        self.config
            .as_ref()
            .context("the chain has no genesis yet (InitChain was never called)")
    }

    async fn reset_mempool(&mut self) -> anyhow::Result<()> {
        self.mempool = match self.config.as_ref() {
            Some(config) => {
                next_block_state(self.storage.latest_snapshot(), &config.chain_id)
                    .await?
                    .0
            }
            None => StateDelta::new(self.storage.latest_snapshot()),
        };
        Ok(())
    }

    /// Mempool admission: the same checks as in a block (the ante steps and the message's
    /// handler), against the mempool's state: the next block's begin-block applied to the
    /// last commit, plus the transactions admitted since (`docs/architecture.md` says why).
    pub async fn check_tx(&mut self, req: &RequestCheckTx) -> anyhow::Result<ResponseCheckTx> {
        let config = self.config()?.clone();
        let mode = if req.r#type == CheckTxType::Recheck as i32 {
            ExecMode::ReCheck
        } else {
            ExecMode::Check
        };
        let tx = match decode_tx(&req.tx, &config.limits) {
            Ok(tx) => tx,
            Err(e) => return Ok(check_error(e, 0, 0)),
        };
        if let Some(cap) = config.block_max_gas {
            if tx.gas_limit > cap {
                return Ok(check_error(
                    kaizen_framework::TxError::BlockGasCapReached {
                        wanted: tx.gas_limit,
                        left: cap,
                    }
                    .into(),
                    tx.gas_limit,
                    0,
                ));
            }
        }
        let env = TxEnv {
            chain_id: &config.chain_id,
            height: self.last_committed_height().saturating_add(1),
            time: tendermint::Time::unix_epoch(),
            mode,
            params: &config.tx,
            sig_cache: &self.sig_cache,
        };
        let outcome = execute_tx(&mut self.mempool, &tx, &env).await;
        let gas_wanted = i64::try_from(outcome.gas_wanted).unwrap_or(i64::MAX);
        let gas_used = i64::try_from(outcome.gas_used).unwrap_or(i64::MAX);
        Ok(match outcome.result {
            Ok(()) => ResponseCheckTx {
                code: 0,
                gas_wanted,
                gas_used,
                events: to_proto_events(&outcome.events),
                ..Default::default()
            },
            Err(e) => check_error(e, outcome.gas_wanted, outcome.gas_used),
        })
    }

    /// Keeps the mempool's order, drops transactions that do not decode, and stops at the
    /// byte and gas limits of a block.
    pub async fn prepare_proposal(
        &mut self,
        req: &RequestPrepareProposal,
    ) -> anyhow::Result<ResponsePrepareProposal> {
        let config = self.config()?;
        let max_bytes = u64::try_from(req.max_tx_bytes).unwrap_or(0);
        let mut bytes = 0u64;
        let mut gas = 0u64;
        let mut txs = Vec::new();
        for raw in &req.txs {
            let Ok(tx) = decode_tx(raw, &config.limits) else {
                continue;
            };
            let next_bytes = bytes.saturating_add(raw.len() as u64);
            let next_gas = gas.saturating_add(tx.gas_limit);
            if next_bytes > max_bytes || config.block_max_gas.is_some_and(|cap| next_gas > cap) {
                continue;
            }
            bytes = next_bytes;
            gas = next_gas;
            txs.push(raw.clone());
        }
        Ok(ResponsePrepareProposal { txs })
    }

    /// Rejects a proposal only for what no correct proposer would build: a transaction
    /// that does not decode, or more gas than a block may hold.
    pub async fn process_proposal(
        &mut self,
        req: &RequestProcessProposal,
    ) -> anyhow::Result<ResponseProcessProposal> {
        let config = self.config()?;
        let mut gas = 0u64;
        let mut status = ProposalStatus::Accept;
        for raw in &req.txs {
            match decode_tx(raw, &config.limits) {
                Ok(tx) => gas = gas.saturating_add(tx.gas_limit),
                Err(_) => {
                    status = ProposalStatus::Reject;
                    break;
                }
            }
        }
        if config.block_max_gas.is_some_and(|cap| gas > cap) {
            status = ProposalStatus::Reject;
        }
        Ok(ResponseProcessProposal {
            status: status as i32,
        })
    }

    /// Executes a decided block and prepares its commit; returns the new app hash.
    pub async fn finalize_block(
        &mut self,
        req: &RequestFinalizeBlock,
    ) -> anyhow::Result<ResponseFinalizeBlock> {
        let config = self.config()?.clone();
        let height = u64::try_from(req.height).context("negative height")?;
        let expected = self.last_committed_height().saturating_add(1);
        anyhow::ensure!(
            height == expected,
            "FinalizeBlock for height {height}, but the next height is {expected}"
        );
        let time = req
            .time
            .map(tendermint::Time::try_from)
            .transpose()
            .context("block time")?
            .unwrap_or_else(tendermint::Time::unix_epoch);
        let block = BlockCtx {
            chain_id: config.chain_id.clone(),
            height,
            time,
        };

        let mut state = StateDelta::new(self.storage.latest_snapshot());
        let mut block_events = components::begin_block(&mut state, &block).await?;

        let decoded: Vec<_> = req
            .txs
            .iter()
            .map(|raw| decode_tx(raw, &config.limits))
            .collect();
        if self.parallel_signature_checks {
            crate::preverify::preverify_signatures(
                &state,
                &config.chain_id,
                &decoded,
                &self.sig_cache,
            )
            .await;
        }

        let env = TxEnv {
            chain_id: &config.chain_id,
            height,
            time,
            mode: ExecMode::Finalize,
            params: &config.tx,
            sig_cache: &self.sig_cache,
        };
        let mut gas_left = config.block_max_gas;
        let mut tx_results = Vec::with_capacity(req.txs.len());
        for tx in decoded {
            let tx = match tx {
                Ok(tx) => tx,
                Err(e) => {
                    tx_results.push(exec_error(e, 0, 0));
                    continue;
                }
            };
            if let Some(left) = gas_left {
                if tx.gas_limit > left {
                    tx_results.push(exec_error(
                        kaizen_framework::TxError::BlockGasCapReached {
                            wanted: tx.gas_limit,
                            left,
                        }
                        .into(),
                        tx.gas_limit,
                        0,
                    ));
                    continue;
                }
                gas_left = Some(left - tx.gas_limit);
            }
            let outcome = execute_tx(&mut state, &tx, &env).await;
            let gas_wanted = i64::try_from(outcome.gas_wanted).unwrap_or(i64::MAX);
            let gas_used = i64::try_from(outcome.gas_used).unwrap_or(i64::MAX);
            tx_results.push(match outcome.result {
                Ok(()) => ExecTxResult {
                    code: 0,
                    gas_wanted,
                    gas_used,
                    events: to_proto_events(&outcome.events),
                    ..Default::default()
                },
                Err(e) => ExecTxResult {
                    events: to_proto_events(&outcome.events),
                    ..exec_error(e, outcome.gas_wanted, outcome.gas_used)
                },
            });
        }

        block_events.extend(components::end_block(&mut state, &block).await?);
        let batch = self.storage.prepare_commit(state).await?;
        let app_hash = Bytes::copy_from_slice(&batch.root_hash().0);
        self.pending = Some(PendingBlock { height, batch });
        Ok(ResponseFinalizeBlock {
            events: to_proto_events(&block_events),
            tx_results,
            validator_updates: Vec::new(),
            consensus_param_updates: None,
            app_hash,
        })
    }

    /// Writes the block prepared by `FinalizeBlock`.
    pub async fn commit(&mut self) -> anyhow::Result<ResponseCommit> {
        let pending = self
            .pending
            .take()
            .context("Commit without a finalized block")?;
        self.storage.commit_batch(pending.batch)?;
        anyhow::ensure!(
            self.last_committed_height() == pending.height,
            "the store did not advance to height {}",
            pending.height
        );
        // The limits are read from state again, so that a block that changes them (a
        // later governance module) takes effect from the next block on every node, as on
        // one that restarted.
        self.config = load_config(&self.storage.latest_snapshot()).await?;
        self.reset_mempool().await?;
        Ok(ResponseCommit { retain_height: 0 })
    }

    /// ABCI `Query` (see [`crate::query`]).
    pub async fn query(&self, req: &RequestQuery) -> ResponseQuery {
        crate::query::query(&self.storage, req).await
    }
}

async fn load_config<S: StateRead>(state: &S) -> anyhow::Result<Option<Arc<ChainConfig>>> {
    let Some(chain_id) = state.get_raw(state_key::chain_id()).await? else {
        return Ok(None);
    };
    let gas = GasMeter::unlimited();
    let tx: TxParams = state
        .get_proto_metered(&gas, state_key::tx_params())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.log))?
        .context("the store has a chain id but no transaction limits")?;
    let auth = state
        .auth_params(&gas)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.log))?;
    let max_gas = state
        .get_raw(state_key::block_max_gas())
        .await?
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map(i64::from_be_bytes)
        .unwrap_or(-1);
    Ok(Some(Arc::new(ChainConfig {
        chain_id: String::from_utf8(chain_id)?,
        limits: genesis::decode_limits(&tx, &auth),
        tx,
        block_max_gas: u64::try_from(max_gas).ok().filter(|g| *g > 0),
    })))
}

fn check_error(e: HandlerError, gas_wanted: u64, gas_used: u64) -> ResponseCheckTx {
    ResponseCheckTx {
        code: e.code,
        codespace: e.codespace.into(),
        log: e.log,
        gas_wanted: i64::try_from(gas_wanted).unwrap_or(i64::MAX),
        gas_used: i64::try_from(gas_used).unwrap_or(i64::MAX),
        ..Default::default()
    }
}

fn exec_error(e: HandlerError, gas_wanted: u64, gas_used: u64) -> ExecTxResult {
    ExecTxResult {
        code: e.code,
        codespace: e.codespace.into(),
        log: e.log,
        gas_wanted: i64::try_from(gas_wanted).unwrap_or(i64::MAX),
        gas_used: i64::try_from(gas_used).unwrap_or(i64::MAX),
        ..Default::default()
    }
}

/// Runs a transaction against the latest committed state and keeps nothing: for gas
/// estimation (`cosmos.tx.v1beta1.Service/Simulate`). Signatures are not checked, since
/// clients simulate before they sign; everything else is.
pub async fn simulate(
    storage: &Storage,
    tx_bytes: &[u8],
) -> Result<crate::execute::TxOutcome, HandlerError> {
    let snapshot = storage.latest_snapshot();
    let config = load_config(&snapshot)
        .await
        .map_err(HandlerError::internal)?
        .ok_or_else(|| HandlerError::internal("the chain has no genesis yet"))?;
    let limits = DecodeLimits {
        allow_zero_gas: true,
        ..config.limits
    };
    let tx = decode_tx(tx_bytes, &limits)?;
    let (mut state, height) = next_block_state(snapshot, &config.chain_id)
        .await
        .map_err(HandlerError::internal)?;
    let cache = SignatureCache::new(0);
    let env = TxEnv {
        chain_id: &config.chain_id,
        height,
        time: tendermint::Time::unix_epoch(),
        mode: ExecMode::Simulate,
        params: &config.tx,
        sig_cache: &cache,
    };
    Ok(execute_tx(&mut state, &tx, &env).await)
}

/// The state the next block's transactions start from: the last commit with the next
/// block's begin-block hooks applied. `CheckTx` and `Simulate` run on it, so a handler
/// sees there what it will see in the block (at an epoch boundary, the new quorum) and
/// needs no mode of its own. The next block's time is not known yet; no hook reads it.
/// Returns the state and the next block's height, both from `snapshot` (so that a
/// commit in between cannot pair a new state with an old height).
async fn next_block_state(
    snapshot: cnidarium::Snapshot,
    chain_id: &str,
) -> anyhow::Result<(StateDelta<cnidarium::Snapshot>, u64)> {
    let height = height_of_version(snapshot.version());
    let mut state = StateDelta::new(snapshot);
    let block = BlockCtx {
        chain_id: chain_id.to_string(),
        height: height.saturating_add(1),
        time: tendermint::Time::unix_epoch(),
    };
    components::begin_block(&mut state, &block).await?;
    Ok((state, block.height))
}
