//! Errors of the `bank` module (codespace `bank`).

use kaizen_framework::{ErrorCode, HandlerError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    #[error("insufficient funds: {address} has {available}{denom}, needs {needed}{denom}")]
    InsufficientFunds {
        address: String,
        denom: String,
        available: u128,
        needed: u128,
    },
    #[error("no coins to send")]
    EmptyTransfer,
    #[error("balance of {address} in {denom} would overflow")]
    BalanceOverflow { address: String, denom: String },
    #[error("supply of {0} would overflow")]
    SupplyOverflow(String),
}

impl ErrorCode for BankError {
    fn codespace(&self) -> &'static str {
        "bank"
    }
    fn code(&self) -> u32 {
        match self {
            BankError::InsufficientFunds { .. } => 2,
            BankError::EmptyTransfer => 3,
            BankError::BalanceOverflow { .. } => 4,
            BankError::SupplyOverflow(_) => 5,
        }
    }
}

impl From<BankError> for HandlerError {
    fn from(e: BankError) -> Self {
        Self::new(&e)
    }
}
