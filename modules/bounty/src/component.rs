//! Genesis and block hooks of `bounty`.
//!
//! `end_block` runs last (after `attest`), so a verdict reached by a transaction of this
//! block, or by a window that `attest` closed in this block, settles in this block. In
//! order, at most `max_queue_items_per_block` of each: final jobs from `attest`, reveal
//! windows that ended, deadlines reached; then every bounty they touched is decided.

use std::collections::BTreeSet;

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_auth::AccountWrite;
use kaizen_framework::{due_queue_keys, BlockCtx, Component, GasMeter, MeteredStateWrite};

use crate::{
    genesis::{self, GenesisState},
    settlement::{apply_verdict, deadline_passed, decide_and_settle, expire_submission},
    state_key,
    view::BountyRead,
};

pub struct Bounties;

#[async_trait]
impl Component for Bounties {
    type Genesis = GenesisState;

    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &GenesisState,
    ) -> anyhow::Result<()> {
        genesis::validate(genesis)?;
        let gas = GasMeter::unlimited();
        state.put_proto_metered(&gas, state_key::params().into(), &genesis::params(genesis))?;
        state.ensure_account(&gas, &crate::bounty_escrow()).await?;
        Ok(())
    }

    async fn end_block<S: StateWrite>(state: &mut S, ctx: &BlockCtx) -> anyhow::Result<()> {
        let gas = GasMeter::unlimited();
        let limit = state.bounty_params(&gas).await?.max_queue_items_per_block as usize;
        let mut touched = BTreeSet::new();
        for job in kaizen_attest::lifecycle::take_finalized(state, limit).await? {
            if let Some(b) = apply_verdict(state, &gas, &job, ctx.height).await? {
                touched.insert(b);
            }
        }
        for key in due_queue_keys(state, state_key::reveal_expiries(), ctx.height, limit).await? {
            state.delete(key.clone());
            if let Some(id) = state_key::trailing_id(&key) {
                if let Some(b) = expire_submission(state, &gas, id, ctx.height).await? {
                    touched.insert(b);
                }
            }
        }
        for key in due_queue_keys(state, state_key::deadlines(), ctx.height, limit).await? {
            state.delete(key.clone());
            if let Some(id) = state_key::trailing_id(&key) {
                deadline_passed(state, &gas, id, ctx.height).await?;
                touched.insert(id);
            }
        }
        for id in touched {
            decide_and_settle(state, &gas, id, ctx.height).await?;
        }
        Ok(())
    }
}
