//! The per-module block lifecycle.

use async_trait::async_trait;
use cnidarium::StateWrite;

/// What a block hook may know about the block.
#[derive(Debug, Clone)]
pub struct BlockCtx {
    pub chain_id: String,
    pub height: u64,
    pub time: tendermint::Time,
}

/// A module's genesis and block hooks. The app calls `begin_block` of every module, then
/// the transactions, then `end_block` of every module, each in the fixed order that
/// `kaizen_app` documents.
///
/// Block hooks must bound their work (queues keyed by height, a capped number of items
/// per block) and must not fail on anything a user sent: an error here halts the chain.
#[async_trait]
pub trait Component {
    type Genesis: Send + Sync;

    async fn init_chain<S: StateWrite>(
        state: &mut S,
        genesis: &Self::Genesis,
    ) -> anyhow::Result<()>;

    async fn begin_block<S: StateWrite>(_state: &mut S, _ctx: &BlockCtx) -> anyhow::Result<()> {
        Ok(())
    }

    async fn end_block<S: StateWrite>(_state: &mut S, _ctx: &BlockCtx) -> anyhow::Result<()> {
        Ok(())
    }
}
