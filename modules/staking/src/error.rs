//! Errors of the `staking` module (codespace `staking`).

use kaizen_framework::{ErrorCode, HandlerError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StakingError {
    #[error("{0} is already registered as a DA operator")]
    OperatorExists(String),
    #[error("invalid BLS public key: {0}")]
    InvalidBlsKey(String),
    #[error("the proof of possession does not verify for this BLS key")]
    InvalidProofOfPossession,
    #[error("BLS key is already registered by {0}")]
    BlsKeyInUse(String),
    #[error("bond {got}ukzn is below the minimum {min}ukzn")]
    BondTooLow { got: u128, min: u128 },
    #[error("invalid endpoint: {0}")]
    InvalidEndpoint(String),
    #[error("{0} is not a registered DA operator")]
    OperatorNotFound(String),
    #[error("{0} is not jailed")]
    NotJailed(String),
    #[error("{operator} is jailed until height {until}")]
    StillJailed { operator: String, until: u64 },
    #[error("the registry is full ({0} DA operators)")]
    TooManyOperators(u32),
    #[error("{0} is already registered as an evaluator")]
    EvaluatorExists(String),
    #[error("{0} is not a registered evaluator")]
    EvaluatorNotFound(String),
    #[error("the registry is full ({0} evaluators)")]
    TooManyEvaluators(u32),
}

impl ErrorCode for StakingError {
    fn codespace(&self) -> &'static str {
        "staking"
    }
    fn code(&self) -> u32 {
        match self {
            StakingError::OperatorExists(_) => 2,
            StakingError::InvalidBlsKey(_) => 3,
            StakingError::InvalidProofOfPossession => 4,
            StakingError::BlsKeyInUse(_) => 5,
            StakingError::BondTooLow { .. } => 6,
            StakingError::InvalidEndpoint(_) => 7,
            StakingError::OperatorNotFound(_) => 8,
            StakingError::NotJailed(_) => 9,
            StakingError::StillJailed { .. } => 10,
            StakingError::TooManyOperators(_) => 11,
            StakingError::EvaluatorExists(_) => 12,
            StakingError::EvaluatorNotFound(_) => 13,
            StakingError::TooManyEvaluators(_) => 14,
        }
    }
}

impl From<StakingError> for HandlerError {
    fn from(e: StakingError) -> Self {
        Self::new(&e)
    }
}
