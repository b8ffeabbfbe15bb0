//! BLS12-381 signatures (the `min_pk` variant: 48-byte G1 public keys, 96-byte G2
//! signatures) as DA operators and evaluators use them: availability signatures over a
//! common message aggregate into one signature checked with one pairing.
//!
//! Aggregating public keys is only safe when every key proved possession of its secret
//! (otherwise a rogue key `pk_x - pk_honest` forges an aggregate), so registration
//! requires a proof of possession under its own domain separation tag, and only keys so
//! registered are ever aggregated.

use blst::{
    min_pk::{AggregatePublicKey, AggregateSignature, PublicKey, SecretKey, Signature},
    BLST_ERROR,
};

/// Domain separation tag of ordinary signatures (the IETF draft's POP ciphersuite).
pub const DST_SIGNATURE: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Domain separation tag of proofs of possession.
pub const DST_POP: &[u8] = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

pub const PUBLIC_KEY_BYTES: usize = 48;
pub const SIGNATURE_BYTES: usize = 96;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlsError {
    #[error("BLS public key must be {PUBLIC_KEY_BYTES} compressed bytes of a valid G1 point not at infinity")]
    InvalidPublicKey,
    #[error("BLS signature must be {SIGNATURE_BYTES} compressed bytes of a valid G2 point")]
    InvalidSignature,
    #[error("BLS signature does not verify")]
    BadSignature,
    #[error("no public keys to aggregate")]
    Empty,
    #[error("secret key material must be at least 32 bytes")]
    ShortSeed,
}

/// A public key that parsed and passed the subgroup check.
pub fn parse_public_key(bytes: &[u8]) -> Result<PublicKey, BlsError> {
    if bytes.len() != PUBLIC_KEY_BYTES {
        return Err(BlsError::InvalidPublicKey);
    }
    let pk = PublicKey::key_validate(bytes).map_err(|_| BlsError::InvalidPublicKey)?;
    Ok(pk)
}

pub fn parse_signature(bytes: &[u8]) -> Result<Signature, BlsError> {
    if bytes.len() != SIGNATURE_BYTES {
        return Err(BlsError::InvalidSignature);
    }
    let sig = Signature::sig_validate(bytes, true).map_err(|_| BlsError::InvalidSignature)?;
    Ok(sig)
}

/// Checks a proof of possession: a signature by the key over its own compressed bytes,
/// under [`DST_POP`].
pub fn verify_proof_of_possession(public_key: &[u8], proof: &[u8]) -> Result<(), BlsError> {
    let pk = parse_public_key(public_key)?;
    let sig = parse_signature(proof)?;
    match sig.verify(true, public_key, DST_POP, &[], &pk, true) {
        BLST_ERROR::BLST_SUCCESS => Ok(()),
        _ => Err(BlsError::BadSignature),
    }
}

/// Checks one signature over `message` by every key in `public_keys` (each registered
/// with a proof of possession), aggregated into `aggregate`.
pub fn verify_aggregate(
    public_keys: &[&[u8]],
    message: &[u8],
    aggregate: &[u8],
) -> Result<(), BlsError> {
    if public_keys.is_empty() {
        return Err(BlsError::Empty);
    }
    let keys = public_keys
        .iter()
        .map(|k| parse_public_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&PublicKey> = keys.iter().collect();
    let agg_pk = AggregatePublicKey::aggregate(&refs, false)
        .map_err(|_| BlsError::InvalidPublicKey)?
        .to_public_key();
    let sig = parse_signature(aggregate)?;
    match sig.verify(true, message, DST_SIGNATURE, &[], &agg_pk, false) {
        BLST_ERROR::BLST_SUCCESS => Ok(()),
        _ => Err(BlsError::BadSignature),
    }
}

/// Checks one signature by one key.
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), BlsError> {
    verify_aggregate(&[public_key], message, signature)
}

/// A signing key, for operators' daemons and tests (never used by consensus code).
#[derive(Clone)]
pub struct BlsKey {
    secret: SecretKey,
}

impl std::fmt::Debug for BlsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlsKey({})", hex_lower(&self.public_key()))
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl BlsKey {
    /// Derives a key from at least 32 bytes of secret material (IETF KeyGen).
    pub fn from_seed(seed: &[u8]) -> Result<Self, BlsError> {
        if seed.len() < 32 {
            return Err(BlsError::ShortSeed);
        }
        let secret = SecretKey::key_gen(seed, &[]).map_err(|_| BlsError::ShortSeed)?;
        Ok(Self { secret })
    }

    pub fn public_key(&self) -> [u8; PUBLIC_KEY_BYTES] {
        self.secret.sk_to_pk().compress()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_BYTES] {
        self.secret.sign(message, DST_SIGNATURE, &[]).compress()
    }

    pub fn proof_of_possession(&self) -> [u8; SIGNATURE_BYTES] {
        self.secret
            .sign(&self.public_key(), DST_POP, &[])
            .compress()
    }

    /// The secret scalar, big-endian (to store the key in an operator's key file).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BlsError> {
        let secret = SecretKey::from_bytes(bytes).map_err(|_| BlsError::ShortSeed)?;
        Ok(Self { secret })
    }
}

/// Aggregates signatures (each parsed and subgroup-checked).
pub fn aggregate_signatures(signatures: &[&[u8]]) -> Result<[u8; SIGNATURE_BYTES], BlsError> {
    if signatures.is_empty() {
        return Err(BlsError::Empty);
    }
    let sigs = signatures
        .iter()
        .map(|s| parse_signature(s))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&Signature> = sigs.iter().collect();
    let agg =
        AggregateSignature::aggregate(&refs, false).map_err(|_| BlsError::InvalidSignature)?;
    Ok(agg.to_signature().compress())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> BlsKey {
        BlsKey::from_seed(&[n; 32]).unwrap()
    }

    #[test]
    fn aggregate_of_honest_signatures_verifies_and_a_missing_one_does_not() {
        let keys: Vec<BlsKey> = (1..=4).map(key).collect();
        let msg = b"kaizen availability";
        let sigs: Vec<[u8; 96]> = keys.iter().map(|k| k.sign(msg)).collect();
        let pks: Vec<[u8; 48]> = keys.iter().map(|k| k.public_key()).collect();
        let pk_refs: Vec<&[u8]> = pks.iter().map(|p| p.as_slice()).collect();
        let sig_refs: Vec<&[u8]> = sigs.iter().map(|s| s.as_slice()).collect();
        let agg = aggregate_signatures(&sig_refs).unwrap();
        verify_aggregate(&pk_refs, msg, &agg).unwrap();
        // Claiming a fourth signer whose signature is not in the aggregate fails.
        let three = aggregate_signatures(&sig_refs[..3]).unwrap();
        assert_eq!(
            verify_aggregate(&pk_refs, msg, &three),
            Err(BlsError::BadSignature)
        );
        assert_eq!(
            verify_aggregate(&pk_refs, b"other", &agg),
            Err(BlsError::BadSignature)
        );
    }

    #[test]
    fn proof_of_possession_binds_the_key() {
        let (a, b) = (key(1), key(2));
        verify_proof_of_possession(&a.public_key(), &a.proof_of_possession()).unwrap();
        assert!(verify_proof_of_possession(&b.public_key(), &a.proof_of_possession()).is_err());
        // An ordinary signature over the key bytes is not a proof (different DST).
        assert!(verify_proof_of_possession(&a.public_key(), &a.sign(&a.public_key())).is_err());
    }

    #[test]
    fn malformed_keys_and_signatures_are_rejected() {
        assert_eq!(
            parse_public_key(&[0u8; 48]).err(),
            Some(BlsError::InvalidPublicKey)
        );
        assert_eq!(
            parse_public_key(&[1u8; 47]).err(),
            Some(BlsError::InvalidPublicKey)
        );
        assert_eq!(
            parse_signature(&[7u8; 96]).err(),
            Some(BlsError::InvalidSignature)
        );
        assert!(BlsKey::from_seed(&[1u8; 31]).is_err());
    }
}
