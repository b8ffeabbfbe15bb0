//! Counters kept in state: a `u64` under one key that hands out ids in order (account
//! numbers, job, bounty, submission, model and challenge ids) or counts registrations.

use cnidarium::{StateRead, StateWrite};

use crate::{
    error::{HandlerError, TxError},
    gas::GasMeter,
    store::{MeteredStateRead, MeteredStateWrite},
};

/// A `u64` counter under one state key.
///
/// # Semantics
/// The key holds the *next* value to hand out, as 8 big-endian bytes. While the key is
/// absent, the next value is the counter's `first`: 0 (account numbers, as in the
/// Cosmos SDK; challenge ids; registry sizes) or 1 (ids where 0 means "none" in a
/// message, such as a bounty's or a model's id). The owner picks `first` once; ids that
/// users see depend on it, so it never changes on a running chain.
///
/// [`take`](Self::take) returns the next value and stores it plus one. The arithmetic is
/// checked: a counter whose next value is `u64::MAX` is exhausted and fails with
/// [`CounterError::Exhausted`] rather than hand out a value twice. Every read and write
/// is metered like any other (one read and one write per `take`).
///
/// # Invariants
/// Values come out strictly increasing, each at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    key: &'static str,
    first: u64,
}

/// Why a counter could not move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterError {
    /// Every value has been handed out.
    Exhausted { key: &'static str },
    /// Reading or writing it failed (out of gas, storage, a stored value not 8 bytes).
    State(HandlerError),
}

impl From<HandlerError> for CounterError {
    fn from(e: HandlerError) -> Self {
        Self::State(e)
    }
}

/// An exhausted counter is not the user's doing: it reads as an internal error unless
/// its owner maps it to an error of its own.
impl From<CounterError> for HandlerError {
    fn from(e: CounterError) -> Self {
        match e {
            CounterError::Exhausted { key } => {
                TxError::Internal(format!("counter {key} is exhausted")).into()
            }
            CounterError::State(e) => e,
        }
    }
}

impl Counter {
    /// The counter under `key` whose first value is `first`.
    pub const fn new(key: &'static str, first: u64) -> Self {
        Self { key, first }
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The next value, without taking it (for a registry: how many are registered).
    pub async fn peek<S: StateRead + ?Sized>(
        &self,
        state: &S,
        gas: &GasMeter,
    ) -> Result<u64, HandlerError> {
        let stored = state.get_raw_metered(gas, self.key).await?;
        self.decode(stored.as_deref())
    }

    /// Takes the next value: returns it and stores the one after it.
    pub async fn take<S: StateWrite + ?Sized>(
        &self,
        state: &mut S,
        gas: &GasMeter,
    ) -> Result<u64, CounterError> {
        let value = self.peek(state, gas).await?;
        self.advance_past(state, gas, value)?;
        Ok(value)
    }

    /// Records `value`, read with [`peek`](Self::peek) in the same transaction, as taken:
    /// stores the value after it. For callers that check the next value against a limit
    /// before they take it (one read, one write, as with [`take`](Self::take)).
    pub fn advance_past<S: StateWrite + ?Sized>(
        &self,
        state: &mut S,
        gas: &GasMeter,
        value: u64,
    ) -> Result<(), CounterError> {
        let next = self.after(value)?;
        state.put_raw_metered(gas, self.key.to_string(), next.to_be_bytes().to_vec())?;
        Ok(())
    }

    /// The next value given what is stored under the key.
    fn decode(&self, stored: Option<&[u8]>) -> Result<u64, HandlerError> {
        match stored {
            None => Ok(self.first),
            Some(bytes) => <[u8; 8]>::try_from(bytes)
                .map(u64::from_be_bytes)
                .map_err(|_| {
                    HandlerError::internal(format!(
                        "counter {} holds {} bytes, not 8",
                        self.key,
                        bytes.len()
                    ))
                }),
        }
    }

    /// The value stored once `value` is taken.
    fn after(&self, value: u64) -> Result<u64, CounterError> {
        value
            .checked_add(1)
            .ok_or(CounterError::Exhausted { key: self.key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_key_hands_out_the_first_value() {
        assert_eq!(Counter::new("m/next_id", 1).decode(None), Ok(1));
        assert_eq!(Counter::new("m/next_number", 0).decode(None), Ok(0));
    }

    #[test]
    fn the_stored_value_is_the_next_one_big_endian() {
        let c = Counter::new("m/next_id", 1);
        assert_eq!(c.decode(Some(&7u64.to_be_bytes())), Ok(7));
        assert_eq!(c.after(7), Ok(8));
        assert!(c.decode(Some(&[0, 7])).is_err());
    }

    #[test]
    fn an_exhausted_counter_fails_instead_of_repeating() {
        let c = Counter::new("m/next_id", 1);
        assert_eq!(c.after(u64::MAX - 1), Ok(u64::MAX));
        assert_eq!(
            c.after(u64::MAX),
            Err(CounterError::Exhausted { key: "m/next_id" })
        );
        let e = HandlerError::from(CounterError::Exhausted { key: "m/next_id" });
        assert_eq!((e.codespace, e.code), ("sdk", 1));
        assert!(e.log.contains("m/next_id"), "{}", e.log);
    }
}
