//! The `bank` module's API to other modules.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use futures::StreamExt;
use kaizen_auth::AccountWrite;
use kaizen_framework::{
    Address, Coins, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite,
};

use crate::{error::BankError, state_key};

fn decode_amount(key: &str, bytes: &[u8]) -> Result<u128, HandlerError> {
    let arr: [u8; 16] = bytes
        .try_into()
        .map_err(|_| HandlerError::internal(format!("amount at {key} is not 16 bytes")))?;
    Ok(u128::from_be_bytes(arr))
}

#[async_trait]
pub trait BankRead: StateRead {
    async fn balance(
        &self,
        gas: &GasMeter,
        address: &Address,
        denom: &str,
    ) -> Result<u128, HandlerError> {
        let key = state_key::balance(address, denom);
        match self.get_raw_metered(gas, &key).await? {
            Some(bytes) => decode_amount(&key, &bytes),
            None => Ok(0),
        }
    }

    async fn supply(&self, gas: &GasMeter, denom: &str) -> Result<u128, HandlerError> {
        let key = state_key::supply(denom);
        match self.get_raw_metered(gas, &key).await? {
            Some(bytes) => decode_amount(&key, &bytes),
            None => Ok(0),
        }
    }

    /// Every non-zero balance of `address`, sorted by denom. For queries: unmetered.
    async fn all_balances(&self, address: &Address) -> Result<Vec<(String, u128)>, HandlerError> {
        let mut stream = Box::pin(self.prefix_raw(&state_key::balances_of(address)));
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            let (key, value) = item.map_err(HandlerError::internal)?;
            let (_, denom) = state_key::parse_balance(&key)
                .ok_or_else(|| HandlerError::internal(format!("balance key {key}")))?;
            out.push((denom.to_string(), decode_amount(&key, &value)?));
        }
        Ok(out)
    }

    /// Every supply entry, sorted by denom. For queries and invariant checks: unmetered.
    async fn all_supplies(&self) -> Result<Vec<(String, u128)>, HandlerError> {
        let mut stream = Box::pin(self.prefix_raw(state_key::supplies()));
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            let (key, value) = item.map_err(HandlerError::internal)?;
            let denom = state_key::parse_supply(&key)
                .ok_or_else(|| HandlerError::internal(format!("supply key {key}")))?;
            out.push((denom.to_string(), decode_amount(&key, &value)?));
        }
        Ok(out)
    }
}

impl<S: StateRead + ?Sized> BankRead for S {}

#[async_trait]
pub trait BankWrite: StateWrite {
    /// Sets a balance; a zero balance removes the key, so state holds no empty entries.
    fn put_balance(
        &mut self,
        gas: &GasMeter,
        address: &Address,
        denom: &str,
        amount: u128,
    ) -> Result<(), HandlerError> {
        let key = state_key::balance(address, denom);
        if amount == 0 {
            self.delete_metered(gas, key)
        } else {
            self.put_raw_metered(gas, key, amount.to_be_bytes().to_vec())
        }
    }

    /// Moves `coins` from `from` to `to`, creating the recipient's account if it is new.
    /// Fails, writing nothing the caller keeps, if `from` lacks any of them.
    async fn send(
        &mut self,
        gas: &GasMeter,
        from: &Address,
        to: &Address,
        coins: &Coins,
    ) -> Result<(), HandlerError> {
        if coins.is_empty() {
            return Err(BankError::EmptyTransfer.into());
        }
        for (denom, amount) in coins.iter() {
            let available = self.balance(gas, from, denom).await?;
            let left =
                available
                    .checked_sub(amount)
                    .ok_or_else(|| BankError::InsufficientFunds {
                        address: from.to_string(),
                        denom: denom.to_string(),
                        available,
                        needed: amount,
                    })?;
            self.put_balance(gas, from, denom, left)?;
        }
        self.ensure_account(gas, to).await?;
        for (denom, amount) in coins.iter() {
            let held = self.balance(gas, to, denom).await?;
            let total = held
                .checked_add(amount)
                .ok_or_else(|| BankError::BalanceOverflow {
                    address: to.to_string(),
                    denom: denom.to_string(),
                })?;
            self.put_balance(gas, to, denom, total)?;
        }
        Ok(())
    }

    /// Destroys `coins` held by `from`: they leave its balance and the supply. Fails,
    /// writing nothing the caller keeps, if `from` lacks any of them.
    async fn burn(
        &mut self,
        gas: &GasMeter,
        from: &Address,
        coins: &Coins,
    ) -> Result<(), HandlerError> {
        for (denom, amount) in coins.iter() {
            let available = self.balance(gas, from, denom).await?;
            let left =
                available
                    .checked_sub(amount)
                    .ok_or_else(|| BankError::InsufficientFunds {
                        address: from.to_string(),
                        denom: denom.to_string(),
                        available,
                        needed: amount,
                    })?;
            self.put_balance(gas, from, denom, left)?;
            // The supply holds every balance, so it covers this one.
            let supply = self.supply(gas, denom).await?.saturating_sub(amount);
            self.put_raw_metered(gas, state_key::supply(denom), supply.to_be_bytes().to_vec())?;
        }
        self.emit(
            gas,
            &crate::events::EventBurn {
                burner: from.to_string(),
                amount: crate::events::coins(coins),
            },
        )
    }

    /// Creates `coins` in `to`'s account and adds them to the supply.
    async fn mint(
        &mut self,
        gas: &GasMeter,
        to: &Address,
        coins: &Coins,
    ) -> Result<(), HandlerError> {
        self.ensure_account(gas, to).await?;
        for (denom, amount) in coins.iter() {
            let supply = self
                .supply(gas, denom)
                .await?
                .checked_add(amount)
                .ok_or_else(|| BankError::SupplyOverflow(denom.to_string()))?;
            self.put_raw_metered(gas, state_key::supply(denom), supply.to_be_bytes().to_vec())?;
            let held = self.balance(gas, to, denom).await?;
            let total = held
                .checked_add(amount)
                .ok_or_else(|| BankError::BalanceOverflow {
                    address: to.to_string(),
                    denom: denom.to_string(),
                })?;
            self.put_balance(gas, to, denom, total)?;
        }
        Ok(())
    }
}

impl<S: StateWrite + ?Sized> BankWrite for S {}
