//! Account addresses: 20 bytes (RIPEMD-160 of SHA-256 of the compressed secp256k1 key,
//! as every Cosmos chain derives them), shown as bech32 with the `kaizen` prefix.

use std::{fmt, str::FromStr};

use cosmrs::AccountId;

use crate::{error::TxError, ADDRESS_PREFIX};

/// A Kaizen account address.
///
/// # Invariants
/// Always 20 bytes; its text form is lowercase bech32 with prefix `kaizen`, which is
/// also its form inside state keys.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address([u8; 20]);

impl Address {
    pub const fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The address that owns a compressed secp256k1 public key (33 bytes).
    pub fn from_secp256k1_pubkey(key: &[u8]) -> Result<Self, TxError> {
        use ripemd::Ripemd160;
        use sha2::{Digest, Sha256};
        if key.len() != 33 || k256::PublicKey::from_sec1_bytes(key).is_err() {
            return Err(TxError::InvalidPubKey(
                "not a compressed secp256k1 point".into(),
            ));
        }
        let digest = Ripemd160::digest(Sha256::digest(key));
        Self::try_from(&digest[..])
    }

    /// The address of a module account (`fee_collector`, ...): the first 20 bytes of
    /// SHA-256 of the module name, as Cosmos SDK derives module addresses.
    pub fn for_module(name: &str) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(name.as_bytes());
        let mut out = [0u8; 20];
        out.copy_from_slice(&digest[..20]);
        Self(out)
    }
}

impl TryFrom<&[u8]> for Address {
    type Error = TxError;
    fn try_from(bytes: &[u8]) -> Result<Self, TxError> {
        let arr: [u8; 20] = bytes
            .try_into()
            .map_err(|_| TxError::InvalidAddress(format!("{} bytes, want 20", bytes.len())))?;
        Ok(Self(arr))
    }
}

impl FromStr for Address {
    type Err = TxError;
    fn from_str(s: &str) -> Result<Self, TxError> {
        if s.len() > 90 {
            return Err(TxError::InvalidAddress("longer than 90 characters".into()));
        }
        let id: AccountId = s
            .parse()
            .map_err(|e: cosmrs::ErrorReport| TxError::InvalidAddress(format!("{s:?}: {e}")))?;
        if id.prefix() != ADDRESS_PREFIX {
            return Err(TxError::InvalidAddress(format!(
                "{s:?}: prefix {:?}, want {ADDRESS_PREFIX:?}",
                id.prefix()
            )));
        }
        // Reject mixed or upper case so that every address has exactly one key in state.
        if s != s.to_lowercase() {
            return Err(TxError::InvalidAddress(format!("{s:?}: not lowercase")));
        }
        Self::try_from(id.to_bytes().as_slice())
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match AccountId::new(ADDRESS_PREFIX, &self.0) {
            Ok(id) => f.write_str(id.as_ref()),
            Err(_) => write!(f, "0x{}", hex_lower(&self.0)),
        }
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_round_trips_through_bech32() {
        let a = Address::from_bytes([7u8; 20]);
        let s = a.to_string();
        assert!(s.starts_with("kaizen1"));
        assert_eq!(s.parse::<Address>().unwrap(), a);
    }

    #[test]
    fn foreign_prefix_and_bad_checksum_are_rejected() {
        let cosmos = AccountId::new("cosmos", &[7u8; 20]).unwrap().to_string();
        assert!(matches!(
            cosmos.parse::<Address>(),
            Err(TxError::InvalidAddress(_))
        ));
        let mut s = Address::from_bytes([7u8; 20]).to_string();
        s.pop();
        s.push('x');
        assert!(s.parse::<Address>().is_err());
        assert!("".parse::<Address>().is_err());
    }
}
