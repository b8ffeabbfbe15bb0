//! The per-message handler interface.

use async_trait::async_trait;
use cnidarium::StateWrite;

use crate::{address::Address, error::HandlerError, gas::GasMeter};

/// Why a transaction is being run. Only the ante steps (fee, signature) look at it;
/// handlers never see it, so they behave the same in every mode: `CheckTx` and
/// `Simulate` run them on the state the next block starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecMode {
    /// `CheckTx` for a new transaction (mempool admission).
    Check,
    /// `CheckTx` re-run after a block was committed.
    ReCheck,
    /// Gas estimation; nothing is kept.
    Simulate,
    /// `FinalizeBlock`: the result is consensus.
    Finalize,
}

/// What a handler may know about the transaction that carries its message.
#[derive(Debug)]
pub struct TxCtx<'a> {
    pub chain_id: &'a str,
    pub height: u64,
    /// The block header's time: the only clock consensus code reads.
    pub time: tendermint::Time,
    /// The addresses whose signatures the pipeline has verified for this transaction:
    /// the [`MsgHandler::signers`] of all its messages.
    pub signers: &'a [Address],
    pub gas: &'a GasMeter,
}

impl TxCtx<'_> {
    /// Whether `who` signed this transaction.
    pub fn signed_by(&self, who: &Address) -> bool {
        self.signers.contains(who)
    }
}

/// One message type's behaviour.
#[async_trait]
pub trait MsgHandler: Send + Sync {
    /// The addresses that must sign a transaction carrying this message, in order.
    ///
    /// This is the one place a handler states who authorizes it: the pipeline refuses
    /// a transaction unless each of these signed it (with its account's key, sequence
    /// and number) before any handler runs, so `check_and_execute` does not check again.
    fn signers(&self) -> Result<Vec<Address>, HandlerError>;

    /// Checks that need no state: sizes, formats, amounts.
    fn check_stateless(&self) -> Result<(), HandlerError>;

    /// Reads what it needs, checks it, writes, emits events: one step, so nothing can
    /// change between the check and the write. An error discards every write the
    /// handler made (the app runs it on a fork of the transaction's state).
    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError>;
}
