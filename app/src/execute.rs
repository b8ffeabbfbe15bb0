//! The transaction pipeline: what happens to one decoded transaction against state.
//!
//! 1. gas for the transaction's bytes;
//! 2. timeout height and minimum fee;
//! 3. each signer: account exists, key matches, sequence matches, signature verifies;
//!    the sequence is bumped;
//! 4. the fee moves from the first signer to the fee collector;
//! 5. the messages run, in order, on a fork of their own.
//!
//! A failure in steps 1–4 leaves state untouched. A failure in step 5 discards what the
//! messages wrote; in a block the fee and the sequence bump of steps 3–4 stand (so that a
//! failing transaction still pays for its block space, as on every Cosmos chain), while
//! `CheckTx` keeps nothing and refuses the transaction.

use cnidarium::{StateDelta, StateWrite};
use kaizen_auth::{signature::check_signer, SignatureCache, SignerCheck};
use kaizen_bank::{events::EventFeePaid, fee_collector, BankWrite};
use kaizen_framework::{
    Address, Coins, ExecMode, GasMeter, HandlerError, MeteredStateWrite, TxCtx, TxError,
    NATIVE_DENOM,
};
use tendermint::abci::Event;

use crate::{genesis::TxParams, tx::DecodedTx};

/// What the pipeline needs to know besides the transaction.
pub struct TxEnv<'a> {
    pub chain_id: &'a str,
    /// The height the transaction executes at (for `CheckTx`: the next block's).
    pub height: u64,
    pub time: tendermint::Time,
    pub mode: ExecMode,
    pub params: &'a TxParams,
    pub sig_cache: &'a SignatureCache,
}

/// The outcome of one transaction.
#[derive(Debug)]
pub struct TxOutcome {
    pub result: Result<(), HandlerError>,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<Event>,
}

/// Runs `tx` against `state`, writing into it whatever the rules above keep.
pub async fn execute_tx<S: StateWrite>(
    state: &mut S,
    tx: &DecodedTx,
    env: &TxEnv<'_>,
) -> TxOutcome {
    // A simulation measures what the transaction would use, up to the per-tx maximum.
    let gas = GasMeter::new(if env.mode == ExecMode::Simulate {
        env.params.max_tx_gas
    } else {
        tx.gas_limit
    });
    let mut tx_state = StateDelta::new(&mut *state);
    if let Err(e) = ante(&mut tx_state, tx, env, &gas).await {
        return TxOutcome {
            result: Err(e),
            gas_wanted: tx.gas_limit,
            gas_used: gas.used(),
            events: Vec::new(),
        };
    }

    let ctx = TxCtx {
        chain_id: env.chain_id,
        height: env.height,
        time: env.time,
        signers: &tx.signers,
        gas: &gas,
    };
    let mut msg_state = StateDelta::new(&mut tx_state);
    let mut result = Ok(());
    for (i, msg) in tx.msgs.iter().enumerate() {
        if let Err(mut e) = msg.check_and_execute(&mut msg_state, &ctx).await {
            e.log = format!("message {i}: {}", e.log);
            result = Err(e);
            break;
        }
    }
    let msg_events = match result {
        Ok(()) => msg_state.apply().1,
        Err(_) => {
            drop(msg_state);
            Vec::new()
        }
    };

    let keep_ante = result.is_ok() || env.mode == ExecMode::Finalize;
    let mut events = Vec::new();
    if keep_ante {
        events = tx_state.apply().1;
        events.extend(msg_events);
    }
    TxOutcome {
        result,
        gas_wanted: tx.gas_limit,
        gas_used: gas.used(),
        events,
    }
}

async fn ante<S: StateWrite>(
    state: &mut S,
    tx: &DecodedTx,
    env: &TxEnv<'_>,
    gas: &GasMeter,
) -> Result<(), HandlerError> {
    gas.consume_bytes(0, gas.schedule().tx_byte, tx.len, "tx size")?;

    let timeout = tx.body.timeout_height;
    if timeout != 0 && env.height > timeout {
        return Err(TxError::TxTimeoutHeight {
            timeout,
            height: env.height,
        }
        .into());
    }
    let required =
        crate::genesis::required_fee(env.params, tx.gas_limit).map_err(HandlerError::internal)?;
    let offered = tx.fee.amount_of(NATIVE_DENOM);
    if offered < required && env.mode != ExecMode::Simulate {
        return Err(TxError::InsufficientFee(format!(
            "got {offered}{NATIVE_DENOM}, required {required}{NATIVE_DENOM} for gas limit {}",
            tx.gas_limit
        ))
        .into());
    }

    for (i, address) in tx.signers.iter().enumerate() {
        check_signer(
            state,
            gas,
            env.chain_id,
            &tx.body_bytes,
            &tx.auth_info_bytes,
            SignerCheck {
                address: *address,
                info: &tx.auth_info.signer_infos[i],
                signature: &tx.signatures[i],
            },
            env.sig_cache,
            env.mode,
        )
        .await?;
    }

    // Clients simulate before they know the fee and send none (cosmpy does); the real
    // transaction will pay one. So a simulation without a fee pays a token one on a fork
    // that is dropped: the estimate counts the transfer's gas (and its event's), and the
    // messages still see the whole balance (a "send everything" estimate works). A payer
    // without 1ukzn fails on the real fee in the real transaction, not here.
    let payer = *tx.signers.first().ok_or(TxError::NoSignatures)?;
    if tx.fee.is_empty() && env.mode == ExecMode::Simulate {
        let token = Coins::single(NATIVE_DENOM, 1);
        let _ = pay_fee(&mut StateDelta::new(&mut *state), gas, &payer, &token).await;
    }
    if !tx.fee.is_empty() {
        pay_fee(state, gas, &payer, &tx.fee).await?;
    }
    Ok(())
}

/// Moves `fee` from `payer` to the fee collector and records it.
async fn pay_fee<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    payer: &Address,
    fee: &Coins,
) -> Result<(), HandlerError> {
    state
        .send(gas, payer, &fee_collector(), fee)
        .await
        .map_err(|e| {
            if e.codespace == "bank" {
                HandlerError::from(TxError::InsufficientFunds(format!(
                    "cannot pay the fee: {}",
                    e.log
                )))
            } else {
                e
            }
        })?;
    state.emit(
        gas,
        &EventFeePaid {
            payer: payer.to_string(),
            amount: kaizen_bank::events::coins(fee),
        },
    )?;
    Ok(())
}
