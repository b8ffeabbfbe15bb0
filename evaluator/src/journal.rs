//! What the daemon decided and committed to, per job and round, on disk.
//!
//! The rule that prevents double-signing: a round's outcome and salt are written (and
//! fsynced) before the commitment is broadcast, and a restart always re-sends the same
//! commitment or reveals from the same record; it never evaluates again with a new salt
//! for a round it may already have committed in.

use std::{
    collections::BTreeMap,
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use crate::sandbox::Verdict;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRecord {
    pub verdict: Verdict,
    /// Hex salt of the commitment.
    pub salt: String,
    /// Hex of the commitment sent (or about to be).
    pub commitment: String,
    pub committed: bool,
    pub revealed: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Records {
    /// Key: `"<job>/<round>"`.
    rounds: BTreeMap<String, RoundRecord>,
    /// A job's evaluation result, reused by later rounds (the inputs do not change).
    verdicts: BTreeMap<u64, Verdict>,
}

pub struct Journal {
    path: PathBuf,
    records: Records,
}

fn round_key(job: u64, round: u32) -> String {
    format!("{job}/{round}")
}

impl Journal {
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir)?;
        let path = dir.join("journal.json");
        let records = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Records::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self { path, records })
    }

    pub fn round(&self, job: u64, round: u32) -> Option<&RoundRecord> {
        self.records.rounds.get(&round_key(job, round))
    }

    pub fn verdict(&self, job: u64) -> Option<&Verdict> {
        self.records.verdicts.get(&job)
    }

    pub fn put_verdict(&mut self, job: u64, v: Verdict) -> anyhow::Result<()> {
        self.records.verdicts.insert(job, v);
        self.save()
    }

    pub fn remove_verdict(&mut self, job: u64) -> anyhow::Result<()> {
        if self.records.verdicts.remove(&job).is_some() {
            self.save()?;
        }
        Ok(())
    }

    pub fn put_round(&mut self, job: u64, round: u32, r: RoundRecord) -> anyhow::Result<()> {
        self.records.rounds.insert(round_key(job, round), r);
        self.save()
    }

    /// Writes to a temporary file, fsyncs, renames: a crash leaves the old or the new.
    fn save(&self) -> anyhow::Result<()> {
        let tmp = self.path.with_extension("json.tmp");
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(&self.records)?)?;
        f.sync_all()?;
        fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut j = Journal::open(dir.path()).expect("opens");
        let r = RoundRecord {
            verdict: Verdict::failed(2, "shape"),
            salt: "00".repeat(16),
            commitment: "11".repeat(32),
            committed: true,
            revealed: false,
        };
        j.put_round(7, 1, r.clone()).expect("saves");
        j.put_verdict(7, Verdict::failed(2, "shape"))
            .expect("saves");
        let j = Journal::open(dir.path()).expect("reopens");
        assert_eq!(j.round(7, 1), Some(&r));
        assert_eq!(j.round(7, 0), None);
        assert_eq!(j.verdict(7).map(|v| v.failure_code), Some(2));
    }
}
