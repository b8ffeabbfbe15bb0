//! The `auth` module's API to other modules: typed reads and writes of accounts.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use cosmrs::proto::cosmos::auth::v1beta1::BaseAccount;
use kaizen_framework::{
    Address, Counter, CounterError, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite,
};

use crate::{error::AuthError, events::EventAccountCreated, genesis::Params, state_key};

/// Account numbers: the first account gets 0, as in the Cosmos SDK.
const ACCOUNT_NUMBERS: Counter = Counter::new(state_key::next_account_number(), 0);

#[async_trait]
pub trait AccountRead: StateRead {
    /// The account at `address`, if it exists.
    async fn account(
        &self,
        gas: &GasMeter,
        address: &Address,
    ) -> Result<Option<BaseAccount>, HandlerError> {
        self.get_proto_metered(gas, &state_key::account(address))
            .await
    }

    /// The parameters genesis wrote.
    async fn auth_params(&self, gas: &GasMeter) -> Result<Params, HandlerError> {
        self.get_proto_metered(gas, state_key::params())
            .await?
            .ok_or_else(|| HandlerError::internal("auth params are missing from state"))
    }
}

impl<S: StateRead + ?Sized> AccountRead for S {}

#[async_trait]
pub trait AccountWrite: StateWrite {
    /// Stores `account` under `address`.
    ///
    /// # Invariants
    /// `account.address` is the bech32 form of `address`.
    fn put_account(
        &mut self,
        gas: &GasMeter,
        address: &Address,
        account: &BaseAccount,
    ) -> Result<(), HandlerError> {
        debug_assert_eq!(account.address, address.to_string());
        self.put_proto_metered(gas, state_key::account(address), account)
    }

    /// The account at `address`, created with the next account number if it is new.
    async fn ensure_account(
        &mut self,
        gas: &GasMeter,
        address: &Address,
    ) -> Result<BaseAccount, HandlerError> {
        if let Some(acc) = self.account(gas, address).await? {
            return Ok(acc);
        }
        let number = ACCOUNT_NUMBERS.take(self, gas).await.map_err(|e| match e {
            CounterError::Exhausted { .. } => AuthError::AccountNumberOverflow.into(),
            CounterError::State(e) => e,
        })?;
        let account = BaseAccount {
            address: address.to_string(),
            pub_key: None,
            account_number: number,
            sequence: 0,
        };
        self.put_account(gas, address, &account)?;
        self.emit(
            gas,
            &EventAccountCreated {
                address: account.address.clone(),
                account_number: number,
            },
        )?;
        Ok(account)
    }
}

impl<S: StateWrite + ?Sized> AccountWrite for S {}
