//! Signature checks of `SIGN_MODE_DIRECT` transactions.

use std::{
    collections::{BTreeSet, VecDeque},
    sync::Mutex,
};

use cnidarium::StateWrite;
use cosmrs::proto::cosmos::{
    crypto::secp256k1::PubKey as Secp256k1PubKey,
    tx::{
        signing::v1beta1::SignMode,
        v1beta1::{mode_info, SignDoc, SignerInfo},
    },
};
use k256::ecdsa::{signature::Verifier, Signature, VerifyingKey};
use kaizen_framework::{Address, ExecMode, GasMeter, HandlerError, TxError};
use prost::{Message, Name};
use sha2::{Digest, Sha256};

use crate::{
    error::AuthError,
    view::{AccountRead, AccountWrite},
};

/// The bytes a signer signs: the `SignDoc` of Cosmos SDK's `SIGN_MODE_DIRECT`.
pub fn sign_doc_bytes(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
) -> Vec<u8> {
    SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_string(),
        account_number,
    }
    .encode_to_vec()
}

/// Verifies a 64-byte `r || s` secp256k1 ECDSA signature over SHA-256 of `msg`.
/// High-S signatures are rejected, as in Cosmos SDK, so that a signature cannot be
/// malleated into a second valid one.
pub fn verify_secp256k1(pubkey: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_sec1_bytes(pubkey) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(sig) else {
        return false;
    };
    if sig.normalize_s().is_some() {
        return false;
    }
    key.verify(msg, &sig).is_ok()
}

/// Remembers `(public key, message, signature)` triples that verified, so that a
/// transaction checked in `CheckTx` (or in a block's parallel pre-pass) is not verified
/// again. It only ever skips work: a miss verifies in full, so the outcome of a
/// transaction never depends on what the cache holds.
pub struct SignatureCache {
    inner: Mutex<CacheInner>,
    capacity: usize,
}

struct CacheInner {
    set: BTreeSet<[u8; 32]>,
    order: VecDeque<[u8; 32]>,
}

impl SignatureCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(CacheInner {
                set: BTreeSet::new(),
                order: VecDeque::new(),
            }),
            capacity,
        }
    }

    fn key(pubkey: &[u8], msg: &[u8], sig: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update((pubkey.len() as u64).to_be_bytes());
        h.update(pubkey);
        h.update((sig.len() as u64).to_be_bytes());
        h.update(sig);
        h.update(msg);
        h.finalize().into()
    }

    /// Verifies, consulting and filling the cache.
    pub fn verify(&self, pubkey: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        let key = Self::key(pubkey, msg, sig);
        if let Ok(inner) = self.inner.lock() {
            if inner.set.contains(&key) {
                return true;
            }
        }
        let ok = verify_secp256k1(pubkey, msg, sig);
        if ok && self.capacity > 0 {
            if let Ok(mut inner) = self.inner.lock() {
                if inner.set.insert(key) {
                    inner.order.push_back(key);
                    while inner.order.len() > self.capacity {
                        if let Some(old) = inner.order.pop_front() {
                            inner.set.remove(&old);
                        }
                    }
                }
            }
        }
        ok
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.set.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for SignatureCache {
    fn default() -> Self {
        Self::new(100_000)
    }
}

/// The compressed secp256k1 key in a signer info, checked for form.
pub fn signer_pubkey(info: &SignerInfo) -> Result<Vec<u8>, TxError> {
    let any = info
        .public_key
        .as_ref()
        .ok_or_else(|| TxError::InvalidPubKey("signer info has no public key".into()))?;
    if any.type_url != Secp256k1PubKey::type_url() {
        return Err(TxError::InvalidPubKey(format!(
            "unsupported key type {:?}, only {} is accepted",
            any.type_url,
            Secp256k1PubKey::type_url()
        )));
    }
    let pk = Secp256k1PubKey::decode(any.value.as_slice())
        .map_err(|e| TxError::InvalidPubKey(e.to_string()))?;
    if pk.key.len() != 33 {
        return Err(TxError::InvalidPubKey(format!(
            "secp256k1 key is {} bytes, want 33 (compressed)",
            pk.key.len()
        )));
    }
    match &info.mode_info {
        Some(mi) => match &mi.sum {
            Some(mode_info::Sum::Single(single)) if single.mode == SignMode::Direct as i32 => {}
            _ => {
                return Err(TxError::InvalidRequest(
                    "only single-signer SIGN_MODE_DIRECT is supported".into(),
                ))
            }
        },
        None => {
            return Err(TxError::InvalidRequest(
                "signer info has no mode info".into(),
            ))
        }
    }
    Ok(pk.key)
}

/// One signer of a transaction, to be checked against its account.
pub struct SignerCheck<'a> {
    pub address: Address,
    pub info: &'a SignerInfo,
    pub signature: &'a [u8],
}

/// Checks one signer and bumps its sequence: the account must exist, the key must be the
/// account's (or hash to its address when the account has none yet), the sequence must
/// be the account's, and the signature must verify. Charges the signature's gas.
///
/// In [`ExecMode::Simulate`] (gas estimation, nothing is kept) the key and signature are
/// not checked, since clients simulate before they sign; the gas is charged all the same.
#[allow(clippy::too_many_arguments)]
pub async fn check_signer<S: StateWrite>(
    state: &mut S,
    gas: &GasMeter,
    chain_id: &str,
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    signer: SignerCheck<'_>,
    cache: &SignatureCache,
    mode: ExecMode,
) -> Result<(), HandlerError> {
    let mut account = state
        .account(gas, &signer.address)
        .await?
        .ok_or_else(|| TxError::UnknownAddress(signer.address.to_string()))?;
    // A simulation may come without a key (the client has not chosen one yet); with one,
    // it takes the same path as the real transaction so that the gas matches.
    let simulate = mode == ExecMode::Simulate;
    let pubkey = if simulate && signer.info.public_key.is_none() {
        None
    } else {
        Some(signer_pubkey(signer.info)?)
    };
    if let Some(pubkey) = &pubkey {
        match &account.pub_key {
            Some(existing) => {
                let existing = Secp256k1PubKey::decode(existing.value.as_slice())
                    .map_err(HandlerError::internal)?;
                if &existing.key != pubkey {
                    return Err(TxError::InvalidPubKey(format!(
                        "the key does not match the one on account {}",
                        signer.address
                    ))
                    .into());
                }
            }
            None => {
                if Address::from_secp256k1_pubkey(pubkey)? != signer.address {
                    return Err(TxError::InvalidPubKey(format!(
                        "the key does not belong to {}",
                        signer.address
                    ))
                    .into());
                }
                account.pub_key = Some(cosmrs::proto::Any {
                    type_url: Secp256k1PubKey::type_url(),
                    value: Secp256k1PubKey {
                        key: pubkey.clone(),
                    }
                    .encode_to_vec(),
                });
            }
        }
    }
    if signer.info.sequence != account.sequence {
        return Err(TxError::WrongSequence {
            expected: account.sequence,
            got: signer.info.sequence,
        }
        .into());
    }
    gas.consume(gas.schedule().sig_verify_secp256k1, "signature")?;
    if let (Some(pubkey), false) = (&pubkey, simulate) {
        let msg = sign_doc_bytes(
            body_bytes,
            auth_info_bytes,
            chain_id,
            account.account_number,
        );
        if !cache.verify(pubkey, &msg, signer.signature) {
            return Err(TxError::Unauthorized {
                account_number: account.account_number,
                chain_id: chain_id.to_string(),
            }
            .into());
        }
    }
    account.sequence = account
        .sequence
        .checked_add(1)
        .ok_or_else(|| AuthError::SequenceOverflow(signer.address.to_string()))?;
    state.put_account(gas, &signer.address, &account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::{signature::Signer, SigningKey};

    fn key() -> SigningKey {
        SigningKey::from_slice(&[0x42; 32]).unwrap()
    }

    #[test]
    fn low_s_signatures_verify_and_high_s_twins_do_not() {
        let sk = key();
        let pk = sk.verifying_key().to_sec1_bytes();
        let sig: Signature = sk.sign(b"hello");
        let sig = sig.normalize_s().unwrap_or(sig);
        assert!(verify_secp256k1(&pk, b"hello", &sig.to_bytes()));
        assert!(!verify_secp256k1(&pk, b"hellp", &sig.to_bytes()));
        // The malleated twin (r, n - s) is valid ECDSA but must be refused.
        let (r, s) = sig.split_scalars();
        let twin = Signature::from_scalars(r, -*s).unwrap();
        assert!(!verify_secp256k1(&pk, b"hello", &twin.to_bytes()));
        assert!(!verify_secp256k1(&pk, b"hello", &[0u8; 10]));
        assert!(!verify_secp256k1(&[2u8; 5], b"hello", &sig.to_bytes()));
    }

    #[test]
    fn cache_remembers_only_valid_signatures_and_stays_bounded() {
        let cache = SignatureCache::new(2);
        let sk = key();
        let pk = sk.verifying_key().to_sec1_bytes();
        for m in [b"a", b"b", b"c"] {
            let sig: Signature = sk.sign(m);
            let sig = sig.normalize_s().unwrap_or(sig);
            assert!(cache.verify(&pk, m, &sig.to_bytes()));
        }
        assert_eq!(cache.len(), 2);
        assert!(!cache.verify(&pk, b"d", &[0u8; 64]));
        assert_eq!(cache.len(), 2);
    }
}
