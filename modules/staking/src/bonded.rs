//! What DA operators and evaluators share: an account that bonded stake for a role, that
//! can be slashed and jailed, and that unjails itself once its jail time is over.
//!
//! [`BondedRole`] is that core, implemented by both records (`DaOperator`, `Evaluator`),
//! whose protobuf encodings stay as they are. The registry rules (one record per address,
//! a least bond, a bounded registry), slashing and the unjail rule are written once, over
//! the role; what differs per role is data: its key, its parameters, its errors and
//! events. A role's weight in draws is its bond today; a later weight source (a
//! validator's stake) plugs in here rather than in each role.

use kaizen_framework::{parse_amount, Address, Counter, HandlerError, TypedEvent};
use kaizen_proto::kaizen::staking::v1::{DaOperator, Evaluator, Params};

use crate::{
    error::StakingError,
    events::{EventDaOperatorUnjailed, EventEvaluatorUnjailed},
    state_key,
};

/// A bonded role's record.
///
/// # Invariants
/// A record that is not jailed has `jailed_until_height` at or below the current height
/// (unjailing needs it), so [`jail`](Self::jail) extends a running jail and otherwise
/// starts a new one at `until`.
pub trait BondedRole: prost::Message + Default + Send + Sync + Sized + 'static {
    /// Emitted when a record of this role unjails.
    type Unjailed: TypedEvent + Send + Sync;

    /// How many records of this role exist (the registry's size); the first is 0.
    const COUNT: Counter;

    /// The key of the record of `address`.
    fn key(address: &Address) -> String;
    /// The prefix of every record of the role, in address order.
    fn prefix() -> &'static str;
    /// The least bond (ukzn, decimal) and the registry's capacity, from the parameters.
    fn registry_limits(params: &Params) -> (&str, u32);
    /// `address` holds no record of this role.
    fn not_found(address: &Address) -> StakingError;
    /// `address` already holds a record of this role.
    fn already_registered(address: &Address) -> StakingError;
    /// The registry holds `max` records already.
    fn registry_full(max: u32) -> StakingError;

    fn address(&self) -> &str;
    /// The bonded stake (ukzn, decimal).
    fn bond(&self) -> &str;
    fn set_bond(&mut self, bond: u128);
    fn jailed(&self) -> bool;
    fn jailed_until_height(&self) -> u64;
    fn set_jail(&mut self, jailed: bool, until_height: u64);
    /// What else the role resets when it unjails at `height` (a DA operator's miss
    /// streak; an evaluator's eligibility start).
    fn on_unjail(&mut self, _height: u64) {}
    fn unjailed_event(&self) -> Self::Unjailed;

    /// Jails the record until at least `until` (a longer jail already running stays).
    fn jail(&mut self, until: u64) {
        let until = self.jailed_until_height().max(until);
        self.set_jail(true, until);
    }

    /// The unjail rule: only a jailed record, and only from its `jailed_until_height` on.
    fn unjail(&mut self, height: u64) -> Result<(), StakingError> {
        if !self.jailed() {
            return Err(StakingError::NotJailed(self.address().to_string()));
        }
        if height < self.jailed_until_height() {
            return Err(StakingError::StillJailed {
                operator: self.address().to_string(),
                until: self.jailed_until_height(),
            });
        }
        let until = self.jailed_until_height();
        self.set_jail(false, until);
        self.on_unjail(height);
        Ok(())
    }
}

/// `slash_ppm` (capped at one million) of `bond`, rounded down.
pub fn slash_amount(bond: u128, slash_ppm: u32) -> Result<u128, HandlerError> {
    // ppm <= 1e6 and bond < 2^128 / 1e6 in any real supply; checked all the same.
    bond.checked_mul(u128::from(slash_ppm.min(1_000_000)))
        .map(|x| x / 1_000_000)
        .ok_or_else(|| HandlerError::internal("slash amount overflows"))
}

/// The bond of a record as a number.
pub fn bond_of<R: BondedRole>(role: &R) -> Result<u128, HandlerError> {
    Ok(parse_amount(role.bond())?)
}

/// The accessors of the fields both records name alike.
macro_rules! bonded_record_fields {
    () => {
        fn address(&self) -> &str {
            &self.address
        }
        fn bond(&self) -> &str {
            &self.bond
        }
        fn set_bond(&mut self, bond: u128) {
            self.bond = bond.to_string();
        }
        fn jailed(&self) -> bool {
            self.jailed
        }
        fn jailed_until_height(&self) -> u64 {
            self.jailed_until_height
        }
        fn set_jail(&mut self, jailed: bool, until_height: u64) {
            self.jailed = jailed;
            self.jailed_until_height = until_height;
        }
    };
}

impl BondedRole for DaOperator {
    type Unjailed = EventDaOperatorUnjailed;
    const COUNT: Counter = Counter::new(state_key::da_operator_count(), 0);

    fn key(address: &Address) -> String {
        state_key::da_operator(address)
    }
    fn prefix() -> &'static str {
        state_key::da_operators()
    }
    fn registry_limits(params: &Params) -> (&str, u32) {
        (&params.min_da_bond, params.max_da_operators)
    }
    fn not_found(address: &Address) -> StakingError {
        StakingError::OperatorNotFound(address.to_string())
    }
    fn already_registered(address: &Address) -> StakingError {
        StakingError::OperatorExists(address.to_string())
    }
    fn registry_full(max: u32) -> StakingError {
        StakingError::TooManyOperators(max)
    }
    bonded_record_fields!();
    fn on_unjail(&mut self, _height: u64) {
        self.consecutive_misses = 0;
    }
    fn unjailed_event(&self) -> EventDaOperatorUnjailed {
        EventDaOperatorUnjailed {
            operator: self.address.clone(),
        }
    }
}

impl BondedRole for Evaluator {
    type Unjailed = EventEvaluatorUnjailed;
    const COUNT: Counter = Counter::new(state_key::evaluator_count(), 0);

    fn key(address: &Address) -> String {
        state_key::evaluator(address)
    }
    fn prefix() -> &'static str {
        state_key::evaluators()
    }
    fn registry_limits(params: &Params) -> (&str, u32) {
        (&params.min_evaluator_bond, params.max_evaluators)
    }
    fn not_found(address: &Address) -> StakingError {
        StakingError::EvaluatorNotFound(address.to_string())
    }
    fn already_registered(address: &Address) -> StakingError {
        StakingError::EvaluatorExists(address.to_string())
    }
    fn registry_full(max: u32) -> StakingError {
        StakingError::TooManyEvaluators(max)
    }
    bonded_record_fields!();
    fn on_unjail(&mut self, height: u64) {
        self.active_since_height = height;
    }
    fn unjailed_event(&self) -> EventEvaluatorUnjailed {
        EventEvaluatorUnjailed {
            evaluator: self.address.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaizen_framework::ErrorCode;

    fn jailed_operator(until: u64) -> DaOperator {
        DaOperator {
            address: "kaizen1op".into(),
            bond: "1000".into(),
            jailed: true,
            jailed_until_height: until,
            consecutive_misses: 3,
            ..Default::default()
        }
    }

    #[test]
    fn both_roles_unjail_by_one_rule_and_keep_their_codes() {
        let mut op = jailed_operator(50);
        let mut ev = Evaluator {
            address: "kaizen1ev".into(),
            jailed: true,
            jailed_until_height: 50,
            faults: 2,
            ..Default::default()
        };
        let early = op.unjail(49).unwrap_err();
        assert_eq!(early.code(), 10, "{early}");
        assert_eq!(ev.unjail(49).unwrap_err().code(), 10);
        op.unjail(50).unwrap();
        ev.unjail(50).unwrap();
        assert!(!op.jailed && !ev.jailed);
        // A DA operator's miss streak ends with its jail; an evaluator's tally stays.
        assert_eq!(op.consecutive_misses, 0);
        assert_eq!(ev.faults, 2);
        assert_eq!(op.unjail(60).unwrap_err().code(), 9);
        assert_eq!(ev.unjail(60).unwrap_err().code(), 9);
    }

    #[test]
    fn jailing_extends_a_running_jail_and_starts_a_new_one() {
        let mut op = jailed_operator(80);
        op.jail(70);
        assert_eq!((op.jailed, op.jailed_until_height), (true, 80));
        op.unjail(80).unwrap();
        op.jail(200);
        assert_eq!((op.jailed, op.jailed_until_height), (true, 200));
    }

    #[test]
    fn roles_keep_their_own_keys_limits_and_errors() {
        let who = Address::for_module("staking-test-role");
        assert_eq!(DaOperator::key(&who), state_key::da_operator(&who));
        assert_eq!(Evaluator::key(&who), state_key::evaluator(&who));
        assert!(DaOperator::key(&who).starts_with(DaOperator::prefix()));
        assert!(Evaluator::key(&who).starts_with(Evaluator::prefix()));
        assert_ne!(DaOperator::COUNT, Evaluator::COUNT);
        let params = Params {
            min_da_bond: "5".into(),
            max_da_operators: 7,
            min_evaluator_bond: "6".into(),
            max_evaluators: 8,
            ..Default::default()
        };
        assert_eq!(DaOperator::registry_limits(&params), ("5", 7));
        assert_eq!(Evaluator::registry_limits(&params), ("6", 8));
        assert_eq!(DaOperator::not_found(&who).code(), 8);
        assert_eq!(Evaluator::not_found(&who).code(), 13);
        assert_eq!(DaOperator::already_registered(&who).code(), 2);
        assert_eq!(Evaluator::already_registered(&who).code(), 12);
        assert_eq!(DaOperator::registry_full(7).code(), 11);
        assert_eq!(Evaluator::registry_full(8).code(), 14);
    }

    #[test]
    fn slashes_are_parts_per_million_of_the_bond_rounded_down() {
        assert_eq!(slash_amount(1_000_000, 100_000).unwrap(), 100_000);
        assert_eq!(slash_amount(999, 1_000).unwrap(), 0);
        assert_eq!(slash_amount(1_000, 2_000_000).unwrap(), 1_000);
        assert!(slash_amount(u128::MAX, 2).is_err());
    }
}
