//! Routing of messages to their module's handler. Each message is listed once, in
//! [`messages!`]: its proto type and its handler; the `Msg` enum, the decoder by type URL
//! and the dispatch expand from that list. A type URL not listed is refused at decoding,
//! so no unknown message reaches state.

use cnidarium::StateWrite;
use cosmrs::proto::{cosmos::bank::v1beta1::MsgSend, Any};
use kaizen_framework::{Address, HandlerError, MsgHandler, TxCtx, TxError};
use kaizen_proto::kaizen::{
    attest::v1 as attest, bounty::v1 as bounty, da::v1 as da, staking::v1 as staking,
};
use prost::{Message, Name};

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

/// Declares every message: `Variant: ProtoType => Handler,`.
macro_rules! messages {
    ($( $variant:ident: $proto:ty => $handler:ty, )*) => {
        /// Every message Kaizen executes.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Msg {
            $( $variant($handler), )*
        }

        impl Msg {
            pub fn from_any(any: &Any) -> Result<Self, HandlerError> {
                let url = any.type_url.as_str();
                $(
                    if url == <$proto>::type_url() {
                        return Ok(Msg::$variant(parse::<$proto, _>(any)?));
                    }
                )*
                Err(TxError::UnknownRequest(format!(
                    "{url:?} is not a message this chain executes"
                ))
                .into())
            }

            /// The type URLs of every message, in the order listed.
            pub fn type_urls() -> Vec<String> {
                vec![$( <$proto>::type_url(), )*]
            }

            pub fn signers(&self) -> Result<Vec<Address>, HandlerError> {
                match self {
                    $( Msg::$variant(m) => m.signers(), )*
                }
            }

            pub fn check_stateless(&self) -> Result<(), HandlerError> {
                match self {
                    $( Msg::$variant(m) => m.check_stateless(), )*
                }
            }

            pub async fn check_and_execute<S: StateWrite>(
                &self,
                state: &mut S,
                ctx: &TxCtx<'_>,
            ) -> Result<(), HandlerError> {
                match self {
                    $( Msg::$variant(m) => m.check_and_execute(state, ctx).await, )*
                }
            }
        }
    };
}

messages! {
    BankSend: MsgSend => kaizen_bank::Send,
    RegisterDaOperator: staking::MsgRegisterDaOperator => kaizen_staking::RegisterDaOperator,
    UnjailDaOperator: staking::MsgUnjailDaOperator => kaizen_staking::UnjailDaOperator,
    PayForBlob: da::MsgPayForBlob => kaizen_da_module::PayForBlob,
    CertifyBlob: da::MsgCertifyBlob => kaizen_da_module::CertifyBlob,
    AnswerChallenge: da::MsgAnswerChallenge => kaizen_da_module::AnswerChallenge,
    SubmitRandomness: da::MsgSubmitRandomness => kaizen_da_module::SubmitRandomness,
    RegisterEvaluator: staking::MsgRegisterEvaluator => kaizen_staking::RegisterEvaluator,
    UnjailEvaluator: staking::MsgUnjailEvaluator => kaizen_staking::UnjailEvaluator,
    CommitAttestation: attest::MsgCommitAttestation => kaizen_attest::CommitAttestation,
    RevealAttestation: attest::MsgRevealAttestation => kaizen_attest::RevealAttestation,
    CreateBounty: bounty::MsgCreateBounty => kaizen_bounty::CreateBounty,
    CancelBounty: bounty::MsgCancelBounty => kaizen_bounty::CancelBounty,
    CommitSubmission: bounty::MsgCommitSubmission => kaizen_bounty::CommitSubmission,
    RevealSubmission: bounty::MsgRevealSubmission => kaizen_bounty::RevealSubmission,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_message_is_decoded_and_nothing_else() {
        let urls = Msg::type_urls();
        let unique: std::collections::BTreeSet<_> = urls.iter().collect();
        assert_eq!(unique.len(), urls.len(), "a type URL listed twice");
        for url in &urls {
            // A listed URL reaches its decoder: garbage is a decode error (2), not an
            // unknown message (6).
            let any = Any {
                type_url: url.clone(),
                value: vec![0xff, 0xff],
            };
            let err = Msg::from_any(&any).unwrap_err();
            assert_eq!((err.codespace, err.code), ("sdk", 2), "{url}: {}", err.log);
        }
        let any = Any {
            type_url: "/cosmos.gov.v1.MsgVote".into(),
            value: Vec::new(),
        };
        let err = Msg::from_any(&any).unwrap_err();
        assert_eq!((err.codespace, err.code), ("sdk", 6));
    }
}
