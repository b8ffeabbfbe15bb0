//! Genesis and block hooks of `da`.
//!
//! Order within a block (after `staking`, which draws the epoch's seed): `begin_block`
//! starts a new epoch at heights that are multiples of `epoch_blocks` (quorum,
//! challenges); `end_block` processes
//! due expiries, then missed challenge deadlines, together at most
//! `max_queue_items_per_block`; what is left waits for the next block.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_auth::AccountWrite;
use kaizen_framework::{
    due_queue_keys, Address, BlockCtx, Component, GasMeter, HandlerError, MeteredStateWrite,
};
use kaizen_proto::kaizen::da::v1::{BlobStatus, ChallengeStatus};
use kaizen_staking::{RandomnessRead, StakingRead, StakingWrite};

use crate::{
    epoch::{install_quorum, start_epoch},
    events::{EventBlobExpired, EventChallengeMissed},
    genesis::{self, GenesisState},
    state_key,
    view::{DaRead, DaWrite},
};

pub struct DataAvailability;

#[async_trait]
impl Component for DataAvailability {
    type Genesis = GenesisState;

    /// Writes the parameters, opens the pool account, and installs epoch 0's quorum from
    /// the genesis operators (so a devnet stores blobs from its first block).
    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &GenesisState,
    ) -> anyhow::Result<()> {
        genesis::validate(genesis)?;
        let gas = GasMeter::unlimited();
        state.put_proto_metered(&gas, state_key::params().into(), &genesis::params(genesis))?;
        state.ensure_account(&gas, &crate::da_pool()).await?;
        let seed = state
            .epoch_seed(&gas, 0)
            .await?
            .ok_or_else(|| anyhow::anyhow!("staking wrote no seed for epoch 0"))?;
        install_quorum(state, 0, &seed.seed, 0).await?;
        Ok(())
    }

    async fn begin_block<S: StateWrite>(state: &mut S, ctx: &BlockCtx) -> anyhow::Result<()> {
        let gas = GasMeter::unlimited();
        let epoch_blocks = state.staking_params(&gas).await?.epoch_blocks.max(1);
        if ctx.height > 0 && ctx.height.is_multiple_of(epoch_blocks) {
            start_epoch(state, ctx, ctx.height / epoch_blocks).await?;
        }
        Ok(())
    }

    async fn end_block<S: StateWrite>(state: &mut S, ctx: &BlockCtx) -> anyhow::Result<()> {
        let gas = GasMeter::unlimited();
        let budget = state.da_params(&gas).await?.max_queue_items_per_block as usize;
        let used = process_expiries(state, ctx.height, budget).await?;
        process_deadlines(state, ctx.height, budget.saturating_sub(used)).await?;
        Ok(())
    }
}

async fn process_expiries<S: StateWrite>(
    state: &mut S,
    height: u64,
    limit: usize,
) -> Result<usize, HandlerError> {
    let gas = GasMeter::unlimited();
    let keys = due_queue_keys(state, state_key::expiry_queue(), height, limit).await?;
    let n = keys.len();
    for key in keys {
        state.delete(key.clone());
        let Some((_, commitment)) = state_key::parse_expiry(&key) else {
            continue;
        };
        let Some(mut blob) = state.blob(&gas, &commitment).await? else {
            continue;
        };
        // A blob re-paid after expiring has a later expiry; this entry is stale.
        if blob.expires_height > height || blob.status == BlobStatus::Expired as i32 {
            continue;
        }
        blob.status = BlobStatus::Expired as i32;
        state.put_blob(&gas, &blob)?;
        state.live_remove(&gas, &commitment).await?;
        state.emit(
            &gas,
            &EventBlobExpired {
                commitment: hex::encode(&commitment),
            },
        )?;
    }
    Ok(n)
}

/// Challenges still open after their deadline are missed (answers are accepted up to and
/// including the deadline height, so a deadline is due one block later).
async fn process_deadlines<S: StateWrite>(
    state: &mut S,
    height: u64,
    limit: usize,
) -> Result<(), HandlerError> {
    let gas = GasMeter::unlimited();
    let keys = due_queue_keys(
        state,
        state_key::challenge_deadlines(),
        height.saturating_sub(1),
        limit,
    )
    .await?;
    for key in keys {
        state.delete(key.clone());
        let Some((_, id)) = state_key::parse_challenge_deadline(&key) else {
            continue;
        };
        let Some(mut challenge) = state.challenge(&gas, id).await? else {
            continue;
        };
        if challenge.status != ChallengeStatus::Open as i32 {
            continue;
        }
        challenge.status = ChallengeStatus::Missed as i32;
        state.put_challenge(&gas, &challenge)?;
        let operator: Address = challenge.operator.parse()?;
        state.delete_metered(&gas, state_key::open_challenge(&operator, id))?;
        state
            .record_challenge_missed(&gas, &operator, height)
            .await?;
        state.emit(
            &gas,
            &EventChallengeMissed {
                id,
                operator: challenge.operator.clone(),
            },
        )?;
    }
    Ok(())
}
