//! Handler tests on a temporary store (feature `testing`, for the module crates' own
//! tests only): a [`TestStore`] writes genesis, commits it as version 0, then runs
//! messages the way the app's transaction pipeline does (stateless checks, then
//! `check_and_execute` on a fork that is applied on success and dropped on failure), and
//! checks that a refused message changed no key.

use cnidarium::{Snapshot, StateDelta, StateRead, Storage};
use futures::StreamExt;
use tendermint::abci::Event;

use crate::{event::from_abci, GasMeter, HandlerError, MsgHandler, TxCtx, TypedEvent};

/// The chain id handler tests sign and run under.
pub const CHAIN_ID: &str = "kaizen-handler-tests";

/// Fields drop in order: the state, then the store, then its directory.
pub struct TestStore {
    pub state: StateDelta<Snapshot>,
    /// The height transactions run at.
    pub height: u64,
    /// The gas limit of [`ok`](Self::ok) and [`refused`](Self::refused).
    pub gas_limit: u64,
    storage: Storage,
    _dir: tempfile::TempDir,
}

impl TestStore {
    /// An empty store in a temporary directory, as the app opens it; write genesis into
    /// `state`, then [`commit_genesis`](Self::commit_genesis).
    pub async fn open(gas_limit: u64) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let storage = Storage::load(dir.path().to_path_buf(), vec![])
            .await
            .expect("open the store");
        Self {
            state: StateDelta::new(storage.latest_snapshot()),
            height: 1,
            gas_limit,
            storage,
            _dir: dir,
        }
    }

    /// Commits what `state` holds as version 0 and continues from it at height 1.
    pub async fn commit_genesis(&mut self) {
        let genesis = std::mem::replace(
            &mut self.state,
            StateDelta::new(self.storage.latest_snapshot()),
        );
        self.storage.commit(genesis).await.expect("commit genesis");
        self.state = StateDelta::new(self.storage.latest_snapshot());
    }

    /// Runs `msg` as the pipeline does, with `gas_limit`; returns its events.
    /// `stateless: false` skips the stateless checks, to reach the state checks behind.
    pub async fn execute<M: MsgHandler>(
        &mut self,
        msg: &M,
        gas_limit: u64,
        stateless: bool,
    ) -> Result<Vec<Event>, HandlerError> {
        if stateless {
            msg.check_stateless()?;
        }
        let signers = msg.signers()?;
        let gas = GasMeter::new(gas_limit);
        let ctx = TxCtx {
            chain_id: CHAIN_ID,
            height: self.height,
            time: tendermint::Time::unix_epoch(),
            signers: &signers,
            gas: &gas,
        };
        let mut fork = StateDelta::new(&mut self.state);
        msg.check_and_execute(&mut fork, &ctx).await?;
        Ok(fork.apply().1)
    }

    /// Runs `msg`, which must succeed; returns its events.
    pub async fn ok<M: MsgHandler>(&mut self, msg: &M) -> Vec<Event> {
        match self.execute(msg, self.gas_limit, true).await {
            Ok(events) => events,
            Err(e) => panic!("the message was refused: {e}"),
        }
    }

    /// Runs `msg`, which must be refused without changing any key; returns the error's
    /// `(codespace, code)`.
    pub async fn refused<M: MsgHandler>(&mut self, msg: &M) -> (&'static str, u32) {
        self.refused_with(msg, self.gas_limit, true).await
    }

    /// [`refused`](Self::refused) with a gas limit, or without the stateless checks.
    pub async fn refused_with<M: MsgHandler>(
        &mut self,
        msg: &M,
        gas_limit: u64,
        stateless: bool,
    ) -> (&'static str, u32) {
        let before = self.dump().await;
        assert!(!before.is_empty(), "the state dump sees no keys");
        let err = match self.execute(msg, gas_limit, stateless).await {
            Ok(events) => panic!("the message was accepted, emitting {events:?}"),
            Err(e) => e,
        };
        assert_eq!(self.dump().await, before, "a refused message changed state");
        (err.codespace, err.code)
    }

    /// Every key and value of the state, in key order.
    pub async fn dump(&self) -> Vec<(String, Vec<u8>)> {
        let mut stream = Box::pin(self.state.prefix_raw(""));
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            out.push(item.expect("read state"));
        }
        out
    }
}

/// The events of type `E` among `events`, parsed.
pub fn events_of<E: TypedEvent>(events: &[Event]) -> Vec<E> {
    events
        .iter()
        .filter_map(|e| from_abci::<E>(e))
        .map(|parsed| parsed.expect("a well-formed event"))
        .collect()
}
