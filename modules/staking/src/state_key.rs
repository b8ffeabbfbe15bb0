//! Every key of the `staking` module.

use kaizen_framework::Address;

/// The module's parameters (`kaizen.staking.v1.Params`).
pub fn params() -> &'static str {
    "staking/params"
}

/// A DA operator's registration (`kaizen.staking.v1.DaOperator`).
pub fn da_operator(address: &Address) -> String {
    format!("staking/da_operators/{address}")
}

/// Prefix of every DA operator, in address order.
pub fn da_operators() -> &'static str {
    "staking/da_operators/"
}

/// The operator that registered a BLS public key (its address as text): each key once.
pub fn da_bls_key(public_key: &[u8]) -> String {
    format!("staking/da_bls_keys/{}", hex::encode(public_key))
}

/// How many DA operators are registered (u64 big-endian).
pub const fn da_operator_count() -> &'static str {
    "staking/da_operator_count"
}

/// An evaluator's registration (`kaizen.staking.v1.Evaluator`).
pub fn evaluator(address: &Address) -> String {
    format!("staking/evaluators/{address}")
}

/// Prefix of every evaluator, in address order.
pub fn evaluators() -> &'static str {
    "staking/evaluators/"
}

/// How many evaluators are registered (u64 big-endian).
pub const fn evaluator_count() -> &'static str {
    "staking/evaluator_count"
}

/// The seed of an epoch (`kaizen.staking.v1.EpochSeed`).
pub fn epoch_seed(epoch: u64) -> String {
    format!("staking/epoch_seeds/{epoch:020}")
}

/// An operator's VRF output sent during `epoch`, for the seed of the epoch after it.
pub fn randomness_output(epoch: u64, operator: &Address) -> String {
    format!("staking/randomness/{epoch:020}/{operator}")
}

/// Prefix of the VRF outputs sent during `epoch`, in operator order.
pub fn randomness_outputs_of(epoch: u64) -> String {
    format!("staking/randomness/{epoch:020}/")
}
