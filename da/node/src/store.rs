//! The DA node's shard store: RocksDB, one value per shard, plus its Merkle path and an
//! expiry index so that pruning reads only what is due.

use std::path::Path;

use rocksdb::{Direction, IteratorMode, Options, WriteBatch, DB};

use kaizen_da_core::commitment::Hash;

pub struct ShardStore {
    db: DB,
    /// Serialises the read-modify-write of the shard counts (puts run on many threads).
    counts: std::sync::Mutex<()>,
}

fn shard_key(commitment: &[u8], index: u32) -> Vec<u8> {
    format!("s/{}/{index:05}", hex::encode(commitment)).into_bytes()
}

fn path_key(commitment: &[u8], index: u32) -> Vec<u8> {
    format!("p/{}/{index:05}", hex::encode(commitment)).into_bytes()
}

fn expiry_key(expires: u64, commitment: &[u8]) -> Vec<u8> {
    format!("e/{expires:020}/{}", hex::encode(commitment)).into_bytes()
}

fn meta_key(commitment: &[u8]) -> Vec<u8> {
    format!("m/{}", hex::encode(commitment)).into_bytes()
}

/// How many distinct shards of a blob are stored (u32, big-endian).
fn count_key(commitment: &[u8]) -> Vec<u8> {
    format!("c/{}", hex::encode(commitment)).into_bytes()
}

/// Counts kept in the store: shards and their bytes.
const STATS_KEY: &[u8] = b"stats";

impl ShardStore {
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        // Shards are large values written once: big memtables, few compactions.
        opts.set_write_buffer_size(128 << 20);
        opts.set_max_write_buffer_number(4);
        let db = DB::open(&opts, dir)?;
        Ok(Self {
            db,
            counts: std::sync::Mutex::new(()),
        })
    }

    /// Stores a shard (idempotent) with its path; remembers when its blob expires.
    /// Returns how many distinct shards of the blob are stored now.
    pub fn put(
        &self,
        commitment: &[u8],
        index: u32,
        shard: &[u8],
        path: &[Hash],
        expires_height: u64,
    ) -> anyhow::Result<u32> {
        let _counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = self.db.get_pinned(shard_key(commitment, index))?.is_none();
        let mut held = self.shard_count(commitment)?;
        let mut batch = WriteBatch::default();
        // The commitment paid for again (after expiring, or replacing a payment nobody
        // certified) has a new expiry: the old index entry goes, or pruning at the old
        // height would delete the shards of the live payment.
        if let Some(old) = self.expiry_of(commitment)? {
            if old != expires_height {
                batch.delete(expiry_key(old, commitment));
            }
        }
        batch.put(shard_key(commitment, index), shard);
        batch.put(path_key(commitment, index), path.concat());
        batch.put(expiry_key(expires_height, commitment), []);
        batch.put(meta_key(commitment), expires_height.to_be_bytes());
        if fresh {
            held = held.saturating_add(1);
            batch.put(count_key(commitment), held.to_be_bytes());
            let (n, bytes) = self.stats()?;
            let mut v = Vec::with_capacity(16);
            v.extend_from_slice(&(n + 1).to_be_bytes());
            v.extend_from_slice(&(bytes + shard.len() as u64).to_be_bytes());
            batch.put(STATS_KEY, v);
        }
        self.db.write(batch)?;
        Ok(held)
    }

    /// How many distinct shards of the blob are stored.
    pub fn shard_count(&self, commitment: &[u8]) -> anyhow::Result<u32> {
        Ok(self
            .db
            .get_pinned(count_key(commitment))?
            .and_then(|v| <[u8; 4]>::try_from(&v[..]).ok())
            .map_or(0, u32::from_be_bytes))
    }

    /// Whether every shard in `indexes` of the blob is stored.
    pub fn holds_all(&self, commitment: &[u8], indexes: &[usize]) -> anyhow::Result<bool> {
        for &i in indexes {
            let i = u32::try_from(i)?;
            if self.db.get_pinned(shard_key(commitment, i))?.is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A stored shard and its path.
    pub fn get(
        &self,
        commitment: &[u8],
        index: u32,
    ) -> anyhow::Result<Option<(Vec<u8>, Vec<Hash>)>> {
        let Some(shard) = self.db.get(shard_key(commitment, index))? else {
            return Ok(None);
        };
        let raw = self
            .db
            .get(path_key(commitment, index))?
            .unwrap_or_default();
        let path = raw
            .chunks_exact(32)
            .filter_map(|c| <Hash>::try_from(c).ok())
            .collect();
        Ok(Some((shard, path)))
    }

    /// A small named value the node keeps beside its shards (e.g. the last epoch whose
    /// randomness it sent), so that it survives restarts.
    pub fn get_meta(&self, name: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.db.get(format!("n/{name}"))?)
    }

    pub fn put_meta(&self, name: &str, value: &[u8]) -> anyhow::Result<()> {
        Ok(self.db.put(format!("n/{name}"), value)?)
    }

    /// `(shards, bytes)` held.
    pub fn stats(&self) -> anyhow::Result<(u64, u64)> {
        Ok(match self.db.get(STATS_KEY)? {
            Some(v) if v.len() == 16 => {
                let mut a = [0u8; 8];
                let mut b = [0u8; 8];
                a.copy_from_slice(&v[..8]);
                b.copy_from_slice(&v[8..]);
                (u64::from_be_bytes(a), u64::from_be_bytes(b))
            }
            _ => (0, 0),
        })
    }

    /// Commitments of blobs expiring at or before `height`, at most `limit`.
    pub fn expired(&self, height: u64, limit: usize) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        let mut out = Vec::new();
        for item in self
            .db
            .iterator(IteratorMode::From(b"e/", Direction::Forward))
        {
            let (key, _) = item?;
            let Some(rest) = key.strip_prefix(b"e/") else {
                break;
            };
            let text = String::from_utf8_lossy(rest);
            let Some((h, c)) = text.split_once('/') else {
                break;
            };
            let Ok(h) = h.parse::<u64>() else { break };
            if h > height || out.len() >= limit {
                break;
            }
            out.push((h, hex::decode(c)?));
        }
        Ok(out)
    }

    /// When the stored blob `commitment` expires (its latest payment), if it is stored.
    fn expiry_of(&self, commitment: &[u8]) -> anyhow::Result<Option<u64>> {
        Ok(self
            .db
            .get(meta_key(commitment))?
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map(u64::from_be_bytes))
    }

    /// Deletes every shard of a blob (and its index entries) expiring at
    /// `expires_height`. An index entry left by an earlier payment of a blob that now
    /// expires later is stale: only the entry goes, the shards stay.
    pub fn delete_blob(&self, expires_height: u64, commitment: &[u8]) -> anyhow::Result<u64> {
        let prefix = format!("s/{}/", hex::encode(commitment)).into_bytes();
        let mut batch = WriteBatch::default();
        let _counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if self
            .expiry_of(commitment)?
            .is_some_and(|current| current > expires_height)
        {
            self.db.delete(expiry_key(expires_height, commitment))?;
            return Ok(0);
        }
        let (mut n, mut bytes) = self.stats()?;
        let mut deleted = 0;
        for item in self
            .db
            .iterator(IteratorMode::From(&prefix, Direction::Forward))
        {
            let (key, value) = item?;
            if !key.starts_with(&prefix) {
                break;
            }
            let index = &key[prefix.len()..];
            batch.delete(&key);
            let mut p = format!("p/{}/", hex::encode(commitment)).into_bytes();
            p.extend_from_slice(index);
            batch.delete(p);
            n = n.saturating_sub(1);
            bytes = bytes.saturating_sub(value.len() as u64);
            deleted += 1;
        }
        batch.delete(expiry_key(expires_height, commitment));
        batch.delete(meta_key(commitment));
        batch.delete(count_key(commitment));
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(&n.to_be_bytes());
        v.extend_from_slice(&bytes.to_be_bytes());
        batch.put(STATS_KEY, v);
        self.db.write(batch)?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_paid_again_with_a_later_expiry_keeps_its_shards_past_the_first() -> anyhow::Result<()>
    {
        let dir = tempfile::tempdir()?;
        let store = ShardStore::open(dir.path())?;
        let c = [5u8; 32];
        store.put(&c, 0, &[1; 64], &[], 100)?;
        // Paid again (the first payment replaced), stored again with the new expiry.
        store.put(&c, 0, &[1; 64], &[], 500)?;
        assert_eq!(crate::watcher::prune_store(&store, 100)?, 0);
        assert!(store.get(&c, 0)?.is_some(), "live until 500");
        // An entry left by an older version of this store is skipped as stale too.
        let mut batch = WriteBatch::default();
        batch.put(expiry_key(200, &c), []);
        store.db.write(batch)?;
        assert_eq!(store.delete_blob(200, &c)?, 0);
        assert!(store.get(&c, 0)?.is_some());
        assert_eq!(store.expired(499, 10)?, vec![]);
        assert_eq!(crate::watcher::prune_store(&store, 500)?, 1);
        assert!(store.get(&c, 0)?.is_none());
        Ok(())
    }

    #[test]
    fn the_store_counts_distinct_shards_per_blob_and_forgets_them_with_the_blob(
    ) -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = ShardStore::open(dir.path())?;
        let c = [3u8; 32];
        assert_eq!(store.put(&c, 2, &[1; 64], &[], 10)?, 1);
        assert_eq!(
            store.put(&c, 2, &[1; 64], &[], 10)?,
            1,
            "a repeat counts once"
        );
        assert_eq!(store.put(&c, 6, &[1; 64], &[], 10)?, 2);
        assert!(store.holds_all(&c, &[2, 6])?);
        assert!(!store.holds_all(&c, &[2, 6, 10])?);
        store.delete_blob(10, &c)?;
        assert_eq!(store.shard_count(&c)?, 0);
        assert!(!store.holds_all(&c, &[2])?);
        Ok(())
    }

    #[test]
    fn shards_come_back_with_their_paths_and_expired_blobs_are_deleted() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = ShardStore::open(dir.path())?;
        let (a, b) = ([1u8; 32], [2u8; 32]);
        store.put(&a, 0, &[7; 64], &[[3; 32], [4; 32]], 10)?;
        store.put(&a, 1, &[8; 64], &[], 10)?;
        store.put(&a, 1, &[8; 64], &[], 10)?;
        store.put(&b, 5, &[9; 128], &[], 50)?;
        assert_eq!(store.stats()?, (3, 256));
        let (shard, path) = store.get(&a, 0)?.expect("stored");
        assert_eq!(shard, vec![7; 64]);
        assert_eq!(path, vec![[3; 32], [4; 32]]);
        assert_eq!(store.expired(9, 10)?, vec![]);
        assert_eq!(store.expired(10, 10)?, vec![(10, a.to_vec())]);
        assert_eq!(store.delete_blob(10, &a)?, 2);
        assert!(store.get(&a, 0)?.is_none());
        assert!(store.get(&b, 5)?.is_some());
        assert_eq!(store.stats()?, (1, 128));
        assert_eq!(store.expired(100, 10)?, vec![(50, b.to_vec())]);
        Ok(())
    }
}
