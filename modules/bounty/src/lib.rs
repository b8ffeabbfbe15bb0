//! `bounty`: model-improvement bounties (DESIGN.md §1, §4, §6).
//!
//! It owns the `bounty/` key prefix and the [`BOUNTY_ESCROW`] module account, which holds
//! rewards and submission fees until a bounty closes.
//!
//! - `MsgCreateBounty` escrows the reward and asks `attest` to score the baseline model
//!   on the test set (both certified DA blobs); once that verdict is final the bounty is
//!   `OPEN` with its target (absolute, or the baseline plus an improvement).
//! - `MsgCommitSubmission` seals `SHA-256(bounty, submitter, model reference, salt)`
//!   ([`submission_commitment`]) and pays the submission fee; its height is the
//!   submission's priority. `MsgRevealSubmission` opens it within `reveal_window_blocks`
//!   (a full model blob, or a registered parent model plus a patch blob) and the fee
//!   becomes the evaluators' fee for the submission's job. Copying someone's revealed
//!   model needs a new commit, which comes later and so loses every tie and race.
//! - Settlement, in the end-block of the block where the deciding verdict becomes final
//!   (see `settlement.rs`): first-to-beat pays the beating submission with the earliest
//!   commit once every earlier commit is decided; best-by-deadline pays the best beating
//!   score once the deadline passed and every revealed submission is decided. Nobody
//!   beating the target by the deadline refunds the sponsor. The reward is split exactly:
//!   the submitter's share, the verifiers' share evenly among the agreeing committee
//!   members, the division's remainder to the submitter.
//! - The winning model enters the registry with its lineage and royalty beneficiaries.
//! - Only the sponsor cancels, and only before the first commit.
//!
//! Without the `component` feature the crate offers its types and pure rules only:
//! [`submission_commitment`], [`metric::check_metric`] and the [`patch`] format
//! (`KZPATCH1`), shared by the chain, the CLI and the evaluator.

#[cfg(feature = "component")]
pub mod component;
pub mod error;
pub mod events;
pub mod genesis;
#[cfg(feature = "component")]
pub mod handler;
pub mod metric;
pub mod patch;
#[cfg(feature = "component")]
pub mod query;
#[cfg(feature = "component")]
pub mod settlement;
pub mod state_key;
#[cfg(feature = "component")]
pub mod view;

#[cfg(feature = "component")]
pub use component::Bounties;
pub use error::BountyError;
#[cfg(feature = "component")]
pub use handler::{
    cancel_bounty::CancelBounty, commit_submission::CommitSubmission, create_bounty::CreateBounty,
    reveal_submission::RevealSubmission,
};
pub use kaizen_proto::kaizen::bounty::v1::{
    Bounty, BountyMode, BountyStatus, Model, Submission, SubmissionStatus,
};
#[cfg(feature = "component")]
pub use view::{BountyRead, BountyWrite};

use kaizen_framework::Address;
use sha2::{Digest, Sha256};

/// The module account holding rewards and submission fees.
pub const BOUNTY_ESCROW: &str = "bounty_escrow";

pub fn bounty_escrow() -> Address {
    Address::for_module(BOUNTY_ESCROW)
}

/// Salts are 16 to 64 bytes.
pub const MIN_SALT_BYTES: usize = 16;
pub const MAX_SALT_BYTES: usize = 64;

/// The failure code a submission gets when no committee reached a quorum.
pub const NO_QUORUM_FAILURE: u32 = 1000;

/// What a submitter commits to: its model reference bound to the bounty and to itself
/// (so nobody can reveal someone else's commitment), salted.
pub fn submission_commitment(
    bounty_id: u64,
    submitter: &str,
    model: &[u8],
    parent_model_id: u64,
    patch: &[u8],
    salt: &[u8],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"kaizen/bounty/v1/submission");
    h.update(bounty_id.to_be_bytes());
    h.update((submitter.len() as u64).to_be_bytes());
    h.update(submitter.as_bytes());
    h.update((model.len() as u64).to_be_bytes());
    h.update(model);
    h.update(parent_model_id.to_be_bytes());
    h.update((patch.len() as u64).to_be_bytes());
    h.update(patch);
    h.update(salt);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_bind_the_bounty_the_submitter_and_the_model() {
        let a = submission_commitment(1, "kaizen1a", &[1; 32], 0, &[], &[7; 16]);
        assert_ne!(
            a,
            submission_commitment(2, "kaizen1a", &[1; 32], 0, &[], &[7; 16])
        );
        assert_ne!(
            a,
            submission_commitment(1, "kaizen1b", &[1; 32], 0, &[], &[7; 16])
        );
        assert_ne!(
            a,
            submission_commitment(1, "kaizen1a", &[2; 32], 0, &[], &[7; 16])
        );
        assert_ne!(
            a,
            submission_commitment(1, "kaizen1a", &[], 3, &[1; 32], &[7; 16])
        );
        assert_ne!(
            a,
            submission_commitment(1, "kaizen1a", &[1; 32], 0, &[], &[8; 16])
        );
    }
}
