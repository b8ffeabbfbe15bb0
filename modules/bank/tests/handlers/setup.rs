//! A chain of one module stack on a temporary store: genesis committed as version 0, then
//! handlers run the way the app's transaction pipeline runs them (stateless checks, then
//! `check_and_execute` on a fork that is applied on success and dropped on failure).

use kaizen_auth::Auth;
use kaizen_bank::{
    genesis::{self as bank_genesis, Coin},
    Bank, BankRead,
};
use kaizen_framework::{Address, Component, GasMeter, NATIVE_DENOM};

pub use kaizen_framework::testing::{events_of, TestStore};
/// The gas limit of every test transaction: far above what any one message uses.
pub const GAS_LIMIT: u64 = 10_000_000;

/// A funded account of the test genesis.
pub fn alice() -> Address {
    Address::from_bytes([0xa1; 20])
}

/// A second funded account of the test genesis.
pub fn bob() -> Address {
    Address::from_bytes([0xb0; 20])
}

/// What genesis gives each of [`alice`] and [`bob`].
pub const ALICE_UKZN: u128 = 1_000_000;
pub const ALICE_UATOM: u128 = 500;
pub const BOB_UKZN: u128 = 10;

/// The one place the test genesis is written.
fn test_genesis() -> (<Auth as Component>::Genesis, <Bank as Component>::Genesis) {
    let coin = |denom: &str, amount: u128| Coin {
        denom: denom.into(),
        amount: amount.to_string(),
    };
    let bank = bank_genesis::GenesisState {
        balances: vec![
            bank_genesis::Balance {
                address: alice().to_string(),
                // Denoms in order, as coins are.
                coins: vec![coin("uatom", ALICE_UATOM), coin(NATIVE_DENOM, ALICE_UKZN)],
            },
            bank_genesis::Balance {
                address: bob().to_string(),
                coins: vec![coin(NATIVE_DENOM, BOB_UKZN)],
            },
        ],
    };
    (Default::default(), bank)
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
        let (auth, bank) = test_genesis();
        let genesis = &mut store.state;
        Auth::init_chain(genesis, &auth)
            .await
            .expect("auth genesis");
        Bank::init_chain(genesis, &bank)
            .await
            .expect("bank genesis");
        store.commit_genesis().await;
        Self { store }
    }

    pub async fn balance(&self, who: &Address, denom: &str) -> u128 {
        self.state
            .balance(&GasMeter::unlimited(), who, denom)
            .await
            .expect("balance")
    }

    pub async fn supply(&self, denom: &str) -> u128 {
        self.state
            .supply(&GasMeter::unlimited(), denom)
            .await
            .expect("supply")
    }
}
