//! Genesis of `staking`.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_auth::AccountWrite;
use kaizen_framework::{parse_amount, BlockCtx, Component, GasMeter, MeteredStateWrite};

use crate::{
    genesis::{self, GenesisState},
    randomness::RandomnessWrite,
    state_key,
    view::{DaOperatorRegistration, StakingRead, StakingWrite},
};

pub struct Staking;

#[async_trait]
impl Component for Staking {
    type Genesis = GenesisState;

    /// Writes the parameters and epoch 0's seed, then registers each genesis DA operator
    /// in the order listed, exactly as a registration transaction would (bond moved from
    /// its genesis balance, proof of possession checked), then each genesis evaluator
    /// likewise.
    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &GenesisState,
    ) -> anyhow::Result<()> {
        genesis::validate(genesis)?;
        let gas = GasMeter::unlimited();
        state.put_proto_metered(&gas, state_key::params().into(), &genesis::params(genesis))?;
        state.put_genesis_seed()?;
        state.ensure_account(&gas, &crate::bonded_pool()).await?;
        for (i, g) in genesis.da_operators.iter().enumerate() {
            let reg = DaOperatorRegistration {
                operator: g.address.parse()?,
                bls_public_key: g.bls_public_key.clone(),
                proof_of_possession: g.proof_of_possession.clone(),
                endpoint: g.endpoint.clone(),
                bond: parse_amount(&g.bond)?,
            };
            state
                .register_da_operator(&gas, &reg, 0)
                .await
                .map_err(|e| anyhow::anyhow!("staking.da_operators[{i}] ({}): {e}", g.address))?;
        }
        state.ensure_account(&gas, &crate::slashed_pool()).await?;
        for (i, g) in genesis.evaluators.iter().enumerate() {
            state
                .register_evaluator(
                    &gas,
                    &g.address.parse()?,
                    parse_amount(&g.bond)?,
                    &g.endpoint,
                    0,
                )
                .await
                .map_err(|e| anyhow::anyhow!("staking.evaluators[{i}] ({}): {e}", g.address))?;
        }
        Ok(())
    }

    /// At the first block of an epoch, draws its seed (before any other module's hooks,
    /// so `da` and `attest` read this epoch's seed in this block).
    async fn begin_block<S: StateWrite>(state: &mut S, ctx: &BlockCtx) -> anyhow::Result<()> {
        let epoch_blocks = state
            .staking_params(&GasMeter::unlimited())
            .await?
            .epoch_blocks
            .max(1);
        if ctx.height > 0 && ctx.height.is_multiple_of(epoch_blocks) {
            state.draw_epoch_seed(ctx.height / epoch_blocks).await?;
        }
        Ok(())
    }
}
