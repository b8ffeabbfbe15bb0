//! Genesis and block hooks of `auth`.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_framework::{Component, GasMeter, MeteredStateWrite};

use crate::{
    genesis::{self, GenesisState},
    state_key,
};

pub struct Auth;

#[async_trait]
impl Component for Auth {
    type Genesis = GenesisState;

    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &GenesisState,
    ) -> anyhow::Result<()> {
        genesis::validate(genesis)?;
        let params = genesis::params(genesis);
        state.put_proto_metered(&GasMeter::unlimited(), state_key::params().into(), &params)?;
        Ok(())
    }
}
