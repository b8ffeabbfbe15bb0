//! Errors of the `da` module (codespace `da`).

use kaizen_framework::{ErrorCode, HandlerError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaError {
    #[error("invalid blob: {0}")]
    InvalidBlob(String),
    #[error("blob {0} is already paid for: it is live, or still inside its certify window")]
    BlobExists(String),
    #[error("fee {fee}ukzn is above the payer's max_fee {max}ukzn")]
    FeeAboveMax { fee: u128, max: u128 },
    #[error("no DA operators in the quorum of epoch {0}")]
    NoQuorum(u64),
    #[error("blob {0} is not paid for")]
    BlobNotFound(String),
    #[error("blob {0} is already certified")]
    AlreadyCertified(String),
    #[error("blob {commitment} could be certified until height {deadline}")]
    CertifyTooLate { commitment: String, deadline: u64 },
    #[error("invalid signer bitmap: {0}")]
    InvalidBitmap(String),
    #[error("signers hold {held} distinct shards, {needed} are needed")]
    NotEnoughShards { held: u64, needed: u64 },
    #[error("signers bond {held}ukzn, {needed}ukzn is needed")]
    NotEnoughBond { held: u128, needed: u128 },
    #[error("the aggregate signature does not verify for the claimed signers")]
    BadAggregateSignature,
    #[error("challenge {0} does not exist")]
    ChallengeNotFound(u64),
    #[error("challenge {0} is closed")]
    ChallengeClosed(u64),
    #[error("challenge {id} is addressed to {operator}")]
    NotChallenged { id: u64, operator: String },
    #[error("challenge {id} had to be answered by height {deadline}")]
    ChallengeTooLate { id: u64, deadline: u64 },
    #[error("the segment and its paths do not match the blob commitment")]
    BadStorageProof,
    #[error("randomness: {0}")]
    InvalidRandomness(String),
    #[error("{0} is not an active DA operator")]
    NotAnOperator(String),
    #[error(
        "{operator} is not in the quorum of epoch {epoch}: only its members draw the next seed"
    )]
    NotInQuorum { operator: String, epoch: u64 },
    #[error("{submitter} may not certify blob {commitment}: only its payer or a member of its quorum may")]
    NotCertifier {
        submitter: String,
        commitment: String,
    },
}

impl ErrorCode for DaError {
    fn codespace(&self) -> &'static str {
        "da"
    }
    fn code(&self) -> u32 {
        match self {
            DaError::InvalidBlob(_) => 2,
            DaError::BlobExists(_) => 3,
            DaError::FeeAboveMax { .. } => 4,
            DaError::NoQuorum(_) => 5,
            DaError::BlobNotFound(_) => 6,
            DaError::AlreadyCertified(_) => 7,
            DaError::CertifyTooLate { .. } => 8,
            DaError::InvalidBitmap(_) => 9,
            DaError::NotEnoughShards { .. } => 10,
            DaError::NotEnoughBond { .. } => 11,
            DaError::BadAggregateSignature => 12,
            DaError::ChallengeNotFound(_) => 13,
            DaError::ChallengeClosed(_) => 14,
            DaError::NotChallenged { .. } => 15,
            DaError::ChallengeTooLate { .. } => 16,
            DaError::BadStorageProof => 17,
            DaError::InvalidRandomness(_) => 18,
            DaError::NotAnOperator(_) => 19,
            DaError::NotInQuorum { .. } => 20,
            DaError::NotCertifier { .. } => 21,
        }
    }
}

impl From<DaError> for HandlerError {
    fn from(e: DaError) -> Self {
        Self::new(&e)
    }
}
