//! Kaizen's data-availability core (DESIGN.md §5): the rules and formats that the chain,
//! the DA client, the DA node and the GPU coder share. Pure: no async runtime, storage,
//! network or GPU, so the state machine can link it.
//!
//! - [`codec`]: Reed-Solomon erasure coding of `k` original shards into `m` recovery
//!   shards (any `k` of the `k + m` recover the blob) behind the [`ErasureCoder`]
//!   interface, its input rules ([`codec::check_shape`], also a consensus rule) and the
//!   CPU coder (`reed-solomon-simd`). The CUDA coder (`kaizen-cuda`) implements the same
//!   interface and produces byte-identical recovery shards.
//! - [`blob`]: how a blob becomes `k` equal shards (a multiple of 64 bytes each) and back.
//! - [`commitment`]: the blob commitment, a Merkle root over the hashes of all `k + m`
//!   shards, each shard hash itself a Merkle root over fixed-size segments, with the
//!   proofs that a shard (or one segment, for a storage challenge) belongs to it.
//! - [`assignment`]: which quorum member holds which shard; the messages operators sign.

pub mod assignment;
pub mod blob;
pub mod codec;
pub mod commitment;

pub use blob::{BlobRef, ErasureParams};
pub use codec::{CodecError, CpuCoder, ErasureCoder};
pub use commitment::{BlobCommitment, SEGMENT_BYTES};
