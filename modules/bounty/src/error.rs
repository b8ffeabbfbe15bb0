//! Errors of the `bounty` module (codespace `bounty`).

use kaizen_framework::{ErrorCode, HandlerError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BountyError {
    #[error("bounty {0} does not exist")]
    BountyNotFound(u64),
    #[error("invalid bounty: {0}")]
    InvalidBounty(String),
    #[error("invalid metric {0}")]
    InvalidMetric(String),
    #[error("blob {commitment} is not available on DA ({why})")]
    ArtifactNotAvailable { commitment: String, why: String },
    #[error("only the sponsor {0} may do this")]
    NotSponsor(String),
    #[error("bounty {id} can no longer be cancelled: {why}")]
    CannotCancel { id: u64, why: String },
    #[error("bounty {id} is not open for submissions ({why})")]
    NotOpen { id: u64, why: String },
    #[error("this commitment was already used")]
    CommitmentInUse,
    #[error("bounty {0} holds as many live submissions as it may; a slot frees when a commit expires or a verdict does not lead")]
    TooManySubmissions(u64),
    #[error("submission {0} does not exist")]
    SubmissionNotFound(u64),
    #[error("submission {id} was committed by {submitter}; only it may reveal")]
    NotSubmitter { id: u64, submitter: String },
    #[error("submission {0} was already revealed")]
    AlreadyRevealed(u64),
    #[error("the reveal window of submission {id} ended at height {until}")]
    RevealWindowOver { id: u64, until: u64 },
    #[error("the revealed model and salt do not match the commitment")]
    CommitmentMismatch,
    #[error("invalid model reference: {0}")]
    InvalidModelRef(String),
    #[error("model {0} does not exist")]
    ModelNotFound(u64),
    #[error("salt must be {min} to {max} bytes, got {got}")]
    InvalidSalt { got: usize, min: usize, max: usize },
    #[error("{what} {got}ukzn is below the chain's minimum {min}ukzn")]
    BelowMinimum {
        what: &'static str,
        got: u128,
        min: u128,
    },
}

impl ErrorCode for BountyError {
    fn codespace(&self) -> &'static str {
        "bounty"
    }
    fn code(&self) -> u32 {
        match self {
            BountyError::BountyNotFound(_) => 2,
            BountyError::InvalidBounty(_) => 3,
            BountyError::InvalidMetric(_) => 4,
            BountyError::ArtifactNotAvailable { .. } => 5,
            BountyError::NotSponsor(_) => 6,
            BountyError::CannotCancel { .. } => 7,
            BountyError::NotOpen { .. } => 8,
            BountyError::CommitmentInUse => 9,
            BountyError::TooManySubmissions(_) => 10,
            BountyError::SubmissionNotFound(_) => 11,
            BountyError::NotSubmitter { .. } => 12,
            BountyError::AlreadyRevealed(_) => 13,
            BountyError::RevealWindowOver { .. } => 14,
            BountyError::CommitmentMismatch => 15,
            BountyError::InvalidModelRef(_) => 16,
            BountyError::ModelNotFound(_) => 17,
            BountyError::InvalidSalt { .. } => 18,
            BountyError::BelowMinimum { .. } => 19,
        }
    }
}

impl From<BountyError> for HandlerError {
    fn from(e: BountyError) -> Self {
        Self::new(&e)
    }
}
