//! Handler tests on a temporary store: each handler of `bank`, run as the app runs it.

mod send;
mod setup;
