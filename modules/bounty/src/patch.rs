//! Model patches: a small binary diff format, so a submission that changes a few weights of a
//! known model ships only the change.
//!
//! # Format `KZPATCH1`
//! ```text
//! magic        8 bytes   "KZPATCH1"
//! base_len     u64 LE    length of the base the patch applies to
//! base_sha256  32 bytes  SHA-256 of that base
//! result_len   u64 LE    length of the result
//! result_sha256 32 bytes SHA-256 of the result
//! ops          until the end of the patch, each one of
//!   0x01 COPY   offset: LEB128 u64, len: LEB128 u64   append base[offset .. offset+len]
//!   0x02 INSERT len: LEB128 u64, then len bytes        append those bytes
//! ```
//! LEB128 fields are unsigned, at most 10 bytes, canonical (no redundant trailing zero
//! groups) and ≤ 2⁶⁴ − 1. Zero-length ops are invalid, so an encoding has no padding.
//!
//! # Invariants of [`apply`]
//! Before anything is allocated or copied: the base's length and hash match the header and the
//! declared result length is within the caller's cap. Every op is checked against the base's
//! bounds and the remaining declared length, so the output never exceeds `result_len`; the
//! result must end exactly at `result_len` and hash to `result_sha256`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use thiserror::Error;

const MAGIC: &[u8; 8] = b"KZPATCH1";
const HEADER_LEN: usize = 8 + 8 + 32 + 8 + 32;
const OP_COPY: u8 = 0x01;
const OP_INSERT: u8 = 0x02;
/// Block size of the matcher in [`diff`].
pub const BLOCK: usize = 64;
/// Default cap on a patched result: the evaluator's default model size limit.
pub const DEFAULT_MAX_OUTPUT: u64 = 64 << 20;

/// Why a patch does not apply.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PatchError {
    #[error("not a KZPATCH1 patch")]
    BadMagic,
    #[error("patch ends early: {0}")]
    Truncated(&'static str),
    #[error("patch is for a base of {expected} bytes, this base has {actual}")]
    BaseLength { expected: u64, actual: u64 },
    #[error("patch is for another base (SHA-256 differs)")]
    BaseHash,
    #[error("result of {len} bytes exceeds the cap of {max}")]
    TooLarge { len: u64, max: u64 },
    #[error("bad op at byte {at}: {reason}")]
    BadOp { at: usize, reason: &'static str },
    #[error("ops produce {actual} bytes, the header declares {expected}")]
    ResultLength { expected: u64, actual: u64 },
    #[error("result does not match its SHA-256")]
    ResultHash,
}

/// Applies `patch` to `base` with the [`DEFAULT_MAX_OUTPUT`] cap.
pub fn apply(base: &[u8], patch: &[u8]) -> Result<Vec<u8>, PatchError> {
    apply_with_cap(base, patch, DEFAULT_MAX_OUTPUT)
}

/// Applies `patch` to `base`, refusing results longer than `max_output` bytes.
pub fn apply_with_cap(base: &[u8], patch: &[u8], max_output: u64) -> Result<Vec<u8>, PatchError> {
    if patch.len() < HEADER_LEN {
        return Err(if patch.len() >= 8 && &patch[..8] != MAGIC {
            PatchError::BadMagic
        } else {
            PatchError::Truncated("header")
        });
    }
    if &patch[..8] != MAGIC {
        return Err(PatchError::BadMagic);
    }
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&patch[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let base_len = u64_at(8);
    if base_len != base.len() as u64 {
        return Err(PatchError::BaseLength {
            expected: base_len,
            actual: base.len() as u64,
        });
    }
    if Sha256::digest(base)[..] != patch[16..48] {
        return Err(PatchError::BaseHash);
    }
    let result_len = u64_at(48);
    if result_len > max_output {
        return Err(PatchError::TooLarge {
            len: result_len,
            max: max_output,
        });
    }
    let result_hash = &patch[56..88];
    // result_len ≤ max_output, which the caller chose to be allocatable.
    let mut out = Vec::with_capacity(usize::try_from(result_len).unwrap_or(0));
    let mut r = Reader {
        data: patch,
        at: HEADER_LEN,
    };
    while r.at < patch.len() {
        let op_at = r.at;
        let bad = |reason| PatchError::BadOp { at: op_at, reason };
        let tag = r.byte()?;
        let remaining = result_len - out.len() as u64;
        match tag {
            OP_COPY => {
                let offset = r.leb()?;
                let len = r.leb()?;
                if len == 0 {
                    return Err(bad("empty COPY"));
                }
                if len > remaining {
                    return Err(bad("COPY past the declared result length"));
                }
                let end = offset
                    .checked_add(len)
                    .ok_or_else(|| bad("COPY range overflows"))?;
                if end > base.len() as u64 {
                    return Err(bad("COPY past the end of the base"));
                }
                out.extend_from_slice(&base[offset as usize..end as usize]);
            }
            OP_INSERT => {
                let len = r.leb()?;
                if len == 0 {
                    return Err(bad("empty INSERT"));
                }
                if len > remaining {
                    return Err(bad("INSERT past the declared result length"));
                }
                let bytes = r.take(len)?;
                out.extend_from_slice(bytes);
            }
            _ => return Err(bad("unknown op")),
        }
    }
    if out.len() as u64 != result_len {
        return Err(PatchError::ResultLength {
            expected: result_len,
            actual: out.len() as u64,
        });
    }
    if Sha256::digest(&out)[..] != *result_hash {
        return Err(PatchError::ResultHash);
    }
    Ok(out)
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, PatchError> {
        let b = *self.data.get(self.at).ok_or(PatchError::Truncated("op"))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], PatchError> {
        let available = (self.data.len() - self.at) as u64;
        if len > available {
            return Err(PatchError::Truncated("INSERT bytes"));
        }
        let start = self.at;
        self.at += len as usize;
        Ok(&self.data[start..self.at])
    }

    /// A canonical unsigned LEB128 value of at most 64 bits.
    fn leb(&mut self) -> Result<u64, PatchError> {
        let start = self.at;
        let bad = |reason| PatchError::BadOp { at: start, reason };
        let mut value = 0u64;
        for i in 0..10 {
            let b = self
                .data
                .get(self.at)
                .copied()
                .ok_or(PatchError::Truncated("LEB128"))?;
            self.at += 1;
            let group = u64::from(b & 0x7f);
            if i == 9 && b > 1 {
                return Err(bad("LEB128 value over 64 bits"));
            }
            value |= group << (7 * i);
            if b & 0x80 == 0 {
                if b == 0 && i > 0 {
                    return Err(bad("non-canonical LEB128"));
                }
                return Ok(value);
            }
        }
        Err(bad("LEB128 longer than 10 bytes"))
    }
}

fn push_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Polynomial rolling hash over [`BLOCK`] bytes (wrapping arithmetic).
const BASE_MUL: u64 = 0x100_0000_01b3;

fn block_hash(block: &[u8]) -> u64 {
    block.iter().fold(0u64, |h, &b| {
        h.wrapping_mul(BASE_MUL).wrapping_add(u64::from(b) + 1)
    })
}

/// Computes a patch turning `base` into `new`.
///
/// Indexes `base` by the hash of each aligned 64-byte block, slides a rolling hash over `new`,
/// and on a verified match extends it forwards and backwards into pending literal bytes;
/// everything unmatched becomes INSERT. A model whose tail changed costs roughly the changed
/// bytes plus one COPY. `apply(base, &diff(base, new)) == Ok(new)` whenever `new` fits the cap.
pub fn diff(base: &[u8], new: &[u8]) -> Vec<u8> {
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, block) in base.chunks_exact(BLOCK).enumerate() {
        index.entry(block_hash(block)).or_insert(i * BLOCK);
    }
    let mut ops = Vec::new();
    let mut literal_start = 0usize;
    let mut i = 0usize;
    // BASE_MUL^(BLOCK-1), to drop the outgoing byte from the rolling hash.
    let top = (1..BLOCK).fold(1u64, |p, _| p.wrapping_mul(BASE_MUL));
    let mut h = if new.len() >= BLOCK {
        block_hash(&new[..BLOCK])
    } else {
        0
    };
    while i + BLOCK <= new.len() {
        let candidate = index
            .get(&h)
            .copied()
            .filter(|&o| base[o..o + BLOCK] == new[i..i + BLOCK]);
        if let Some(offset) = candidate {
            // Extend backwards over pending literal bytes, then forwards.
            let mut start_new = i;
            let mut start_base = offset;
            while start_new > literal_start
                && start_base > 0
                && base[start_base - 1] == new[start_new - 1]
            {
                start_new -= 1;
                start_base -= 1;
            }
            let mut end_new = i + BLOCK;
            let mut end_base = offset + BLOCK;
            while end_new < new.len() && end_base < base.len() && base[end_base] == new[end_new] {
                end_new += 1;
                end_base += 1;
            }
            push_insert(&mut ops, &new[literal_start..start_new]);
            ops.push(OP_COPY);
            push_leb(&mut ops, start_base as u64);
            push_leb(&mut ops, (end_new - start_new) as u64);
            literal_start = end_new;
            i = end_new;
            if i + BLOCK <= new.len() {
                h = block_hash(&new[i..i + BLOCK]);
            }
            continue;
        }
        if i + BLOCK < new.len() {
            let out = u64::from(new[i]) + 1;
            let inc = u64::from(new[i + BLOCK]) + 1;
            h = h
                .wrapping_sub(out.wrapping_mul(top))
                .wrapping_mul(BASE_MUL)
                .wrapping_add(inc);
        }
        i += 1;
    }
    push_insert(&mut ops, &new[literal_start..]);

    let mut patch = Vec::with_capacity(HEADER_LEN + ops.len());
    patch.extend_from_slice(MAGIC);
    patch.extend_from_slice(&(base.len() as u64).to_le_bytes());
    patch.extend_from_slice(&Sha256::digest(base));
    patch.extend_from_slice(&(new.len() as u64).to_le_bytes());
    patch.extend_from_slice(&Sha256::digest(new));
    patch.extend_from_slice(&ops);
    patch
}

fn push_insert(ops: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    ops.push(OP_INSERT);
    push_leb(ops, bytes.len() as u64);
    ops.extend_from_slice(bytes);
}
