//! Handler tests on a temporary store: each handler of `staking`, run as the app runs it.

mod register_da_operator;
mod register_evaluator;
mod setup;
mod unjail;
