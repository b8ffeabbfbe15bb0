//! Gas: every transaction declares a limit; the pipeline and the handlers charge for
//! bytes, signatures, state reads and writes, and stop the transaction when it runs out.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::TxError;

/// What each unit of work costs. The values are part of consensus: changing one changes
/// which transactions fit in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GasSchedule {
    pub tx_byte: u64,
    pub sig_verify_secp256k1: u64,
    pub read_flat: u64,
    pub read_byte: u64,
    pub write_flat: u64,
    pub write_byte: u64,
    pub delete: u64,
    pub event: u64,
    /// One BLS pairing check (a signature or an aggregate over one message).
    pub bls_pairing: u64,
    /// Adding one public key to an aggregate.
    pub bls_key_aggregate: u64,
}

impl GasSchedule {
    /// The schedule of Cosmos SDK's KV store and ante handler, so that `--gas` estimates
    /// feel familiar.
    pub const DEFAULT: GasSchedule = GasSchedule {
        tx_byte: 10,
        sig_verify_secp256k1: 1000,
        read_flat: 1000,
        read_byte: 3,
        write_flat: 2000,
        write_byte: 30,
        delete: 1000,
        event: 100,
        // About 40 secp256k1 checks' time each, measured with blst on this machine.
        bls_pairing: 40_000,
        bls_key_aggregate: 200,
    };
}

/// Counts gas used by one transaction against its limit.
///
/// # Invariants
/// `used <= limit` after every successful `consume`; a failed `consume` leaves `used`
/// at the limit, so that the reported gas used never exceeds the gas wanted.
#[derive(Debug)]
pub struct GasMeter {
    limit: u64,
    used: AtomicU64,
    schedule: GasSchedule,
}

impl GasMeter {
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            used: AtomicU64::new(0),
            schedule: GasSchedule::DEFAULT,
        }
    }

    /// For genesis and block hooks, whose work is bounded by construction.
    pub fn unlimited() -> Self {
        Self::new(u64::MAX)
    }

    pub fn schedule(&self) -> &GasSchedule {
        &self.schedule
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Charges `amount`; fails when the total would pass the limit.
    pub fn consume(&self, amount: u64, location: &'static str) -> Result<(), TxError> {
        let mut current = self.used.load(Ordering::Relaxed);
        loop {
            let next = current.saturating_add(amount);
            if next > self.limit {
                self.used.store(self.limit, Ordering::Relaxed);
                return Err(TxError::OutOfGas {
                    location,
                    limit: self.limit,
                    used: next,
                });
            }
            match self.used.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => current = actual,
            }
        }
    }

    /// `flat + per_byte * len`, saturating: a huge length simply runs out of gas.
    pub fn consume_bytes(
        &self,
        flat: u64,
        per_byte: u64,
        len: usize,
        location: &'static str,
    ) -> Result<(), TxError> {
        let len = u64::try_from(len).unwrap_or(u64::MAX);
        self.consume(flat.saturating_add(per_byte.saturating_mul(len)), location)
    }
}

/// The work a block hook may do: reads and writes metered with the transaction schedule
/// up to `budget` gas, and at most `per_kind` items of each kind of work.
///
/// # Invariants
/// The first item of each kind always starts (no kind starves behind another); a further
/// one only while the gas used is below the budget. A hook's work is at most the budget
/// plus one item of each kind; once an item is refused, [`deferred`](Self::deferred)
/// tells the caller that due work waits for the next block.
#[derive(Debug)]
pub struct BlockBudget {
    gas: GasMeter,
    budget: u64,
    per_kind: usize,
    deferred: bool,
}

impl BlockBudget {
    pub fn new(budget: u64, per_kind: usize) -> Self {
        Self {
            gas: GasMeter::unlimited(),
            budget,
            per_kind,
            deferred: false,
        }
    }

    /// The meter every read and write of the hook is charged to.
    pub fn gas(&self) -> &GasMeter {
        &self.gas
    }

    /// Whether one more item of a kind that already handled `handled` may start; when
    /// not, the rest of the due work is deferred.
    pub fn admits(&mut self, handled: usize) -> bool {
        let room = handled < self.per_kind && (handled == 0 || self.gas.used() < self.budget);
        self.deferred |= !room;
        room
    }

    pub fn deferred(&self) -> bool {
        self.deferred
    }

    pub fn used(&self) -> u64 {
        self.gas.used()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_budget_admits_items_while_below_its_gas_and_its_cap() {
        let mut b = BlockBudget::new(100, 2);
        assert!(b.admits(0) && b.admits(1));
        assert!(!b.admits(2), "the cap per kind");
        assert!(b.deferred());
        let mut b = BlockBudget::new(100, 10);
        b.gas().consume(99, "item").unwrap();
        assert!(b.admits(1), "below the budget an item starts");
        b.gas().consume(50, "item").unwrap();
        assert!(!b.admits(2) && b.deferred());
        assert!(b.admits(0), "the first of another kind still starts");
        assert_eq!(b.used(), 149);
    }

    #[test]
    fn meter_stops_at_the_limit_and_reports_it() {
        let meter = GasMeter::new(100);
        meter.consume(60, "a").unwrap();
        let err = meter.consume(41, "b").unwrap_err();
        assert!(matches!(
            err,
            TxError::OutOfGas {
                limit: 100,
                used: 101,
                ..
            }
        ));
        assert_eq!(meter.used(), 100);
    }

    #[test]
    fn byte_charges_saturate_instead_of_wrapping() {
        let meter = GasMeter::new(u64::MAX - 1);
        assert!(meter.consume_bytes(1, u64::MAX, usize::MAX, "x").is_err());
    }
}
