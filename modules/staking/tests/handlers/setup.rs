//! A chain of `auth`, `bank` and `staking` on a temporary store: genesis committed as
//! version 0, then handlers run the way the app's transaction pipeline runs them
//! (stateless checks, then `check_and_execute` on a fork that is applied on success and
//! dropped on failure).

use cnidarium::{Snapshot, StateDelta, StateRead, Storage};
use futures::StreamExt;
use kaizen_auth::Auth;
use kaizen_bank::{
    genesis::{self as bank_genesis, Coin},
    Bank, BankRead,
};
use kaizen_framework::{
    event::from_abci, Address, Component, GasMeter, HandlerError, MsgHandler, TxCtx, TypedEvent,
    NATIVE_DENOM,
};
use kaizen_staking::{genesis as staking_genesis, Staking};
use tendermint::abci::Event;

pub const CHAIN_ID: &str = "kaizen-handler-tests";
/// The gas limit of every test transaction: far above what any one message uses.
pub const GAS_LIMIT: u64 = 10_000_000;

/// Funded accounts of the test genesis, each with [`FUNDS`].
pub fn alice() -> Address {
    Address::from_bytes([0xa1; 20])
}

pub fn bob() -> Address {
    Address::from_bytes([0xb0; 20])
}

pub fn carol() -> Address {
    Address::from_bytes([0xca; 20])
}

/// An address genesis gives nothing.
pub fn nobody() -> Address {
    Address::from_bytes([0x0d; 20])
}

pub const FUNDS: u128 = 100_000;
pub const MIN_DA_BOND: u128 = 1_000;
pub const MIN_EVALUATOR_BOND: u128 = 500;
/// Both registries hold two records.
pub const REGISTRY_CAPACITY: u32 = 2;
pub const MAX_CONSECUTIVE_MISSES: u32 = 2;

/// The one place the test genesis is written.
fn test_genesis() -> (
    <Auth as Component>::Genesis,
    <Bank as Component>::Genesis,
    <Staking as Component>::Genesis,
) {
    let funded = |who: Address| bank_genesis::Balance {
        address: who.to_string(),
        coins: vec![Coin {
            denom: NATIVE_DENOM.into(),
            amount: FUNDS.to_string(),
        }],
    };
    let bank = bank_genesis::GenesisState {
        balances: vec![funded(alice()), funded(bob()), funded(carol())],
    };
    let staking = staking_genesis::GenesisState {
        params: Some(staking_genesis::Params {
            min_da_bond: MIN_DA_BOND.to_string(),
            epoch_blocks: 20,
            max_consecutive_misses: MAX_CONSECUTIVE_MISSES,
            jail_blocks: 10,
            max_da_operators: REGISTRY_CAPACITY,
            min_evaluator_bond: MIN_EVALUATOR_BOND.to_string(),
            max_evaluators: REGISTRY_CAPACITY,
        }),
        ..Default::default()
    };
    (Default::default(), bank, staking)
}

/// Fields drop in order: the state, then the store, then its directory.
pub struct TestChain {
    pub state: StateDelta<Snapshot>,
    /// The height transactions run at.
    pub height: u64,
    _storage: Storage,
    _dir: tempfile::TempDir,
}

impl TestChain {
    /// Opens a temporary store as the app does, writes genesis and commits it.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let storage = Storage::load(dir.path().to_path_buf(), vec![])
            .await
            .expect("open the store");
        let (auth, bank, staking) = test_genesis();
        let mut genesis = StateDelta::new(storage.latest_snapshot());
        Auth::init_chain(&mut genesis, &auth)
            .await
            .expect("auth genesis");
        Bank::init_chain(&mut genesis, &bank)
            .await
            .expect("bank genesis");
        Staking::init_chain(&mut genesis, &staking)
            .await
            .expect("staking genesis");
        storage.commit(genesis).await.expect("commit genesis");
        let state = StateDelta::new(storage.latest_snapshot());
        Self {
            state,
            height: 1,
            _storage: storage,
            _dir: dir,
        }
    }

    /// Runs `msg` as the pipeline does (its stateless checks at decoding, then
    /// `check_and_execute` on a fork kept only on success), with `gas_limit`; returns
    /// its events. `stateless: false` skips the stateless checks, to reach the state
    /// checks behind them.
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
        match self.execute(msg, GAS_LIMIT, true).await {
            Ok(events) => events,
            Err(e) => panic!("the message was refused: {e}"),
        }
    }

    /// Runs `msg`, which must be refused without changing any key; returns the
    /// error's `(codespace, code)`.
    pub async fn refused<M: MsgHandler>(&mut self, msg: &M) -> (&'static str, u32) {
        self.refused_with(msg, GAS_LIMIT, true).await
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

    pub async fn balance(&self, who: &Address, denom: &str) -> u128 {
        self.state
            .balance(&GasMeter::unlimited(), who, denom)
            .await
            .expect("balance")
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
