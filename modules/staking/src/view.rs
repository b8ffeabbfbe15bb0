//! The `staking` module's API to other modules.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use futures::StreamExt;
use kaizen_bank::BankWrite;
use kaizen_framework::{
    bls, parse_amount, Address, Coins, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite,
    NATIVE_DENOM,
};
use kaizen_proto::kaizen::staking::v1::{DaOperator, Evaluator, Params};

use crate::{
    bonded::{bond_of, slash_amount, BondedRole},
    error::StakingError,
    events::{
        EventDaOperatorJailed, EventDaOperatorRegistered, EventEvaluatorRegistered,
        EventEvaluatorSlashed,
    },
    state_key, MAX_ENDPOINT_BYTES,
};

/// What a registration carries, from a transaction or from genesis.
#[derive(Debug, Clone)]
pub struct DaOperatorRegistration {
    pub operator: Address,
    pub bls_public_key: Vec<u8>,
    pub proof_of_possession: Vec<u8>,
    pub endpoint: String,
    pub bond: u128,
}

/// Checks an endpoint URL's shape: `http://` or `https://`, bounded, printable.
pub fn check_endpoint(endpoint: &str) -> Result<(), StakingError> {
    if endpoint.len() > MAX_ENDPOINT_BYTES {
        return Err(StakingError::InvalidEndpoint(format!(
            "longer than {MAX_ENDPOINT_BYTES} bytes"
        )));
    }
    let rest = endpoint
        .strip_prefix("http://")
        .or_else(|| endpoint.strip_prefix("https://"))
        .ok_or_else(|| StakingError::InvalidEndpoint(format!("{endpoint:?} is not http(s)://")))?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(StakingError::InvalidEndpoint(format!(
            "{endpoint:?} has no host or has spaces or control characters"
        )));
    }
    Ok(())
}

/// The epoch of `height` with epochs of `epoch_blocks` (at least 1).
pub fn epoch_of(height: u64, epoch_blocks: u64) -> u64 {
    height / epoch_blocks.max(1)
}

#[async_trait]
pub trait StakingRead: StateRead {
    async fn staking_params(&self, gas: &GasMeter) -> Result<Params, HandlerError> {
        self.get_proto_metered(gas, state_key::params())
            .await?
            .ok_or_else(|| HandlerError::internal("staking params are missing"))
    }

    /// The record of `address` in role `R`, if it holds one.
    async fn bonded<R: BondedRole>(
        &self,
        gas: &GasMeter,
        address: &Address,
    ) -> Result<Option<R>, HandlerError> {
        self.get_proto_metered(gas, &R::key(address)).await
    }

    /// Every record of role `R` in address order. Bounded by the registry's capacity;
    /// unmetered, for block hooks, draws (charged by the caller) and queries.
    async fn all_bonded<R: BondedRole>(&self) -> Result<Vec<R>, HandlerError> {
        let mut stream = Box::pin(self.prefix_raw(R::prefix()));
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            let (key, value) = item.map_err(HandlerError::internal)?;
            out.push(
                R::decode(value.as_slice())
                    .map_err(|e| HandlerError::internal(format!("{key}: {e}")))?,
            );
        }
        Ok(out)
    }

    /// The registry checks of every role, in this order: `address` holds no record of
    /// the role yet, `bond` is at least the role's least bond, the registry has room.
    /// Returns the registry's size, for [`StakingWrite::enroll`].
    async fn admit<R: BondedRole>(
        &self,
        gas: &GasMeter,
        params: &Params,
        address: &Address,
        bond: u128,
    ) -> Result<u64, HandlerError> {
        if self.bonded::<R>(gas, address).await?.is_some() {
            return Err(R::already_registered(address).into());
        }
        let (min_bond, max) = R::registry_limits(params);
        let min = parse_amount(min_bond)?;
        if bond < min {
            return Err(StakingError::BondTooLow { got: bond, min }.into());
        }
        let count = R::COUNT.peek(self, gas).await?;
        if count >= u64::from(max) {
            return Err(R::registry_full(max).into());
        }
        Ok(count)
    }

    async fn da_operator(
        &self,
        gas: &GasMeter,
        address: &Address,
    ) -> Result<Option<DaOperator>, HandlerError> {
        self.bonded(gas, address).await
    }

    async fn da_operator_count(&self, gas: &GasMeter) -> Result<u64, HandlerError> {
        DaOperator::COUNT.peek(self, gas).await
    }

    /// Every DA operator in address order (at most `max_da_operators`).
    async fn all_da_operators(&self) -> Result<Vec<DaOperator>, HandlerError> {
        self.all_bonded().await
    }

    async fn evaluator(
        &self,
        gas: &GasMeter,
        address: &Address,
    ) -> Result<Option<Evaluator>, HandlerError> {
        self.bonded(gas, address).await
    }

    async fn evaluator_count(&self, gas: &GasMeter) -> Result<u64, HandlerError> {
        Evaluator::COUNT.peek(self, gas).await
    }

    /// Every evaluator in address order (at most `max_evaluators`).
    async fn all_evaluators(&self) -> Result<Vec<Evaluator>, HandlerError> {
        self.all_bonded().await
    }

    /// The current epoch for a block at `height`.
    async fn epoch_at(&self, gas: &GasMeter, height: u64) -> Result<u64, HandlerError> {
        Ok(epoch_of(
            height,
            self.staking_params(gas).await?.epoch_blocks,
        ))
    }
}

impl<S: StateRead + ?Sized> StakingRead for S {}

#[async_trait]
pub trait StakingWrite: StateWrite {
    fn put_bonded<R: BondedRole>(&mut self, gas: &GasMeter, role: &R) -> Result<(), HandlerError> {
        let address: Address = role.address().parse()?;
        self.put_proto_metered(gas, R::key(&address), role)
    }

    /// Moves `bond` from the record's account to the bonded pool and stores the record
    /// as the registry's entry number `count` (from [`StakingRead::admit`]).
    async fn enroll<R: BondedRole>(
        &mut self,
        gas: &GasMeter,
        role: &R,
        bond: u128,
        count: u64,
    ) -> Result<(), HandlerError> {
        let address: Address = role.address().parse()?;
        self.send(
            gas,
            &address,
            &crate::bonded_pool(),
            &Coins::single(NATIVE_DENOM, bond),
        )
        .await?;
        self.put_bonded(gas, role)?;
        R::COUNT.advance_past(self, gas, count)?;
        Ok(())
    }

    /// The unjail of every role: `address`'s record of role `R` leaves jail if its jail
    /// time is over ([`BondedRole::unjail`]).
    async fn unjail<R: BondedRole>(
        &mut self,
        gas: &GasMeter,
        address: &Address,
        height: u64,
    ) -> Result<(), HandlerError> {
        let mut role = self
            .bonded::<R>(gas, address)
            .await?
            .ok_or_else(|| R::not_found(address))?;
        role.unjail(height)?;
        self.put_bonded(gas, &role)?;
        self.emit(gas, &role.unjailed_event())
    }

    /// Moves `slash_ppm` of the record's bond from the bonded pool to the slashed pool
    /// and lowers its bond by as much; the caller stores the record. Returns the amount.
    async fn slash_bond<R: BondedRole>(
        &mut self,
        gas: &GasMeter,
        role: &mut R,
        slash_ppm: u32,
    ) -> Result<u128, HandlerError> {
        let bond = bond_of(role)?;
        let amount = slash_amount(bond, slash_ppm)?;
        if amount > 0 {
            self.send(
                gas,
                &crate::bonded_pool(),
                &crate::slashed_pool(),
                &Coins::single(NATIVE_DENOM, amount),
            )
            .await?;
        }
        role.set_bond(bond - amount);
        Ok(amount)
    }

    fn put_da_operator(&mut self, gas: &GasMeter, op: &DaOperator) -> Result<(), HandlerError> {
        self.put_bonded(gas, op)
    }

    /// Checks and records a registration, moving the bond to the bonded pool.
    async fn register_da_operator(
        &mut self,
        gas: &GasMeter,
        reg: &DaOperatorRegistration,
        height: u64,
    ) -> Result<DaOperator, HandlerError> {
        let params = self.staking_params(gas).await?;
        check_endpoint(&reg.endpoint)?;
        let count = self
            .admit::<DaOperator>(gas, &params, &reg.operator, reg.bond)
            .await?;
        let key_slot = state_key::da_bls_key(&reg.bls_public_key);
        if let Some(owner) = self.get_raw_metered(gas, &key_slot).await? {
            return Err(
                StakingError::BlsKeyInUse(String::from_utf8_lossy(&owner).into_owned()).into(),
            );
        }
        // A pairing check: charged before it runs.
        gas.consume(gas.schedule().bls_pairing, "bls proof of possession")?;
        bls::parse_public_key(&reg.bls_public_key)
            .map_err(|e| StakingError::InvalidBlsKey(e.to_string()))?;
        bls::verify_proof_of_possession(&reg.bls_public_key, &reg.proof_of_possession)
            .map_err(|_| StakingError::InvalidProofOfPossession)?;
        let op = DaOperator {
            address: reg.operator.to_string(),
            bls_public_key: reg.bls_public_key.clone(),
            endpoint: reg.endpoint.clone(),
            bond: reg.bond.to_string(),
            registered_height: height,
            ..Default::default()
        };
        self.enroll(gas, &op, reg.bond, count).await?;
        self.put_raw_metered(gas, key_slot, reg.operator.to_string().into_bytes())?;
        self.emit(
            gas,
            &EventDaOperatorRegistered {
                operator: op.address.clone(),
                endpoint: op.endpoint.clone(),
                bond: op.bond.clone(),
            },
        )?;
        Ok(op)
    }

    /// A storage challenge answered in time: the miss streak ends.
    async fn record_challenge_answered(
        &mut self,
        gas: &GasMeter,
        operator: &Address,
    ) -> Result<(), HandlerError> {
        let mut op = self
            .da_operator(gas, operator)
            .await?
            .ok_or_else(|| StakingError::OperatorNotFound(operator.to_string()))?;
        op.consecutive_misses = 0;
        op.answered_challenges = op.answered_challenges.saturating_add(1);
        self.put_da_operator(gas, &op)
    }

    /// A storage challenge missed; the `max_consecutive_misses`-th in a row jails.
    async fn record_challenge_missed(
        &mut self,
        gas: &GasMeter,
        operator: &Address,
        height: u64,
    ) -> Result<(), HandlerError> {
        let params = self.staking_params(gas).await?;
        let Some(mut op) = self.da_operator(gas, operator).await? else {
            return Ok(());
        };
        op.consecutive_misses = op.consecutive_misses.saturating_add(1);
        op.missed_challenges = op.missed_challenges.saturating_add(1);
        if !op.jailed && op.consecutive_misses >= params.max_consecutive_misses {
            op.jail(height.saturating_add(params.jail_blocks));
            self.emit(
                gas,
                &EventDaOperatorJailed {
                    operator: op.address.clone(),
                    consecutive_misses: op.consecutive_misses,
                    jailed_until_height: op.jailed_until_height,
                },
            )?;
        }
        self.put_da_operator(gas, &op)
    }

    fn put_evaluator(&mut self, gas: &GasMeter, ev: &Evaluator) -> Result<(), HandlerError> {
        self.put_bonded(gas, ev)
    }

    /// Checks and records an evaluator registration, moving the bond to the bonded pool.
    async fn register_evaluator(
        &mut self,
        gas: &GasMeter,
        evaluator: &Address,
        bond: u128,
        endpoint: &str,
        height: u64,
    ) -> Result<Evaluator, HandlerError> {
        let params = self.staking_params(gas).await?;
        if !endpoint.is_empty() {
            check_endpoint(endpoint)?;
        }
        let count = self
            .admit::<Evaluator>(gas, &params, evaluator, bond)
            .await?;
        let ev = Evaluator {
            address: evaluator.to_string(),
            bond: bond.to_string(),
            endpoint: endpoint.to_string(),
            registered_height: height,
            active_since_height: height,
            slashed: "0".into(),
            ..Default::default()
        };
        self.enroll(gas, &ev, bond, count).await?;
        self.emit(
            gas,
            &EventEvaluatorRegistered {
                evaluator: ev.address.clone(),
                bond: ev.bond.clone(),
            },
        )?;
        Ok(ev)
    }

    /// Slashes `slash_ppm` of an evaluator's bond into the slashed pool and jails it
    /// until `height + jail_blocks`. Returns the amount slashed. An unknown evaluator
    /// (impossible for a committee member) is left alone.
    #[allow(clippy::too_many_arguments)]
    async fn slash_evaluator(
        &mut self,
        gas: &GasMeter,
        evaluator: &Address,
        slash_ppm: u32,
        jail_blocks: u64,
        height: u64,
        reason: &str,
        job_id: u64,
    ) -> Result<u128, HandlerError> {
        let Some(mut ev) = self.evaluator(gas, evaluator).await? else {
            return Ok(0);
        };
        let amount = self.slash_bond(gas, &mut ev, slash_ppm).await?;
        let slashed = parse_amount(&ev.slashed)?.saturating_add(amount);
        ev.slashed = slashed.to_string();
        ev.faults = ev.faults.saturating_add(1);
        ev.jail(height.saturating_add(jail_blocks));
        self.put_evaluator(gas, &ev)?;
        self.emit(
            gas,
            &EventEvaluatorSlashed {
                evaluator: ev.address.clone(),
                amount: amount.to_string(),
                reason: reason.to_string(),
                job_id,
                jailed_until_height: ev.jailed_until_height,
            },
        )?;
        Ok(amount)
    }

    /// An evaluator was in a job's agreeing quorum.
    async fn record_evaluator_agreed(
        &mut self,
        gas: &GasMeter,
        evaluator: &Address,
    ) -> Result<(), HandlerError> {
        if let Some(mut ev) = self.evaluator(gas, evaluator).await? {
            ev.jobs_agreed = ev.jobs_agreed.saturating_add(1);
            self.put_evaluator(gas, &ev)?;
        }
        Ok(())
    }
}

impl<S: StateWrite + ?Sized> StakingWrite for S {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_http_urls_without_spaces() {
        assert!(check_endpoint("http://127.0.0.1:7100").is_ok());
        assert!(check_endpoint("https://da.example.org").is_ok());
        assert!(check_endpoint("ftp://x").is_err());
        assert!(check_endpoint("http://").is_err());
        assert!(check_endpoint("http://a b").is_err());
        assert!(check_endpoint(&format!("http://{}", "a".repeat(300))).is_err());
    }

    #[tokio::test]
    async fn both_roles_unjail_through_one_state_operation() {
        use cnidarium::{StateDelta, TempStorage};
        let storage = TempStorage::new().await.unwrap();
        let mut fork = StateDelta::new(storage.latest_snapshot());
        let mut state = StateDelta::new(&mut fork);
        let gas = GasMeter::unlimited();
        let op_addr = Address::for_module("staking-test-operator");
        let ev_addr = Address::for_module("staking-test-evaluator");
        state
            .put_da_operator(
                &gas,
                &DaOperator {
                    address: op_addr.to_string(),
                    jailed: true,
                    jailed_until_height: 10,
                    consecutive_misses: 3,
                    ..Default::default()
                },
            )
            .unwrap();
        state
            .put_evaluator(
                &gas,
                &Evaluator {
                    address: ev_addr.to_string(),
                    jailed: true,
                    jailed_until_height: 10,
                    faults: 1,
                    ..Default::default()
                },
            )
            .unwrap();
        let code = |e: HandlerError| (e.codespace, e.code);
        let early = state.unjail::<DaOperator>(&gas, &op_addr, 9).await;
        assert_eq!(early.map_err(code), Err(("staking", 10)));
        let early = state.unjail::<Evaluator>(&gas, &ev_addr, 9).await;
        assert_eq!(early.map_err(code), Err(("staking", 10)));
        let unknown = state.unjail::<DaOperator>(&gas, &ev_addr, 10).await;
        assert_eq!(unknown.map_err(code), Err(("staking", 8)));
        let unknown = state.unjail::<Evaluator>(&gas, &op_addr, 10).await;
        assert_eq!(unknown.map_err(code), Err(("staking", 13)));

        state
            .unjail::<DaOperator>(&gas, &op_addr, 10)
            .await
            .unwrap();
        state.unjail::<Evaluator>(&gas, &ev_addr, 10).await.unwrap();
        let op = state.da_operator(&gas, &op_addr).await.unwrap().unwrap();
        assert_eq!((op.jailed, op.consecutive_misses), (false, 0));
        let ev = state.evaluator(&gas, &ev_addr).await.unwrap().unwrap();
        assert_eq!((ev.jailed, ev.faults), (false, 1));
        let again = state.unjail::<Evaluator>(&gas, &ev_addr, 11).await;
        assert_eq!(again.map_err(code), Err(("staking", 9)));

        let (_, events) = state.apply();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "kaizen.staking.v1.EventDaOperatorUnjailed",
                "kaizen.staking.v1.EventEvaluatorUnjailed"
            ]
        );
    }

    #[test]
    fn epochs_start_at_multiples_of_the_epoch_length() {
        assert_eq!(epoch_of(0, 10), 0);
        assert_eq!(epoch_of(9, 10), 0);
        assert_eq!(epoch_of(10, 10), 1);
        assert_eq!(epoch_of(5, 0), 5);
    }
}
