//! The keyring: BIP-39 mnemonics and their secp256k1 keys on the Cosmos path
//! m/44'/118'/0'/0/0, in `<home>/keyring.json`, readable only by its owner (the same
//! trust as Cosmos SDK's `--keyring-backend test`: for devnets and operators who protect
//! the machine).

use std::{
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use bip32::{Language, Mnemonic, XPrv};
use cosmrs::crypto::secp256k1::SigningKey;
use kaizen_framework::Address;
use serde::{Deserialize, Serialize};

/// The derivation path every Cosmos wallet uses for coin type 118.
pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyEntry {
    pub name: String,
    pub address: String,
    pub pubkey: String,
    pub mnemonic: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KeyringFile {
    version: u32,
    keys: Vec<KeyEntry>,
}

pub struct Keyring {
    path: PathBuf,
    file: KeyringFile,
}

/// The signing key and address of a mnemonic.
pub fn derive(mnemonic: &str) -> anyhow::Result<(SigningKey, Address)> {
    // 12 to 24 words, checksum checked.
    let words = mnemonic.split_whitespace().collect::<Vec<_>>().join(" ");
    let m = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &words)
        .map_err(|e| anyhow::anyhow!("not a valid BIP-39 English mnemonic: {e}"))?;
    let seed = m.to_seed("");
    let path = HD_PATH.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let xprv =
        XPrv::derive_from_path(seed, &path).map_err(|e| anyhow::anyhow!("derivation: {e}"))?;
    let key = SigningKey::from_slice(&xprv.private_key().to_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let address = Address::from_secp256k1_pubkey(&key.public_key().to_bytes())?;
    Ok((key, address))
}

pub fn new_mnemonic() -> String {
    Mnemonic::random(rand::rngs::OsRng, Language::English)
        .phrase()
        .to_string()
}

fn valid_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("key names are 1-64 letters, digits, '-' or '_' (got {name:?})");
    }
    if name.starts_with("kaizen1") {
        bail!("a key name may not look like an address");
    }
    Ok(())
}

impl Keyring {
    pub fn path(home: &Path) -> PathBuf {
        home.join("keyring.json")
    }

    pub fn open(home: &Path) -> anyhow::Result<Self> {
        let path = Self::path(home);
        let file = if path.exists() {
            let mode = fs::metadata(&path)?.permissions().mode();
            if mode & 0o077 != 0 {
                bail!(
                    "{} is readable by other users (mode {:o}); run `chmod 600 {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                );
            }
            serde_json::from_slice(&fs::read(&path)?)
                .with_context(|| format!("{} is not a Kaizen keyring", path.display()))?
        } else {
            KeyringFile {
                version: 1,
                keys: Vec::new(),
            }
        };
        Ok(Self { path, file })
    }

    fn save(&self) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(&self.file)?)?;
        f.sync_all()?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
        fs::rename(&tmp, &self.path)?;
        Ok(())
    }

    pub fn list(&self) -> &[KeyEntry] {
        &self.file.keys
    }

    pub fn get(&self, name: &str) -> anyhow::Result<&KeyEntry> {
        self.file.keys.iter().find(|k| k.name == name).with_context(|| {
            format!(
                "no key named {name:?} in {}; `kaizen keys list` shows the keys, `kaizen keys add {name}` creates one",
                self.path.display()
            )
        })
    }

    pub fn signer(&self, name: &str) -> anyhow::Result<(SigningKey, Address)> {
        derive(&self.get(name)?.mnemonic)
    }

    /// Adds `name` from `mnemonic`; refuses a name or an address already present.
    pub fn add(&mut self, name: &str, mnemonic: &str) -> anyhow::Result<KeyEntry> {
        valid_name(name)?;
        if self.file.keys.iter().any(|k| k.name == name) {
            bail!("a key named {name:?} already exists; `kaizen keys delete {name}` first");
        }
        let (key, address) = derive(mnemonic)?;
        if let Some(k) = self
            .file
            .keys
            .iter()
            .find(|k| k.address == address.to_string())
        {
            bail!("that mnemonic is already in the keyring as {:?}", k.name);
        }
        let entry = KeyEntry {
            name: name.to_string(),
            address: address.to_string(),
            pubkey: hex::encode(key.public_key().to_bytes()),
            mnemonic: mnemonic.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        self.file.keys.push(entry.clone());
        self.save()?;
        Ok(entry)
    }

    pub fn delete(&mut self, name: &str) -> anyhow::Result<()> {
        self.get(name)?;
        self.file.keys.retain(|k| k.name != name);
        self.save()
    }

    /// An address given as itself or as a key name.
    pub fn resolve(&self, name_or_address: &str) -> anyhow::Result<Address> {
        if name_or_address.starts_with("kaizen1") {
            return name_or_address.parse().map_err(|e| anyhow::anyhow!("{e}"));
        }
        self.get(name_or_address)?
            .address
            .parse()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_matches_the_cosmos_path() {
        // The standard all-"abandon" test mnemonic; its cosmos-prefixed address on
        // m/44'/118'/0'/0/0 is cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4.
        let m = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        let (_, address) = derive(m).unwrap();
        let cosmos = cosmrs::AccountId::new("cosmos", address.as_bytes()).unwrap();
        assert_eq!(
            cosmos.to_string(),
            "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4"
        );
    }

    #[test]
    fn keyring_is_private_and_refuses_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let mut ring = Keyring::open(dir.path()).unwrap();
        let m = new_mnemonic();
        ring.add("alice", &m).unwrap();
        assert!(ring.add("alice", &new_mnemonic()).is_err());
        assert!(ring.add("alice2", &m).is_err());
        assert!(ring.add("bad name", &new_mnemonic()).is_err());
        let mode = fs::metadata(Keyring::path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::set_permissions(Keyring::path(dir.path()), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(Keyring::open(dir.path()).is_err());
        assert!(derive("not a mnemonic").is_err());
    }
}
