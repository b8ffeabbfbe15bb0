//! Errors of the `attest` module (codespace `attest`).

use kaizen_framework::{ErrorCode, HandlerError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestError {
    #[error("evaluation job {0} does not exist")]
    JobNotFound(u64),
    #[error("{evaluator} is not in the committee of job {job} round {round}")]
    NotCommitteeMember {
        evaluator: String,
        job: u64,
        round: u32,
    },
    #[error("{0} already committed in this round")]
    AlreadyCommitted(String),
    #[error("job {job} does not accept commitments now ({why})")]
    CommitClosed { job: u64, why: String },
    #[error("{0} has no commitment to reveal in this round")]
    NoCommitment(String),
    #[error("{0} already revealed in this round")]
    AlreadyRevealed(String),
    #[error("job {job} does not accept reveals now ({why})")]
    RevealNotOpen { job: u64, why: String },
    #[error("the revealed outcome and salt do not match the commitment")]
    CommitmentMismatch,
    #[error("invalid outcome: {0}")]
    InvalidOutcome(String),
    #[error("salt must be {min} to {max} bytes, got {got}")]
    InvalidSalt { got: usize, min: usize, max: usize },
    #[error("only {available} evaluators can be drawn; the job needs a quorum of {quorum}")]
    NotEnoughEvaluators { available: usize, quorum: u32 },
    #[error("invalid committee: {0}")]
    InvalidCommittee(String),
    #[error("the beacons of epochs {from} to {from}+{epochs} each have the most rounds waiting for them; try later")]
    BeaconsFull { from: u64, epochs: u64 },
}

impl ErrorCode for AttestError {
    fn codespace(&self) -> &'static str {
        "attest"
    }
    fn code(&self) -> u32 {
        match self {
            AttestError::JobNotFound(_) => 2,
            AttestError::NotCommitteeMember { .. } => 3,
            AttestError::AlreadyCommitted(_) => 4,
            AttestError::CommitClosed { .. } => 5,
            AttestError::NoCommitment(_) => 6,
            AttestError::AlreadyRevealed(_) => 7,
            AttestError::RevealNotOpen { .. } => 8,
            AttestError::CommitmentMismatch => 9,
            AttestError::InvalidOutcome(_) => 10,
            AttestError::InvalidSalt { .. } => 11,
            AttestError::NotEnoughEvaluators { .. } => 12,
            AttestError::InvalidCommittee(_) => 13,
            AttestError::BeaconsFull { .. } => 14,
        }
    }
}

impl From<AttestError> for HandlerError {
    fn from(e: AttestError) -> Self {
        Self::new(&e)
    }
}
