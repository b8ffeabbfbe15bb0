//! `attest`: evaluation jobs and the committees that score them (DESIGN.md §4, §6).
//!
//! It owns the `attest/` key prefix and the [`ATTEST_POOL`] module account, which holds
//! each job's fee until the verdict.
//!
//! A job (created by `bounty` for a baseline or a revealed submission) runs in rounds.
//! Each round draws a committee of `committee_size` evaluators, weighted by bond, from
//! the epoch's VRF-fed seed (`kaizen_staking::randomness`, see `committee.rs`), leaving out the
//! jailed and the members that failed this job before. Members first send
//! `MsgCommitAttestation` (a hash of their outcome and a salt) within
//! `commit_window_blocks`; once every member committed, or the window ends with at least
//! `quorum` commitments, the reveal window opens and members send
//! `MsgRevealAttestation`. As soon as `quorum` reveals carry the same outcome (score and
//! predictions digest, or the same failure code) the job is final, in that very
//! transaction: the fee is split among the agreeing members and the job id is queued for
//! `bounty` (which settles in the same block's end). Members that revealed a different
//! outcome are slashed at once; members that never committed or never revealed are
//! slashed when their window ends. A round that ends without a quorum is re-assigned to
//! a fresh committee, at most `max_rounds` times; after that the job ends `NO_QUORUM`
//! and the fee goes back to whoever paid it.

pub mod committee;
#[cfg(feature = "component")]
pub mod component;
pub mod error;
pub mod events;
pub mod genesis;
#[cfg(feature = "component")]
pub mod handler;
#[cfg(feature = "component")]
pub mod lifecycle;
#[cfg(feature = "component")]
pub mod query;
pub mod state_key;
#[cfg(feature = "component")]
pub mod view;

#[cfg(feature = "component")]
pub use component::Attest;
pub use error::AttestError;
#[cfg(feature = "component")]
pub use handler::{commit_attestation::CommitAttestation, reveal_attestation::RevealAttestation};
pub use kaizen_proto::kaizen::attest::v1::{
    Artifacts, EvalLimits, EvaluationJob, JobKind, JobStatus, Outcome,
};
#[cfg(feature = "component")]
pub use lifecycle::NewJob;
#[cfg(feature = "component")]
pub use view::{AttestRead, AttestWrite};

use kaizen_framework::Address;
use sha2::{Digest, Sha256};

/// The module account holding job fees until the verdict.
pub const ATTEST_POOL: &str = "attest_pool";

pub fn attest_pool() -> Address {
    Address::for_module(ATTEST_POOL)
}

/// The failure code of an abstention: the evaluator could not finish within its own
/// machine's time or memory, although the job is within its `EvalLimits`. It counts
/// towards no outcome, is never slashed, and the evaluator is not drawn again for the
/// job (a round without a quorum goes to others).
pub const ABSTAIN_CODE: u32 = 100;

/// The failure code of an artifact no evaluator could fetch from DA (a certified blob
/// that is not recoverable): a quorum on it fails the job like any failure, and the
/// submission's fee pays the evaluators who tried.
pub const ARTIFACT_UNAVAILABLE_CODE: u32 = 10;

/// Salts are 16 to 64 bytes: enough that a commitment cannot be brute-forced.
pub const MIN_SALT_BYTES: usize = 16;
pub const MAX_SALT_BYTES: usize = 64;

/// The hash an evaluator commits to: the outcome bound to the job, the round and the
/// evaluator (so a commitment cannot be copied by another member or replayed in a later
/// round), with a salt so that it reveals nothing before the reveal.
pub fn attestation_commitment(
    job_id: u64,
    round: u32,
    evaluator: &str,
    score_ppm: u64,
    predictions_digest: &[u8],
    failure_code: u32,
    salt: &[u8],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"kaizen/attest/v1");
    h.update(job_id.to_be_bytes());
    h.update(round.to_be_bytes());
    h.update((evaluator.len() as u64).to_be_bytes());
    h.update(evaluator.as_bytes());
    h.update(score_ppm.to_be_bytes());
    h.update((predictions_digest.len() as u64).to_be_bytes());
    h.update(predictions_digest);
    h.update(failure_code.to_be_bytes());
    h.update(salt);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_bind_every_field() {
        let base = attestation_commitment(1, 0, "kaizen1a", 5, &[1; 32], 0, &[9; 16]);
        assert_ne!(
            base,
            attestation_commitment(2, 0, "kaizen1a", 5, &[1; 32], 0, &[9; 16])
        );
        assert_ne!(
            base,
            attestation_commitment(1, 1, "kaizen1a", 5, &[1; 32], 0, &[9; 16])
        );
        assert_ne!(
            base,
            attestation_commitment(1, 0, "kaizen1b", 5, &[1; 32], 0, &[9; 16])
        );
        assert_ne!(
            base,
            attestation_commitment(1, 0, "kaizen1a", 6, &[1; 32], 0, &[9; 16])
        );
        assert_ne!(
            base,
            attestation_commitment(1, 0, "kaizen1a", 5, &[2; 32], 0, &[9; 16])
        );
        assert_ne!(
            base,
            attestation_commitment(1, 0, "kaizen1a", 5, &[1; 32], 1, &[9; 16])
        );
        assert_ne!(
            base,
            attestation_commitment(1, 0, "kaizen1a", 5, &[1; 32], 0, &[8; 16])
        );
    }
}
