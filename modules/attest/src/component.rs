//! Genesis and block hooks of `attest`.
//!
//! `end_block` (after `da`, before `bounty`) closes the commit and reveal windows that
//! end at this height (a window's last block still accepts transactions), starts queued
//! rounds whose members have room, and draws the committees whose beacon has come,
//! within a per-block work budget ([`run_block_work`]); what is left waits for the next
//! block.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use futures::StreamExt;
use kaizen_auth::AccountWrite;
use kaizen_framework::{
    due_queue_keys, BlockBudget, BlockCtx, Component, GasMeter, HandlerError, MeteredStateWrite,
};
use kaizen_proto::kaizen::attest::v1::JobStatus;
use kaizen_staking::StakingRead;

use crate::{
    genesis::{self, GenesisState},
    lifecycle::{
        commit_window_ended, draw_round, load_evaluators, reveal_window_ended, start_if_room, Room,
    },
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
        run_block_work(state, ctx.height).await?;
        Ok(())
    }
}

/// What one block's end did: items handled of each kind and the gas they used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockWork {
    pub window_ends: usize,
    pub queued_started: usize,
    pub draws: usize,
    pub gas_used: u64,
    /// Whether due work was left for the next block (the budget or an item cap ran out).
    pub deferred: bool,
}

/// The end-block work of `attest`, in order: window ends (they free evaluators), queued
/// rounds whose members now have room (oldest first), then committee draws whose beacon
/// is available. Every read and write is metered with the transaction schedule
/// ([`BlockBudget`]): the first item of each kind always starts, a further one only while
/// the gas used is below `block_work_budget`, and each kind takes at most
/// `max_queue_items_per_block` items, so a block's work is at most the budget plus one
/// item of each kind. What is left waits, in order, for the next block.
pub async fn run_block_work<S: StateWrite>(
    state: &mut S,
    height: u64,
) -> Result<BlockWork, HandlerError> {
    let params = state.attest_params(&GasMeter::unlimited()).await?;
    let limit = params.max_queue_items_per_block as usize;
    let mut budget = BlockBudget::new(params.block_work_budget, limit);
    let mut done = BlockWork::default();

    let keys = due_queue_keys(
        state,
        state_key::deadlines(),
        height,
        limit.saturating_add(1),
    )
    .await?;
    for key in keys {
        if !budget.admits(done.window_ends) {
            break;
        }
        state.delete(key.clone());
        done.window_ends += 1;
        let Some((_, id, round, phase)) = state_key::parse_deadline(&key) else {
            continue;
        };
        let phase = phase.to_string();
        let Some(mut job) = state.job(budget.gas(), id).await? else {
            continue;
        };
        match phase.as_str() {
            "commit" => commit_window_ended(state, budget.gas(), &mut job, round, height).await?,
            "reveal" => reveal_window_ended(state, budget.gas(), &mut job, round, height).await?,
            _ => continue,
        }
        state.put_job(budget.gas(), &job)?;
    }

    let mut room = Room::new();
    let queued = first_keys(state, state_key::queued_prefix(), limit.saturating_add(1)).await?;
    for key in queued {
        if !budget.admits(done.queued_started) {
            break;
        }
        let Some(id) = state_key::parse_queued(&key) else {
            state.delete(key);
            continue;
        };
        let Some(mut job) = state.job(budget.gas(), id).await? else {
            state.delete(key);
            continue;
        };
        if job.status != JobStatus::Queued as i32 {
            state.delete(key);
            continue;
        }
        if start_if_room(state, budget.gas(), &mut job, &mut room, height).await? {
            done.queued_started += 1;
            state.put_job(budget.gas(), &job)?;
        }
    }

    let epoch = state.epoch_at(budget.gas(), height).await?;
    let awaiting = first_keys(state, state_key::awaiting_prefix(), limit.saturating_add(1)).await?;
    let mut evaluators = None;
    for key in awaiting {
        let Some((beacon_epoch, id)) = state_key::parse_awaiting(&key) else {
            state.delete(key);
            continue;
        };
        if beacon_epoch > epoch {
            break;
        }
        if !budget.admits(done.draws) {
            break;
        }
        state.delete(key);
        done.draws += 1;
        let Some(mut job) = state.job(budget.gas(), id).await? else {
            continue;
        };
        if job.status != JobStatus::AwaitingBeacon as i32 || job.beacon_epoch != beacon_epoch {
            continue;
        }
        if evaluators.is_none() {
            evaluators = Some(load_evaluators(state, budget.gas()).await?);
        }
        let all = evaluators.as_deref().unwrap_or_default();
        draw_round(state, budget.gas(), &mut job, all, &mut room, height).await?;
        state.put_job(budget.gas(), &job)?;
    }
    done.gas_used = budget.used();
    done.deferred = budget.deferred();
    Ok(done)
}

/// The first `limit` keys under `prefix`, in key order.
async fn first_keys<S: StateRead>(
    state: &S,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>, HandlerError> {
    let mut keys = Vec::new();
    let mut stream = Box::pin(state.prefix_keys(prefix));
    while let Some(key) = stream.next().await {
        keys.push(key.map_err(HandlerError::internal)?);
        if keys.len() >= limit {
            break;
        }
    }
    Ok(keys)
}
