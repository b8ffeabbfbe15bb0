//! Routing of messages to their module's handler: an explicit `match` on the type URL.
//! A type URL not listed here is refused at decoding, so no unknown message reaches
//! state.

use cnidarium::StateWrite;
use cosmrs::proto::{cosmos::bank::v1beta1::MsgSend, Any};
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx, TxError};
use kaizen_proto::kaizen::{da::v1 as da, staking::v1 as staking};
use prost::{Message, Name};

/// Every message Kaizen executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// `/cosmos.bank.v1beta1.MsgSend`
    BankSend(kaizen_bank::Send),
    /// `/kaizen.staking.v1.MsgRegisterDaOperator`
    RegisterDaOperator(kaizen_staking::RegisterDaOperator),
    /// `/kaizen.staking.v1.MsgUnjailDaOperator`
    UnjailDaOperator(kaizen_staking::UnjailDaOperator),
    /// `/kaizen.da.v1.MsgPayForBlob`
    PayForBlob(kaizen_da_module::PayForBlob),
    /// `/kaizen.da.v1.MsgCertifyBlob`
    CertifyBlob(kaizen_da_module::CertifyBlob),
    /// `/kaizen.da.v1.MsgAnswerChallenge`
    AnswerChallenge(kaizen_da_module::AnswerChallenge),
    /// `/kaizen.da.v1.MsgSubmitRandomness`
    SubmitRandomness(kaizen_da_module::SubmitRandomness),
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

/// Decodes a message of type `P` canonically and parses it into its handler `H`.
fn parse<P, H>(any: &Any) -> Result<H, HandlerError>
where
    P: Message + Default + Name,
    H: for<'a> TryFrom<&'a P, Error = HandlerError>,
{
    let msg: P = decode_canonical(&any.value, P::NAME)?;
    H::try_from(&msg)
}

/// Applies `$body` to the handler inside any variant.
macro_rules! each {
    ($self:expr, $m:ident => $body:expr) => {
        match $self {
            Msg::BankSend($m) => $body,
            Msg::RegisterDaOperator($m) => $body,
            Msg::UnjailDaOperator($m) => $body,
            Msg::PayForBlob($m) => $body,
            Msg::CertifyBlob($m) => $body,
            Msg::AnswerChallenge($m) => $body,
            Msg::SubmitRandomness($m) => $body,
        }
    };
}

impl Msg {
    pub fn from_any(any: &Any) -> Result<Self, HandlerError> {
        let url = any.type_url.as_str();
        Ok(if url == MsgSend::type_url() {
            Msg::BankSend(parse::<MsgSend, _>(any)?)
        } else if url == staking::MsgRegisterDaOperator::type_url() {
            Msg::RegisterDaOperator(parse::<staking::MsgRegisterDaOperator, _>(any)?)
        } else if url == staking::MsgUnjailDaOperator::type_url() {
            Msg::UnjailDaOperator(parse::<staking::MsgUnjailDaOperator, _>(any)?)
        } else if url == da::MsgPayForBlob::type_url() {
            Msg::PayForBlob(parse::<da::MsgPayForBlob, _>(any)?)
        } else if url == da::MsgCertifyBlob::type_url() {
            Msg::CertifyBlob(parse::<da::MsgCertifyBlob, _>(any)?)
        } else if url == da::MsgAnswerChallenge::type_url() {
            Msg::AnswerChallenge(parse::<da::MsgAnswerChallenge, _>(any)?)
        } else if url == da::MsgSubmitRandomness::type_url() {
            Msg::SubmitRandomness(parse::<da::MsgSubmitRandomness, _>(any)?)
        } else {
            return Err(TxError::UnknownRequest(format!(
                "{url:?} is not a message this chain executes"
            ))
            .into());
        })
    }

    pub fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        each!(self, m => m.signers())
    }

    pub fn check_stateless(&self) -> Result<(), HandlerError> {
        each!(self, m => m.check_stateless())
    }

    pub async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        each!(self, m => m.check_and_execute(state, ctx).await)
    }
}
