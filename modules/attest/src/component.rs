//! Genesis and block hooks of `attest`.
//!
//! `end_block` (after `da`, before `bounty`) closes the commit and reveal windows that
//! end at this height (a window's last block still accepts transactions), at most
//! `max_queue_items_per_block`; what is left waits for the next block.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_auth::AccountWrite;
use kaizen_framework::{
    due_queue_keys, BlockCtx, Component, GasMeter, HandlerError, MeteredStateWrite,
};

use crate::{
    genesis::{self, GenesisState},
    lifecycle::{commit_window_ended, reveal_window_ended},
    state_key,
    view::{AttestRead, AttestWrite},
};

pub struct Attest;

#[async_trait]
impl Component for Attest {
    type Genesis = GenesisState;

    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &GenesisState,
    ) -> anyhow::Result<()> {
        genesis::validate(genesis)?;
        let gas = GasMeter::unlimited();
        state.put_proto_metered(&gas, state_key::params().into(), &genesis::params(genesis))?;
        state.ensure_account(&gas, &crate::attest_pool()).await?;
        Ok(())
    }

    async fn end_block<S: StateWrite>(state: &mut S, ctx: &BlockCtx) -> anyhow::Result<()> {
        let gas = GasMeter::unlimited();
        let limit = state.attest_params(&gas).await?.max_queue_items_per_block as usize;
        process_window_ends(state, ctx.height, limit).await?;
        Ok(())
    }
}

async fn process_window_ends<S: StateWrite>(
    state: &mut S,
    height: u64,
    limit: usize,
) -> Result<(), HandlerError> {
    let gas = GasMeter::unlimited();
    let keys = due_queue_keys(state, state_key::deadlines(), height, limit).await?;
    for key in keys {
        state.delete(key.clone());
        let Some((_, id, round, phase)) = state_key::parse_deadline(&key) else {
            continue;
        };
        let phase = phase.to_string();
        let Some(mut job) = state.job(&gas, id).await? else {
            continue;
        };
        match phase.as_str() {
            "commit" => commit_window_ended(state, &gas, &mut job, round, height).await?,
            "reveal" => reveal_window_ended(state, &gas, &mut job, round, height).await?,
            _ => continue,
        }
        state.put_job(&gas, &job)?;
    }
    Ok(())
}
