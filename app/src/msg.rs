//! Routing of messages to their module's handler: an explicit `match` on the type URL.
//! A type URL not listed here is refused at decoding, so no unknown message reaches
//! state.

use cnidarium::StateWrite;
use cosmrs::proto::{cosmos::bank::v1beta1::MsgSend, Any};
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx, TxError};
use prost::{Message, Name};

/// Every message Kaizen executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// `/cosmos.bank.v1beta1.MsgSend`
    BankSend(kaizen_bank::Send),
}

/// Decodes `bytes` as `T` and insists that re-encoding gives the same bytes, so that
/// every message has exactly one encoding (and no unknown fields ride along).
pub fn decode_canonical<T: Message + Default>(bytes: &[u8], what: &str) -> Result<T, TxError> {
    let value = T::decode(bytes).map_err(|e| TxError::TxDecode(format!("{what}: {e}")))?;
    if value.encoded_len() != bytes.len() || value.encode_to_vec() != bytes {
        return Err(TxError::TxDecode(format!(
            "{what} is not in canonical protobuf encoding"
        )));
    }
    Ok(value)
}

impl Msg {
    pub fn from_any(any: &Any) -> Result<Self, HandlerError> {
        match any.type_url.as_str() {
            url if url == MsgSend::type_url() => {
                let msg: MsgSend = decode_canonical(&any.value, "MsgSend")?;
                Ok(Msg::BankSend(kaizen_bank::Send::try_from(&msg)?))
            }
            other => Err(TxError::UnknownRequest(format!(
                "{other:?} is not a message this chain executes"
            ))
            .into()),
        }
    }

    pub fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        match self {
            Msg::BankSend(m) => m.signers(),
        }
    }

    pub fn check_stateless(&self) -> Result<(), HandlerError> {
        match self {
            Msg::BankSend(m) => m.check_stateless(),
        }
    }

    pub async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        match self {
            Msg::BankSend(m) => m.check_and_execute(state, ctx).await,
        }
    }
}
