//! Kaizen's data-availability primitives (DESIGN.md §5), usable by clients, DA nodes and
//! the chain alike:
//!
//! - [`codec`]: Reed-Solomon erasure coding of `k` original shards into `m` recovery
//!   shards (any `k` of the `k + m` recover the blob), behind the [`codec::ErasureCoder`]
//!   interface that the CPU codec (`reed-solomon-simd`) implements here and the CUDA coder
//!   (`kaizen-cuda`, wrapped in [`cuda_coder`]) implements on NVIDIA GPUs; both produce
//!   byte-identical recovery shards.
//! - [`cuda_coder`]: `--coder auto|cpu|cuda`, the runtime choice between them.
//! - [`blob`]: how a blob becomes `k` equal shards (a multiple of 64 bytes each) and back.
//! - [`commitment`]: the blob commitment, a Merkle root over the hashes of all `k + m`
//!   shards, each shard hash itself a Merkle root over fixed-size segments, with the
//!   proofs that a shard (or one segment, for a storage challenge) belongs to it.
//! - [`assignment`]: which quorum member holds which shard; the messages operators sign.
//! - [`dispersal`]: the client (`put`: encode, pay, disperse, certify; `get`).
//! - [`server`], [`store`], [`watcher`], [`chain`]: the `kaizen-da` node.

pub mod assignment;
pub mod blob;
pub mod chain;
pub mod codec;
pub mod commitment;
pub mod cuda_coder;
pub mod dispersal;
pub mod server;
pub mod store;
pub mod watcher;

pub use blob::{BlobRef, ErasureParams};
pub use codec::{CodecError, CpuCoder, ErasureCoder};
pub use commitment::{BlobCommitment, SEGMENT_BYTES};
pub use cuda_coder::{choose_coder, select_coder, CoderChoice, CudaCoder};
