//! One handler per message of `staking`.

pub mod register_da_operator;
pub mod register_evaluator;
pub mod unjail;
pub mod unjail_da_operator;
pub mod unjail_evaluator;
