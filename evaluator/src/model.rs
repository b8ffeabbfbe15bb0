//! ONNX models, loaded and run with tract.
//!
//! A model has one input, a float tensor of shape `[batch, ...]` whose non-batch dimensions
//! match the test set's `x`; its first output is read as f32 and must be `[N, C]` (a score per
//! class), `[N, 1]` or `[N]` (one score or value per row).
//!
//! Inputs run in batches of [`ModelLimits::batch_size`] rows with a symbolic batch dimension;
//! a model whose batch dimension is fixed (say 1) runs in batches of that size, the last one
//! padded with zero rows whose outputs are dropped. The wall-clock limit is checked before each
//! batch, so a single batch is the granularity of [`ModelError::Timeout`].
//!
//! tract is a large body of code fed untrusted graphs: loading and running happen under
//! `catch_unwind`, and a panic is reported as [`ModelError::Panicked`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thiserror::Error;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

/// Bounds on loading and running a model.
#[derive(Clone, Debug)]
pub struct ModelLimits {
    /// Largest model accepted, in bytes (checked before parsing).
    pub max_model_bytes: usize,
    /// Rows per inference call when the model's batch dimension is symbolic.
    pub batch_size: usize,
    /// Wall-clock budget for loading plus inference.
    pub timeout: Duration,
    /// Most output columns (classes) accepted.
    pub max_output_width: usize,
    /// Most static cost (see [`static_cost`]) an evaluation may have: a job's
    /// `EvalLimits.max_model_cost`, the same on every machine.
    pub max_cost: u64,
}

impl Default for ModelLimits {
    fn default() -> Self {
        Self {
            max_model_bytes: 64 << 20,
            batch_size: 256,
            timeout: Duration::from_secs(60),
            max_output_width: 1 << 16,
            max_cost: 100_000_000_000,
        }
    }
}

/// Why a model could not be loaded or run.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ModelError {
    #[error("model is {len} bytes, the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("model's static cost on this test set is {cost}, the job's limit is {max}")]
    TooCostly { cost: u64, max: u64 },
    #[error("malformed model: {0}")]
    Malformed(String),
    #[error("model expects input {expected}, the test set's x has shape {got:?}")]
    WrongInputShape { expected: String, got: Vec<usize> },
    #[error("model ran past the {limit_ms} ms limit")]
    Timeout { limit_ms: u64 },
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("model output unusable: {0}")]
    BadOutput(String),
    #[error("tract panicked: {0}")]
    Panicked(String),
}

/// A model ready to run on inputs whose rows have shape `row_shape`.
pub struct LoadedModel {
    plan: Arc<TypedRunnableModel>,
    row_shape: Vec<usize>,
    /// Rows per call; `fixed` when the model's own batch dimension is a constant.
    batch: usize,
    fixed: bool,
    max_width: usize,
}

impl std::fmt::Debug for LoadedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedModel")
            .field("row_shape", &self.row_shape)
            .field("batch", &self.batch)
            .field("fixed", &self.fixed)
            .finish()
    }
}

/// A model's outputs for all rows: `n × c` scores in row order (`c = 1` for `[N]` / `[N, 1]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    pub n: usize,
    pub c: usize,
    pub values: Vec<f32>,
}

/// How close to a decision edge an output may not be: float noise between machines (SIMD
/// kernels summing in other orders) is far below it, so two honest machines never land
/// on both sides of an edge while both are outside this margin.
pub const EDGE_MARGIN: f32 = 1e-5;

impl Outputs {
    /// The first row whose predicted class sits within [`EDGE_MARGIN`] of its decision
    /// edge: a single score within the margin of 0.5, or two highest scores within the
    /// margin of each other. Such a row's class depends on the machine.
    pub fn row_on_class_edge(&self) -> Option<usize> {
        if self.c == 1 {
            return self
                .values
                .iter()
                .position(|&s| (s - 0.5).abs() < EDGE_MARGIN);
        }
        self.values.chunks_exact(self.c).position(|row| {
            let mut top = f32::NEG_INFINITY;
            let mut second = f32::NEG_INFINITY;
            for &s in row.iter().filter(|s| !s.is_nan()) {
                if s > top {
                    second = top;
                    top = s;
                } else if s > second {
                    second = s;
                }
            }
            top.is_finite() && second.is_finite() && top - second < EDGE_MARGIN
        })
    }

    /// Predicted class per row: for `c ≥ 2` the index of the highest score (ties go to the
    /// lowest index; NaN counts as −∞), for `c = 1` class 1 when the score is ≥ 0.5 (NaN → 0).
    pub fn predicted_classes(&self) -> Vec<i64> {
        if self.c == 1 {
            return self.values.iter().map(|&s| i64::from(s >= 0.5)).collect();
        }
        self.values
            .chunks_exact(self.c)
            .map(|row| {
                let mut best = 0usize;
                let mut best_score = f32::NEG_INFINITY;
                for (i, &s) in row.iter().enumerate() {
                    let s = if s.is_nan() { f32::NEG_INFINITY } else { s };
                    if s > best_score {
                        best = i;
                        best_score = s;
                    }
                }
                best as i64
            })
            .collect()
    }
}

/// Reads a clock: the evaluator is off-chain code, its limits are wall-clock limits.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Instant {
    Instant::now()
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".to_owned()
    }
}

fn guarded<T>(f: impl FnOnce() -> Result<T, ModelError>) -> Result<T, ModelError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(ModelError::Panicked(panic_message(p))))
}

fn shape_text(dims: &[Option<i64>]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| d.map_or_else(|| "?".to_owned(), |d| d.to_string()))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Loads `bytes` as an ONNX model for inputs of shape `x_shape` (`[N, ...]`).
///
/// Checks the size first, then that the model has one input whose declared shape agrees with
/// `x_shape` in rank and in every known non-batch dimension ([`ModelError::WrongInputShape`]),
/// then optimises it for f32 input with a symbolic (or the model's fixed) batch dimension.
pub fn load(
    bytes: &[u8],
    x_shape: &[usize],
    limits: &ModelLimits,
) -> Result<LoadedModel, ModelError> {
    if bytes.len() > limits.max_model_bytes {
        return Err(ModelError::TooLarge {
            len: bytes.len(),
            max: limits.max_model_bytes,
        });
    }
    if x_shape.is_empty() {
        return Err(ModelError::WrongInputShape {
            expected: "a batch dimension".into(),
            got: vec![],
        });
    }
    guarded(|| load_inner(bytes, x_shape, limits))
}

fn load_inner(
    bytes: &[u8],
    x_shape: &[usize],
    limits: &ModelLimits,
) -> Result<LoadedModel, ModelError> {
    let malformed = |e: TractError| ModelError::Malformed(format!("{e:#}"));
    let model = tract_onnx::onnx()
        .model_for_read(&mut &bytes[..])
        .map_err(malformed)?;
    if model.inputs.len() != 1 {
        return Err(ModelError::Malformed(format!(
            "model has {} inputs, expected 1",
            model.inputs.len()
        )));
    }
    if model.outputs.is_empty() {
        return Err(ModelError::Malformed("model has no outputs".into()));
    }
    let declared = model.input_fact(0).map_err(malformed)?;
    // Dimensions as declared: None where symbolic or unknown.
    let dims: Option<Vec<Option<i64>>> = declared
        .shape
        .concretize()
        .map(|dims| dims.iter().map(|d| d.to_i64().ok()).collect());
    let row_shape = x_shape[1..].to_vec();
    let mut batch = limits.batch_size.max(1);
    let mut fixed = false;
    if let Some(dims) = dims.as_ref().filter(|_| !declared.shape.is_open()) {
        let wrong = || ModelError::WrongInputShape {
            expected: shape_text(dims),
            got: x_shape.to_vec(),
        };
        if dims.len() != x_shape.len() {
            return Err(wrong());
        }
        for (d, &x) in dims.iter().zip(x_shape).skip(1) {
            if d.is_some_and(|d| d != x as i64) {
                return Err(wrong());
            }
        }
        if let Some(b) = dims[0] {
            if b < 1 {
                return Err(wrong());
            }
            batch = usize::try_from(b).map_err(|_| wrong())?;
            fixed = true;
        }
    }
    let mut shape: TVec<TDim> = TVec::new();
    if fixed {
        shape.push(batch.into());
    } else {
        shape.push(model.sym("N").into());
    }
    shape.extend(row_shape.iter().map(|&d| TDim::from(d)));
    let fact = InferenceFact::dt_shape(f32::datum_type(), shape);
    let batch_symbol = model.sym("N");
    // The cost is read off the typed, decluttered graph: the same on every machine,
    // unlike the optimised one, whose kernels depend on the CPU.
    let decluttered = model
        .with_input_fact(0, fact)
        .and_then(|m| m.into_typed())
        .and_then(|m| m.into_decluttered())
        .map_err(malformed)?;
    // Counted at the batch size that runs: a graph that grows faster than its batch
    // (x·xᵀ) costs what it costs per call, times the calls.
    let rows = x_shape[0].max(1);
    let call_rows = if fixed { batch } else { batch.min(rows) };
    let calls = rows.div_ceil(call_rows.max(1)) as u64;
    let cost = static_cost(&decluttered, &batch_symbol, call_rows as i64)?.saturating_mul(calls);
    if cost > limits.max_cost {
        return Err(ModelError::TooCostly {
            cost,
            max: limits.max_cost,
        });
    }
    let typed = decluttered.into_optimized().map_err(malformed)?;
    // Refuse outputs no metric reads before running anything: rank 1 or 2, and a known
    // width within the limit (an unknown width is checked on the first batch).
    let out = typed.output_fact(0).map_err(malformed)?;
    let rank = out.shape.rank();
    if !(1..=2).contains(&rank) {
        return Err(ModelError::BadOutput(format!(
            "output has rank {rank}; expected [N, C] or [N]"
        )));
    }
    if rank == 2 {
        if let Ok(width) = out.shape[1].to_i64() {
            if width < 1 || width as u64 > limits.max_output_width as u64 {
                return Err(ModelError::BadOutput(format!(
                    "output width {width}; expected 1 to {}",
                    limits.max_output_width
                )));
            }
        }
    }
    let plan = typed.into_runnable().map_err(malformed)?;
    Ok(LoadedModel {
        plan,
        row_shape,
        batch,
        fixed,
        max_width: limits.max_output_width,
    })
}

/// The elements a model computes for one call with its batch dimension `batch_symbol` at
/// `rows`: the sum over every node of its outputs' volumes. Deterministic, and a bound on
/// the memory a call holds: a model over its job's `max_model_cost` fails with code 3 on
/// every machine before it runs. It counts elements, not multiply-adds (a matrix product
/// of two large activations costs more time than its output's size); a model with a
/// loop (`Scan`, `Loop`) is refused (code 1), its iterations are not in the graph.
pub fn static_cost(
    model: &TypedModel,
    batch_symbol: &Symbol,
    rows: i64,
) -> Result<u64, ModelError> {
    let values = SymbolValues::default().with(batch_symbol, rows);
    let mut total: u64 = 0;
    for node in &model.nodes {
        // A loop's body runs a number of times the graph does not state: no static bound.
        let op = node.op.name();
        if op.contains("Scan") || op.contains("Loop") {
            return Err(ModelError::Malformed(format!(
                "node {:?} is a {op}, whose cost cannot be bounded before running it",
                node.name
            )));
        }
        for output in &node.outputs {
            let mut volume: u64 = 1;
            for dim in output.fact.shape.iter() {
                let d = dim.eval_to_i64(&values).map_err(|e| {
                    ModelError::Malformed(format!(
                        "node {:?} has a dimension ({dim}) that the test set does not fix: {e}",
                        node.name
                    ))
                })?;
                volume = volume.saturating_mul(u64::try_from(d.max(0)).unwrap_or(0));
            }
            total = total.saturating_add(volume);
        }
    }
    Ok(total)
}

impl LoadedModel {
    /// Runs the model on `x` (`n` rows of `row_shape`, C order), stopping with
    /// [`ModelError::Timeout`] once `deadline` has passed (checked before each batch).
    pub fn run(
        &self,
        x: &[f32],
        n: usize,
        deadline: Instant,
        limit: Duration,
    ) -> Result<Outputs, ModelError> {
        guarded(|| self.run_inner(x, n, deadline, limit))
    }

    fn run_inner(
        &self,
        x: &[f32],
        n: usize,
        deadline: Instant,
        limit: Duration,
    ) -> Result<Outputs, ModelError> {
        let row: usize = self.row_shape.iter().product();
        if row.checked_mul(n) != Some(x.len()) {
            return Err(ModelError::Inference(format!(
                "x has {} values, not {n} rows of {row}",
                x.len()
            )));
        }
        let mut values = Vec::new();
        let mut c = None;
        let mut start = 0;
        while start < n {
            if now() >= deadline {
                return Err(ModelError::Timeout {
                    limit_ms: limit.as_millis() as u64,
                });
            }
            let rows = (n - start).min(self.batch);
            let mut input = x[start * row..(start + rows) * row].to_vec();
            let call_rows = if self.fixed { self.batch } else { rows };
            input.resize(call_rows * row, 0.0);
            let mut shape = Vec::with_capacity(1 + self.row_shape.len());
            shape.push(call_rows);
            shape.extend_from_slice(&self.row_shape);
            let tensor = Tensor::from_shape(&shape, &input)
                .map_err(|e| ModelError::Inference(format!("{e:#}")))?;
            let out = self
                .plan
                .run(tvec!(tensor.into_tvalue()))
                .map_err(|e| ModelError::Inference(format!("{e:#}")))?;
            let first = out
                .first()
                .ok_or_else(|| ModelError::BadOutput("no output".into()))?;
            let first = first
                .cast_to::<f32>()
                .map_err(|e| ModelError::BadOutput(format!("{e:#}")))?;
            let width = match *first.shape() {
                [b] if b == call_rows => 1,
                [b, w] if b == call_rows && w >= 1 && w <= self.max_width => w,
                ref other => {
                    return Err(ModelError::BadOutput(format!(
                        "output shape {other:?} for a batch of {call_rows}; expected [N, C] or [N]"
                    )))
                }
            };
            if *c.get_or_insert(width) != width {
                return Err(ModelError::BadOutput(
                    "output width changes between batches".into(),
                ));
            }
            let view = first
                .try_as_plain_ram()
                .map_err(|e| ModelError::BadOutput(format!("{e:#}")))?;
            let slice = view
                .as_slice::<f32>()
                .map_err(|e| ModelError::BadOutput(format!("{e:#}")))?;
            values.extend_from_slice(&slice[..rows * width]);
            start += rows;
        }
        Ok(Outputs {
            n,
            c: c.unwrap_or(1),
            values,
        })
    }
}
