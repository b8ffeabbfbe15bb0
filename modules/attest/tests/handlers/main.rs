//! Handler tests on a temporary store: each handler of `attest`, run as the app runs it.

mod commit_attestation;
mod end_block;
mod reveal_attestation;
mod setup;
