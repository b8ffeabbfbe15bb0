//! Routing of messages to their module's handler: an explicit `match` on the type URL.
//! A type URL not listed here is refused at decoding, so no unknown message reaches
//! state.

use cnidarium::StateWrite;
use cosmrs::proto::{cosmos::bank::v1beta1::MsgSend, Any};
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx, TxError};
use kaizen_proto::kaizen::{
    attest::v1 as attest, bounty::v1 as bounty, da::v1 as da, staking::v1 as staking,
};
use prost::{Message, Name};

/// Every message Kaizen executes.
#[derive(Debug, Clone, PartialEq)]
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
    /// `/kaizen.staking.v1.MsgRegisterEvaluator`
    RegisterEvaluator(kaizen_staking::RegisterEvaluator),
    /// `/kaizen.staking.v1.MsgUnjailEvaluator`
    UnjailEvaluator(kaizen_staking::UnjailEvaluator),
    /// `/kaizen.attest.v1.MsgCommitAttestation`
    CommitAttestation(kaizen_attest::CommitAttestation),
    /// `/kaizen.attest.v1.MsgRevealAttestation`
    RevealAttestation(kaizen_attest::RevealAttestation),
    /// `/kaizen.bounty.v1.MsgCreateBounty`
    CreateBounty(kaizen_bounty::CreateBounty),
    /// `/kaizen.bounty.v1.MsgCancelBounty`
    CancelBounty(kaizen_bounty::CancelBounty),
    /// `/kaizen.bounty.v1.MsgCommitSubmission`
    CommitSubmission(kaizen_bounty::CommitSubmission),
    /// `/kaizen.bounty.v1.MsgRevealSubmission`
    RevealSubmission(kaizen_bounty::RevealSubmission),
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
            Msg::RegisterEvaluator($m) => $body,
            Msg::UnjailEvaluator($m) => $body,
            Msg::CommitAttestation($m) => $body,
            Msg::RevealAttestation($m) => $body,
            Msg::CreateBounty($m) => $body,
            Msg::CancelBounty($m) => $body,
            Msg::CommitSubmission($m) => $body,
            Msg::RevealSubmission($m) => $body,
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
        } else if url == staking::MsgRegisterEvaluator::type_url() {
            Msg::RegisterEvaluator(parse::<staking::MsgRegisterEvaluator, _>(any)?)
        } else if url == staking::MsgUnjailEvaluator::type_url() {
            Msg::UnjailEvaluator(parse::<staking::MsgUnjailEvaluator, _>(any)?)
        } else if url == attest::MsgCommitAttestation::type_url() {
            Msg::CommitAttestation(parse::<attest::MsgCommitAttestation, _>(any)?)
        } else if url == attest::MsgRevealAttestation::type_url() {
            Msg::RevealAttestation(parse::<attest::MsgRevealAttestation, _>(any)?)
        } else if url == bounty::MsgCreateBounty::type_url() {
            Msg::CreateBounty(parse::<bounty::MsgCreateBounty, _>(any)?)
        } else if url == bounty::MsgCancelBounty::type_url() {
            Msg::CancelBounty(parse::<bounty::MsgCancelBounty, _>(any)?)
        } else if url == bounty::MsgCommitSubmission::type_url() {
            Msg::CommitSubmission(parse::<bounty::MsgCommitSubmission, _>(any)?)
        } else if url == bounty::MsgRevealSubmission::type_url() {
            Msg::RevealSubmission(parse::<bounty::MsgRevealSubmission, _>(any)?)
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
