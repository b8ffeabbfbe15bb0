//! Kaizen's off-chain evaluation core.
//!
//! An evaluator scores a submission by running its ONNX model on the bounty's held-out test
//! set and computing the bounty's metric: [`evaluate::evaluate`] does all of it and returns
//! the score in parts per million with a digest of the predictions, or a failure with a
//! stable numeric code that the chain records. What it trusts: nothing in the model, the test
//! set, the metric module or a patch; every size is bounded by [`evaluate::Limits`] and
//! checked before allocation.
//!
//! - [`dataset`]: NPY / NPZ parsing and test sets.
//! - [`model`]: ONNX loading and batched inference (tract).
//! - [`metric`]: built-in metrics and their stable text form.
//! - [`wasm_metric`]: custom metrics in sandboxed WASM (wasmi, fuel and memory limits).
//! - [`patch`]: the `KZPATCH1` model-patch format (defined in `kaizen-bounty`, pure).
//! - [`evaluate`]: the whole evaluation, its failure codes and the prediction digest.
//! - [`sandbox`]: one evaluation in a child process with a deadline and a memory cap.
//! - [`journal`]: what the daemon committed to, kept on disk so a restart never signs
//!   two different results for one round.
//! - [`node`]: the `kaizen-evaluator` daemon: follows its committee assignments, fetches
//!   artifacts from DA, evaluates, commits and reveals.

pub mod dataset;
pub mod evaluate;
pub mod journal;
pub mod metric;
pub mod model;
pub mod node;
pub use kaizen_bounty::patch;
pub mod sandbox;
pub mod wasm_metric;

pub use evaluate::{evaluate, EvalFailure, Evaluation, Limits};
pub use metric::MetricSpec;
