//! Errors of the `auth` module (codespace `auth`). Transaction-level signature and
//! sequence failures use the `sdk` codes of [`kaizen_framework::TxError`].

use kaizen_framework::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("account numbers exhausted")]
    AccountNumberOverflow,
    #[error("sequence of {0} overflows")]
    SequenceOverflow(String),
}

impl ErrorCode for AuthError {
    fn codespace(&self) -> &'static str {
        "auth"
    }
    fn code(&self) -> u32 {
        match self {
            AuthError::AccountNumberOverflow => 2,
            AuthError::SequenceOverflow(_) => 3,
        }
    }
}

impl From<AuthError> for kaizen_framework::HandlerError {
    fn from(e: AuthError) -> Self {
        Self::new(&e)
    }
}
