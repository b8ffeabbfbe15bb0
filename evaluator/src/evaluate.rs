//! One evaluation: a model, a test set and a metric in, a score and a prediction digest out,
//! or a failure with a stable code.
//!
//! # The prediction digest
//! `predictions_digest` is SHA-256 over a canonical encoding of what the model predicted:
//!
//! ```text
//! "KZPRED1\0" || kind: u8 || n: u64 LE || c: u64 LE || n·c values: i64 LE
//! ```
//! - kind 0, classification (every built-in metric but `mse`/`mae`): `c = 1` and the values
//!   are the predicted classes ([`crate::model::Outputs::predicted_classes`]);
//! - kind 1, regression (`mse`, `mae`): `c = 1` and the values are the outputs rounded to the
//!   10⁻⁴ grid, `round(v·10⁴)` ([`crate::metric::quantize_1e4`]);
//! - kind 2, WASM metrics: all `n·c` outputs on the same 10⁻⁴ grid.
//!
//! Why not hash the raw floats: tract picks SIMD kernels by CPU (AVX2, AVX-512, NEON, ...) and
//! they sum in different orders, so the last bits of an output differ between honest machines.
//! Hashing labels or coarsely rounded values makes those machines agree; evaluators that
//! disagree on the digest then disagree on what the model does, which the chain can act on.
//! The score is computed from the same quantities, so it agrees as well.
//!
//! # Failure codes
//! [`EvalFailure::code`] is recorded on chain with a failed verdict; the numbers never change.

use std::time::Duration;

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::dataset::{DatasetError, DatasetLimits, Labels, TestSet};
use crate::metric::{quantize_1e4, MetricError, MetricSpec};
use crate::model::{self, ModelError, ModelLimits, Outputs};
use crate::wasm_metric::{self, WasmError, WasmLimits};

/// Every bound an evaluation runs under.
#[derive(Clone, Debug)]
pub struct Limits {
    pub model: ModelLimits,
    pub dataset: DatasetLimits,
    /// Largest test set archive, in bytes.
    pub max_testset_bytes: usize,
    pub wasm: WasmLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            model: ModelLimits::default(),
            dataset: DatasetLimits::default(),
            max_testset_bytes: 256 << 20,
            wasm: WasmLimits::default(),
        }
    }
}

impl Limits {
    /// Same limits with another wall-clock budget.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.model.timeout = timeout;
        self
    }
}

/// A successful evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The metric's score in parts per million (see [`MetricSpec::higher_is_better`]).
    pub score_ppm: u64,
    /// SHA-256 of the canonical predictions (module doc).
    pub predictions_digest: [u8; 32],
    /// Rows evaluated.
    pub n: u64,
}

/// Why an evaluation failed. Each kind has a stable [`code`](EvalFailure::code).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EvalFailure {
    /// 1: the model bytes are not a model tract can load.
    #[error("malformed model: {0}")]
    MalformedModel(String),
    /// 2: the model's input does not fit the test set's `x`.
    #[error("wrong input shape: {0}")]
    WrongInputShape(String),
    /// 3: the model is larger than allowed.
    #[error("model too large: {len} bytes, limit {max}")]
    ModelTooLarge { len: usize, max: usize },
    /// 3 as well: the model's static cost on the test set is over the job's limit.
    #[error("model too large: {0}")]
    ModelTooCostly(String),
    /// 4: loading plus inference ran past the wall-clock limit.
    #[error("timeout after {limit_ms} ms")]
    Timeout { limit_ms: u64 },
    /// 5: the metric could not be computed (including a WASM metric out of fuel or memory).
    #[error("metric failed: {0}")]
    MetricFailed(String),
    /// 6: the test set is malformed or too large.
    #[error("bad test set: {0}")]
    BadTestSet(String),
    /// 7: inference failed or panicked.
    #[error("inference failed: {0}")]
    InferenceFailed(String),
    /// 8: the model's output has a shape no metric can read.
    #[error("bad model output: {0}")]
    BadOutput(String),
    /// 9: the WASM module is missing or does not have the hash the metric names.
    #[error("metric module mismatch: {0}")]
    MetricModuleMismatch(String),
    /// 11: a predicted class sits on its decision edge (within
    /// [`crate::model::EDGE_MARGIN`] of the 0.5 threshold or of a tie), where float noise
    /// decides it. Local, like a time-out: the daemon abstains.
    #[error("ambiguous prediction: {0}")]
    Ambiguous(String),
}

impl EvalFailure {
    /// The stable numeric code recorded on chain.
    pub fn code(&self) -> u32 {
        match self {
            EvalFailure::MalformedModel(_) => 1,
            EvalFailure::WrongInputShape(_) => 2,
            EvalFailure::ModelTooLarge { .. } | EvalFailure::ModelTooCostly(_) => 3,
            EvalFailure::Timeout { .. } => 4,
            EvalFailure::MetricFailed(_) => 5,
            EvalFailure::BadTestSet(_) => 6,
            EvalFailure::InferenceFailed(_) => 7,
            EvalFailure::BadOutput(_) => 8,
            EvalFailure::MetricModuleMismatch(_) => 9,
            EvalFailure::Ambiguous(_) => 11,
        }
    }
}

impl From<ModelError> for EvalFailure {
    fn from(e: ModelError) -> Self {
        match e {
            ModelError::TooLarge { len, max } => EvalFailure::ModelTooLarge { len, max },
            e @ ModelError::TooCostly { .. } => EvalFailure::ModelTooCostly(e.to_string()),
            ModelError::Malformed(m) => EvalFailure::MalformedModel(m),
            e @ ModelError::WrongInputShape { .. } => EvalFailure::WrongInputShape(e.to_string()),
            ModelError::Timeout { limit_ms } => EvalFailure::Timeout { limit_ms },
            ModelError::Inference(m) => EvalFailure::InferenceFailed(m),
            ModelError::BadOutput(m) => EvalFailure::BadOutput(m),
            e @ ModelError::Panicked(_) => EvalFailure::InferenceFailed(e.to_string()),
        }
    }
}

impl From<DatasetError> for EvalFailure {
    fn from(e: DatasetError) -> Self {
        EvalFailure::BadTestSet(e.to_string())
    }
}

impl From<MetricError> for EvalFailure {
    fn from(e: MetricError) -> Self {
        EvalFailure::MetricFailed(e.to_string())
    }
}

impl From<WasmError> for EvalFailure {
    fn from(e: WasmError) -> Self {
        EvalFailure::MetricFailed(e.to_string())
    }
}

/// Evaluates `model_bytes` (ONNX) on `testset_bytes` (NPZ) with `metric`.
///
/// `wasm_module` is required for `wasm:` metrics and must hash to the named SHA-256; it is
/// ignored otherwise. Checks run cheapest first: sizes, the test set, the model, inference
/// (under the wall-clock limit), the metric.
pub fn evaluate(
    model_bytes: &[u8],
    testset_bytes: &[u8],
    metric: &MetricSpec,
    wasm_module: Option<&[u8]>,
    limits: &Limits,
) -> Result<Evaluation, EvalFailure> {
    let start = model::now();
    let deadline = start + limits.model.timeout;
    if model_bytes.len() > limits.model.max_model_bytes {
        return Err(EvalFailure::ModelTooLarge {
            len: model_bytes.len(),
            max: limits.model.max_model_bytes,
        });
    }
    if testset_bytes.len() > limits.max_testset_bytes {
        return Err(EvalFailure::BadTestSet(format!(
            "{} bytes, the limit is {}",
            testset_bytes.len(),
            limits.max_testset_bytes
        )));
    }
    let module = match metric {
        MetricSpec::Wasm(hash) => {
            let module = wasm_module
                .ok_or_else(|| EvalFailure::MetricModuleMismatch("no module given".into()))?;
            let actual: [u8; 32] = Sha256::digest(module).into();
            if &actual != hash {
                return Err(EvalFailure::MetricModuleMismatch(format!(
                    "module hashes to {}, the metric names {}",
                    hex::encode(actual),
                    hex::encode(hash)
                )));
            }
            Some(module)
        }
        _ => None,
    };
    let test = TestSet::from_npz(testset_bytes, &limits.dataset)?;
    let n = test.n();
    let loaded = model::load(model_bytes, &test.x_shape, &limits.model)?;
    let outputs = loaded.run(&test.x, n, deadline, limits.model.timeout)?;
    if model::now() >= deadline {
        return Err(EvalFailure::Timeout {
            limit_ms: limits.model.timeout.as_millis() as u64,
        });
    }

    let on_edge = |what: &str| {
        EvalFailure::Ambiguous(format!(
            "{what}; the daemon abstains rather than guess what other machines computed"
        ))
    };
    let (score_ppm, predictions_digest) = match module {
        Some(module) => {
            let quantized: Vec<i64> = outputs.values.iter().map(|&v| quantize_1e4(v)).collect();
            let grid: Vec<f32> = quantized.iter().map(|&q| (q as f64 / 1e4) as f32).collect();
            let labels: Vec<i64> = match &test.y {
                Labels::Classes(v) => v.clone(),
                Labels::Values(v) => v.iter().map(|&y| (y * 1e4).round() as i64).collect(),
            };
            let score = wasm_metric::run(module, &grid, n, outputs.c, &labels, &limits.wasm)?;
            (score, digest(2, n, outputs.c, &quantized))
        }
        None if metric.is_regression() => {
            let score = metric.compute(&outputs, &test.y)?;
            let values: Vec<i64> = outputs.values.iter().map(|&v| quantize_1e4(v)).collect();
            (score, digest(1, n, outputs.c, &values))
        }
        None => {
            if let Some(row) = outputs.row_on_class_edge() {
                return Err(on_edge(&format!(
                    "row {row}'s class is within 1e-5 of its edge"
                )));
            }
            let score = metric.compute(&outputs, &test.y)?;
            (score, digest(0, n, 1, &outputs.predicted_classes()))
        }
    };
    Ok(Evaluation {
        score_ppm,
        predictions_digest,
        n: n as u64,
    })
}

/// The canonical prediction digest (module doc).
pub fn digest(kind: u8, n: usize, c: usize, values: &[i64]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"KZPRED1\0");
    h.update([kind]);
    h.update((n as u64).to_le_bytes());
    h.update((c as u64).to_le_bytes());
    for v in values {
        h.update(v.to_le_bytes());
    }
    h.finalize().into()
}

/// Outputs of a model on a test set, for tools that want them without a metric.
pub fn predict(
    model_bytes: &[u8],
    testset_bytes: &[u8],
    limits: &Limits,
) -> Result<Outputs, EvalFailure> {
    let deadline = model::now() + limits.model.timeout;
    let test = TestSet::from_npz(testset_bytes, &limits.dataset)?;
    let loaded = model::load(model_bytes, &test.x_shape, &limits.model)?;
    Ok(loaded.run(&test.x, test.n(), deadline, limits.model.timeout)?)
}
