//! Decoding of Cosmos SDK transactions (`cosmos.tx.v1beta1.TxRaw`), with every check
//! that needs no state: size, canonical encoding, known messages, signer layout, fee form.

use cosmrs::proto::cosmos::tx::v1beta1::{AuthInfo, TxBody, TxRaw};
use kaizen_framework::{Address, Coins, HandlerError, TxError, NATIVE_DENOM};
use sha2::{Digest, Sha256};

use crate::msg::{decode_canonical, Msg};

/// A transaction that passed every stateless check.
///
/// # Invariants
/// `signers` are the distinct signers of `msgs` in order of first appearance, and there
/// is exactly one `SignerInfo` and one signature per signer, in the same order.
#[derive(Debug, Clone)]
pub struct DecodedTx {
    /// SHA-256 of the raw bytes: the hash CometBFT indexes the transaction by.
    pub hash: [u8; 32],
    pub len: usize,
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
    pub body: TxBody,
    pub auth_info: AuthInfo,
    pub signatures: Vec<Vec<u8>>,
    pub msgs: Vec<Msg>,
    pub signers: Vec<Address>,
    pub gas_limit: u64,
    pub fee: Coins,
}

/// Limits applied while decoding; they come from genesis parameters.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    pub max_tx_bytes: u64,
    pub max_tx_gas: u64,
    pub max_memo_bytes: u64,
    pub max_signatures: u64,
    pub max_msgs: u64,
    /// Accept a zero gas limit (for `Simulate`, which measures the gas).
    pub allow_zero_gas: bool,
}

pub fn tx_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Decodes and checks a transaction without reading state.
pub fn decode_tx(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedTx, HandlerError> {
    let len = bytes.len();
    if len as u64 > limits.max_tx_bytes {
        return Err(TxError::TxTooLarge {
            len,
            max: limits.max_tx_bytes as usize,
        }
        .into());
    }
    if len == 0 {
        return Err(TxError::TxDecode("empty transaction".into()).into());
    }
    let raw: TxRaw = decode_canonical(bytes, "TxRaw")?;
    let body: TxBody = decode_canonical(&raw.body_bytes, "TxBody")?;
    let auth_info: AuthInfo = decode_canonical(&raw.auth_info_bytes, "AuthInfo")?;

    if !body.extension_options.is_empty() || !body.non_critical_extension_options.is_empty() {
        return Err(TxError::UnknownRequest(
            "transaction extension options are not supported".into(),
        )
        .into());
    }
    if body.memo.len() as u64 > limits.max_memo_bytes {
        return Err(TxError::MemoTooLarge {
            len: body.memo.len(),
            max: limits.max_memo_bytes as usize,
        }
        .into());
    }
    if body.messages.is_empty() {
        return Err(TxError::InvalidRequest("transaction has no messages".into()).into());
    }
    if body.messages.len() as u64 > limits.max_msgs {
        return Err(TxError::InvalidRequest(format!(
            "{} messages, at most {} allowed",
            body.messages.len(),
            limits.max_msgs
        ))
        .into());
    }
    let msgs = body
        .messages
        .iter()
        .map(Msg::from_any)
        .collect::<Result<Vec<_>, _>>()?;
    let mut signers: Vec<Address> = Vec::new();
    for m in &msgs {
        m.check_stateless()?;
        for s in m.signers()? {
            if !signers.contains(&s) {
                signers.push(s);
            }
        }
    }
    if raw.signatures.is_empty() {
        return Err(TxError::NoSignatures.into());
    }
    if signers.len() as u64 > limits.max_signatures {
        return Err(TxError::TooManySignatures(format!(
            "{} signers, at most {}",
            signers.len(),
            limits.max_signatures
        ))
        .into());
    }
    if raw.signatures.len() != signers.len() || auth_info.signer_infos.len() != signers.len() {
        return Err(TxError::InvalidRequest(format!(
            "{} signers expected by the messages, got {} signer infos and {} signatures",
            signers.len(),
            auth_info.signer_infos.len(),
            raw.signatures.len()
        ))
        .into());
    }

    let fee = auth_info
        .fee
        .as_ref()
        .ok_or_else(|| TxError::InsufficientFee("the transaction has no fee field".into()))?;
    if !fee.payer.is_empty() || !fee.granter.is_empty() {
        return Err(
            TxError::InvalidRequest("fee payer and fee granter are not supported".into()).into(),
        );
    }
    if (fee.gas_limit == 0 && !limits.allow_zero_gas) || fee.gas_limit > limits.max_tx_gas {
        return Err(TxError::InvalidGasLimit(format!(
            "gas limit {} must be between 1 and {}",
            fee.gas_limit, limits.max_tx_gas
        ))
        .into());
    }
    let fee_coins = Coins::from_proto(&fee.amount)?;
    if fee_coins.iter().any(|(d, _)| d != NATIVE_DENOM) {
        return Err(
            TxError::InsufficientFee(format!("fees are paid in {NATIVE_DENOM} only")).into(),
        );
    }

    Ok(DecodedTx {
        hash: tx_hash(bytes),
        len,
        gas_limit: fee.gas_limit,
        fee: fee_coins,
        body_bytes: raw.body_bytes,
        auth_info_bytes: raw.auth_info_bytes,
        body,
        auth_info,
        signatures: raw.signatures,
        msgs,
        signers,
    })
}
