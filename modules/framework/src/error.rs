//! Errors with stable codes. A transaction result carries `codespace` + `code` so that
//! clients can branch on them; the log carries the human sentence.

use std::fmt;

/// An error with a stable, documented code. Codes never change meaning once released.
pub trait ErrorCode: fmt::Display {
    /// The module's namespace for its codes (`"sdk"`, `"bank"`, ...).
    fn codespace(&self) -> &'static str;
    /// Non-zero; unique within the codespace.
    fn code(&self) -> u32;
}

/// What a handler or the transaction pipeline reports back to ABCI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError {
    pub codespace: &'static str,
    pub code: u32,
    pub log: String,
}

impl HandlerError {
    pub fn new(err: &dyn ErrorCode) -> Self {
        Self {
            codespace: err.codespace(),
            code: err.code(),
            log: err.to_string(),
        }
    }

    /// A storage or encoding fault that is not the user's doing.
    pub fn internal(err: impl fmt::Display) -> Self {
        Self::new(&TxError::Internal(err.to_string()))
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (codespace {}, code {})",
            self.log, self.codespace, self.code
        )
    }
}

impl std::error::Error for HandlerError {}

impl From<TxError> for HandlerError {
    fn from(err: TxError) -> Self {
        Self::new(&err)
    }
}

/// Transaction-level failures, in codespace `sdk` with the Cosmos SDK's own codes, so
/// that wallets and explorers that know those codes read ours the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    #[error("internal error: {0}")]
    Internal(String),
    #[error("tx parse error: {0}")]
    TxDecode(String),
    #[error("account sequence mismatch, expected {expected}, got {got}")]
    WrongSequence { expected: u64, got: u64 },
    #[error("signature verification failed; please verify account number ({account_number}) and chain-id ({chain_id})")]
    Unauthorized {
        account_number: u64,
        chain_id: String,
    },
    #[error("insufficient funds: {0}")]
    InsufficientFunds(String),
    #[error("unknown message type: {0}")]
    UnknownRequest(String),
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    #[error("invalid pubkey: {0}")]
    InvalidPubKey(String),
    #[error("account {0} not found")]
    UnknownAddress(String),
    #[error("invalid coins: {0}")]
    InvalidCoins(String),
    #[error("out of gas in location: {location}; gasWanted: {limit}, gasUsed: {used}")]
    OutOfGas {
        location: &'static str,
        limit: u64,
        used: u64,
    },
    #[error("memo too large: {len} bytes, the limit is {max}")]
    MemoTooLarge { len: usize, max: usize },
    #[error("insufficient fee: {0}")]
    InsufficientFee(String),
    #[error("too many signatures: {0}")]
    TooManySignatures(String),
    #[error("no signatures supplied")]
    NoSignatures,
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("tx too large: {len} bytes, the limit is {max}")]
    TxTooLarge { len: usize, max: usize },
    #[error("tx timeout height {timeout} has passed (block {height})")]
    TxTimeoutHeight { timeout: u64, height: u64 },
    #[error("invalid gas limit: {0}")]
    InvalidGasLimit(String),
    /// The Cosmos SDK answers a transaction past the block's gas with `ErrOutOfGas`
    /// ("no block gas left to run tx"), so this shares code 11.
    #[error("out of gas: no block gas left to run tx: the tx wants {wanted}, {left} is left in this block")]
    BlockGasCapReached { wanted: u64, left: u64 },
    #[error("invalid chain-id: {0}")]
    InvalidChainId(String),
    /// A query for something the state does not hold. On gRPC it is `NOT_FOUND`; on ABCI
    /// it is 22, what the SDK's baseapp answers for a gRPC query that found nothing
    /// (`ErrKeyNotFound`).
    #[error("not found: {0}")]
    NotFound(String),
}

impl ErrorCode for TxError {
    fn codespace(&self) -> &'static str {
        "sdk"
    }

    fn code(&self) -> u32 {
        match self {
            TxError::Internal(_) => 1,
            TxError::TxDecode(_) => 2,
            TxError::Unauthorized { .. } => 4,
            TxError::InsufficientFunds(_) => 5,
            TxError::UnknownRequest(_) => 6,
            TxError::InvalidAddress(_) => 7,
            TxError::InvalidPubKey(_) => 8,
            TxError::UnknownAddress(_) => 9,
            TxError::InvalidCoins(_) => 10,
            TxError::OutOfGas { .. } => 11,
            TxError::MemoTooLarge { .. } => 12,
            TxError::InsufficientFee(_) => 13,
            TxError::TooManySignatures(_) => 14,
            TxError::NoSignatures => 15,
            TxError::InvalidRequest(_) => 18,
            TxError::TxTooLarge { .. } => 21,
            TxError::WrongSequence { .. } => 32,
            TxError::TxTimeoutHeight { .. } => 30,
            TxError::InvalidGasLimit(_) => 41,
            TxError::BlockGasCapReached { .. } => 11,
            TxError::InvalidChainId(_) => 28,
            TxError::NotFound(_) => 22,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_codes_match_the_cosmos_sdk_registry() {
        assert_eq!(TxError::TxDecode(String::new()).code(), 2);
        assert_eq!(
            TxError::WrongSequence {
                expected: 1,
                got: 2
            }
            .code(),
            32
        );
        assert_eq!(TxError::InsufficientFee(String::new()).code(), 13);
        assert_eq!(
            TxError::OutOfGas {
                location: "x",
                limit: 1,
                used: 2
            }
            .code(),
            11
        );
        assert_eq!(TxError::InvalidChainId(String::new()).code(), 28);
        assert_eq!(TxError::InvalidGasLimit(String::new()).code(), 41);
        assert_eq!(TxError::NotFound(String::new()).code(), 22);
        assert_eq!(
            TxError::BlockGasCapReached { wanted: 2, left: 1 }.code(),
            11
        );
        let e = HandlerError::from(TxError::NoSignatures);
        assert_eq!((e.codespace, e.code), ("sdk", 15));
    }
}
