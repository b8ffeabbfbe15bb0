//! A chain of `auth`, `bank` and `staking` on a temporary store: genesis committed as
//! version 0, then handlers run the way the app's transaction pipeline runs them
//! (stateless checks, then `check_and_execute` on a fork that is applied on success and
//! dropped on failure).

use kaizen_auth::Auth;
use kaizen_bank::{
    genesis::{self as bank_genesis, Coin},
    Bank, BankRead,
};
use kaizen_framework::{Address, Component, GasMeter, NATIVE_DENOM};
use kaizen_staking::{genesis as staking_genesis, Staking};

pub use kaizen_framework::testing::{events_of, TestStore};
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

/// The module's chain on a [`TestStore`] (which it derefs to: `state`, `height`, `ok`,
/// `refused`...).
pub struct TestChain {
    pub store: TestStore,
}

impl std::ops::Deref for TestChain {
    type Target = TestStore;
    fn deref(&self) -> &TestStore {
        &self.store
    }
}

impl std::ops::DerefMut for TestChain {
    fn deref_mut(&mut self) -> &mut TestStore {
        &mut self.store
    }
}

impl TestChain {
    /// Opens a temporary store as the app does, writes genesis and commits it.
    pub async fn new() -> Self {
        let mut store = TestStore::open(GAS_LIMIT).await;
        let (auth, bank, staking) = test_genesis();
        let genesis = &mut store.state;
        Auth::init_chain(genesis, &auth)
            .await
            .expect("auth genesis");
        Bank::init_chain(genesis, &bank)
            .await
            .expect("bank genesis");
        Staking::init_chain(genesis, &staking)
            .await
            .expect("staking genesis");
        store.commit_genesis().await;
        Self { store }
    }

    pub async fn balance(&self, who: &Address, denom: &str) -> u128 {
        self.state
            .balance(&GasMeter::unlimited(), who, denom)
            .await
            .expect("balance")
    }
}
