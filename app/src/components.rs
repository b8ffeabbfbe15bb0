//! The modules the app is made of, listed once, in the order their genesis and block
//! hooks run. Genesis, begin-block and end-block, and [`HOOK_ORDER`] all come from the
//! one list in [`with_components`]; adding a module is one line there (and its messages
//! and queries one line each in `msg.rs` and `query.rs`).

use cnidarium::{StateDelta, StateWrite};
use kaizen_attest::Attest;
use kaizen_auth::Auth;
use kaizen_bank::Bank;
use kaizen_bounty::Bounties;
use kaizen_da_module::DataAvailability;
use kaizen_framework::{BlockCtx, Component};
use kaizen_staking::Staking;
use tendermint::abci::Event;

use crate::genesis::AppGenesis;

/// Calls `$then!` with every module as `Type: genesis_field`, in hook order: auth first
/// (accounts), bank (balances), staking (bonds, the epoch seed), then the modules that
/// read them.
macro_rules! with_components {
    ($then:ident) => {
        $then! {
            Auth: auth,
            Bank: bank,
            Staking: staking,
            DataAvailability: da,
            Attest: attest,
            Bounties: bounty
        }
    };
}

macro_rules! names {
    ($($module:ident: $field:ident),*) => {
        &[$(stringify!($field)),*]
    };
}

/// The order in which the app runs module hooks (by genesis section name), at genesis,
/// at the beginning and at the end of a block.
pub const HOOK_ORDER: &[&str] = with_components!(names);

/// Writes every module's genesis.
pub async fn init_chain<S: StateWrite>(state: &mut S, genesis: &AppGenesis) -> anyhow::Result<()> {
    macro_rules! run {
        ($($module:ident: $field:ident),*) => {
            $( $module::init_chain(&mut *state, &crate::genesis::section(&genesis.$field)).await?; )*
        };
    }
    with_components!(run);
    Ok(())
}

/// Which block hook to run.
#[derive(Clone, Copy)]
enum Hook {
    Begin,
    End,
}

/// Runs every module's `hook` on a fork of `state` and applies it; returns the events.
async fn block_hooks<S: StateWrite>(
    state: &mut S,
    block: &BlockCtx,
    hook: Hook,
) -> anyhow::Result<Vec<Event>> {
    let mut hooks = StateDelta::new(state);
    macro_rules! run {
        ($($module:ident: $field:ident),*) => {
            $(
                match hook {
                    Hook::Begin => $module::begin_block(&mut hooks, block).await?,
                    Hook::End => $module::end_block(&mut hooks, block).await?,
                }
            )*
        };
    }
    with_components!(run);
    Ok(hooks.apply().1)
}

/// Every module's begin-block hook, in hook order; returns the events.
pub async fn begin_block<S: StateWrite>(
    state: &mut S,
    block: &BlockCtx,
) -> anyhow::Result<Vec<Event>> {
    block_hooks(state, block, Hook::Begin).await
}

/// Every module's end-block hook, in hook order; returns the events.
pub async fn end_block<S: StateWrite>(
    state: &mut S,
    block: &BlockCtx,
) -> anyhow::Result<Vec<Event>> {
    block_hooks(state, block, Hook::End).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_run_in_the_documented_order() {
        assert_eq!(
            HOOK_ORDER,
            &["auth", "bank", "staking", "da", "attest", "bounty"]
        );
    }
}
