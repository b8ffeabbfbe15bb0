//! Genesis and block hooks of `bounty`.
//!
//! `end_block` runs last (after `attest`), so a verdict reached by a transaction of this
//! block, or by a window that `attest` closed in this block, settles in this block
//! unless the block's work budget ran out first ([`run_block_work`]).

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_auth::AccountWrite;
use kaizen_framework::{
    due_queue_keys, BlockBudget, BlockCtx, Component, GasMeter, HandlerError, MeteredStateWrite,
};

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
        run_block_work(state, ctx.height).await?;
        Ok(())
    }
}

/// What one block's end did: items handled of each kind and the gas they used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockWork {
    pub verdicts: usize,
    pub expiries: usize,
    pub deadlines: usize,
    pub decisions: usize,
    pub gas_used: u64,
    /// Whether due work was left for the next block (the budget or an item cap ran out).
    pub deferred: bool,
}

/// The end-block work of `bounty`, in order: verdicts `attest` finalized, reveal windows
/// that ended, deadlines reached, then the bounties those changed are decided (oldest
/// change first; a change waits in `to_decide` until its turn). Every read and write is
/// metered with the transaction schedule ([`BlockBudget`]): the first item of each kind
/// always starts (no kind starves behind another), a further one only while the gas used
/// is below `block_work_budget`, and each kind takes at most `max_queue_items_per_block`,
/// so a block's work is at most the budget plus one item of each kind (an item reads at
/// most `max_submissions_per_bounty` live submissions). What is left waits, in order,
/// for the next block.
pub async fn run_block_work<S: StateWrite>(
    state: &mut S,
    height: u64,
) -> Result<BlockWork, HandlerError> {
    let params = state.bounty_params(&GasMeter::unlimited()).await?;
    let limit = params.max_queue_items_per_block as usize;
    let mut budget = BlockBudget::new(params.block_work_budget, limit);
    let mut done = BlockWork::default();
    let next = limit.saturating_add(1);

    for key in kaizen_attest::lifecycle::finalized_keys(state, next).await? {
        if !budget.admits(done.verdicts) {
            break;
        }
        done.verdicts += 1;
        let gas = budget.gas();
        if let Some(job) = kaizen_attest::lifecycle::take_finalized(state, gas, &key).await? {
            if let Some(b) = apply_verdict(state, gas, &job, height).await? {
                to_decide(state, gas, height, b)?;
            }
        }
    }
    for key in due_queue_keys(state, state_key::reveal_expiries(), height, next).await? {
        if !budget.admits(done.expiries) {
            break;
        }
        done.expiries += 1;
        let gas = budget.gas();
        state.delete_metered(gas, key.clone())?;
        if let Some(id) = state_key::trailing_id(&key) {
            if let Some(b) = expire_submission(state, gas, id, height).await? {
                to_decide(state, gas, height, b)?;
            }
        }
    }
    for key in due_queue_keys(state, state_key::deadlines(), height, next).await? {
        if !budget.admits(done.deadlines) {
            break;
        }
        done.deadlines += 1;
        let gas = budget.gas();
        state.delete_metered(gas, key.clone())?;
        if let Some(id) = state_key::trailing_id(&key) {
            deadline_passed(state, gas, id).await?;
            to_decide(state, gas, height, id)?;
        }
    }
    for key in due_queue_keys(state, state_key::to_decide_queue(), height, next).await? {
        if !budget.admits(done.decisions) {
            break;
        }
        done.decisions += 1;
        let gas = budget.gas();
        state.delete_metered(gas, key.clone())?;
        if let Some(id) = state_key::trailing_id(&key) {
            decide_and_settle(state, gas, id, height).await?;
        }
    }
    done.gas_used = budget.used();
    done.deferred = budget.deferred();
    Ok(done)
}

/// Bounty `id` changed at `height`: it is decided in turn.
fn to_decide<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    height: u64,
    id: u64,
) -> Result<(), HandlerError> {
    state.put_raw_metered(gas, state_key::to_decide(height, id), vec![1])
}
