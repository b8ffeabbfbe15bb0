//! The submission journal: what `kaizen bounty submit` saves so that a reveal can follow
//! later, even from another run of the CLI.
//!
//! The salt and the model reference go to `<home>/submissions/pending-<commitment>.json`
//! *before* the commit is broadcast; the file becomes `<home>/submissions/<id>.json` once
//! the commit is in a block and its id is known.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::bounty::v1 as bounty;

use super::query::get_submission;

/// What `bounty submit` saves before committing: enough to reveal later.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct SavedSubmission {
    pub chain_id: String,
    pub bounty_id: u64,
    /// `None` until the commit is in a block.
    pub submission_id: Option<u64>,
    pub submitter: String,
    /// Hex; empty for a patch.
    pub model: String,
    pub parent_model_id: u64,
    /// Hex; empty for a full model.
    pub patch: String,
    /// The BlobRef of the uploaded model or patch, if uploaded here.
    pub blob_ref: Option<String>,
    /// Hex, secret until the reveal.
    pub salt: String,
    /// Hex of the commitment sent on chain.
    pub commitment: String,
    pub commit_txhash: Option<String>,
    pub commit_height: Option<u64>,
}

fn submissions_dir(home: &Path) -> PathBuf {
    home.join("submissions")
}

pub fn pending_path(home: &Path, commitment_hex: &str) -> PathBuf {
    submissions_dir(home).join(format!("pending-{commitment_hex}.json"))
}

pub fn saved_path(home: &Path, id: u64) -> PathBuf {
    submissions_dir(home).join(format!("{id}.json"))
}

/// Writes atomically, readable by the owner only (the salt is secret until revealed).
pub fn save(path: &Path, s: &SavedSubmission) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().context("no parent directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    f.write_all(&serde_json::to_vec_pretty(s)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn load(path: &Path) -> anyhow::Result<SavedSubmission> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a saved submission", path.display()))
}

fn unhex(what: &str, s: &str) -> anyhow::Result<Vec<u8>> {
    hex::decode(s).with_context(|| format!("{what} {s:?} is not hex"))
}

impl SavedSubmission {
    pub fn reveal_msg(&self, id: u64) -> anyhow::Result<bounty::MsgRevealSubmission> {
        Ok(bounty::MsgRevealSubmission {
            submitter: self.submitter.clone(),
            submission_id: id,
            model: unhex("model", &self.model)?,
            parent_model_id: self.parent_model_id,
            patch: unhex("patch", &self.patch)?,
            salt: unhex("salt", &self.salt)?,
        })
    }

    /// Whether the saved reference and salt open `commitment`.
    pub fn opens(&self, commitment: &[u8]) -> anyhow::Result<bool> {
        let c = kaizen_bounty::submission_commitment(
            self.bounty_id,
            &self.submitter,
            &unhex("model", &self.model)?,
            self.parent_model_id,
            &unhex("patch", &self.patch)?,
            &unhex("salt", &self.salt)?,
        );
        Ok(c.as_slice() == commitment)
    }
}

/// The saved submission `id`: `<id>.json`, or the pending file of its commitment (a CLI
/// that died before it learned the id), which is then renamed.
pub async fn find_saved(ep: &Endpoints, home: &Path, id: u64) -> anyhow::Result<SavedSubmission> {
    let path = saved_path(home, id);
    if path.exists() {
        return load(&path);
    }
    let sub = get_submission(ep, id).await?;
    let pending = pending_path(home, &hex::encode(&sub.commitment));
    anyhow::ensure!(
        pending.exists(),
        "no saved salt for submission {id}: neither {} nor {} exists (was it committed with another --home?)",
        path.display(),
        pending.display()
    );
    let mut saved = load(&pending)?;
    saved.submission_id = Some(id);
    saved.commit_height = Some(sub.commit_height);
    save(&path, &saved)?;
    std::fs::remove_file(&pending).ok();
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_submissions_round_trip_and_open_their_commitment() {
        let dir = tempfile::tempdir().unwrap();
        let salt = [9u8; 32];
        let c = kaizen_bounty::submission_commitment(3, "kaizen1abc", &[1; 32], 0, &[], &salt);
        let s = SavedSubmission {
            chain_id: "kaizen-devnet".into(),
            bounty_id: 3,
            submission_id: None,
            submitter: "kaizen1abc".into(),
            model: hex::encode([1u8; 32]),
            parent_model_id: 0,
            patch: String::new(),
            blob_ref: None,
            salt: hex::encode(salt),
            commitment: hex::encode(c),
            commit_txhash: None,
            commit_height: None,
        };
        let p = pending_path(dir.path(), &s.commitment);
        save(&p, &s).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let back = load(&p).unwrap();
        assert_eq!(back, s);
        assert!(back.opens(&c).unwrap());
        assert!(!back.opens(&[0; 32]).unwrap());
        let m = back.reveal_msg(11).unwrap();
        assert_eq!((m.submission_id, m.salt.len(), m.model.len()), (11, 32, 32));
        assert!(m.patch.is_empty());
    }
}
