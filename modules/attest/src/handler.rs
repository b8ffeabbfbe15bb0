//! One handler per message of `attest`.

pub mod commit_attestation;
pub mod reveal_attestation;
