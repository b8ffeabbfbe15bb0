//! Handler tests on a temporary store: each handler of `da`, run as the app runs it.

mod answer_challenge;
mod certify_blob;
mod pay_for_blob;
mod setup;
mod submit_randomness;
