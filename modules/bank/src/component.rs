//! Genesis and block hooks of `bank`.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Component, GasMeter};

use kaizen_auth::AccountWrite;

use crate::{
    genesis::{self, GenesisState},
    view::BankWrite,
};

pub struct Bank;

#[async_trait]
impl Component for Bank {
    type Genesis = GenesisState;

    /// Mints each genesis balance, in the order listed, so account numbers follow that
    /// order; then creates the fee collector's account.
    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &GenesisState,
    ) -> anyhow::Result<()> {
        let gas = GasMeter::unlimited();
        for (address, coins) in genesis::validate(genesis)? {
            state.mint(&gas, &address, &coins).await?;
        }
        state.ensure_account(&gas, &crate::fee_collector()).await?;
        Ok(())
    }
}
