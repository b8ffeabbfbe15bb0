//! Genesis and block hooks of `auth`.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::Component;

use crate::{genesis::AuthGenesis, view::AccountWrite};

pub struct Auth;

#[async_trait]
impl Component for Auth {
    type Genesis = AuthGenesis;

    async fn init_chain<S: StateWrite>(state: &mut S, genesis: &AuthGenesis) -> anyhow::Result<()> {
        genesis.validate()?;
        state.put_auth_params(&genesis.params)
    }
}
