//! Custom metrics as WebAssembly modules, run in the `wasmi` interpreter with fuel metering
//! and a memory limit.
//!
//! # ABI (version 1)
//! A metric module
//! - imports nothing (a module with any import is refused: [`WasmError::BadModule`]);
//! - exports its linear memory as `memory` (one memory, 32-bit);
//! - exports `alloc(len: i32) -> i32`, returning the offset of `len` writable bytes;
//! - exports `score(pred_ptr: i32, n: i32, c: i32, label_ptr: i32) -> i64`.
//!
//! The host calls `alloc(n·c·4)` and writes the predictions there as little-endian f32, row
//! after row (`c` values per row), then `alloc(n·8)` and writes the labels as little-endian
//! i64, then calls `score`. The result is the score in parts per million, higher is better;
//! a negative result means the module refuses the input ([`WasmError::BadScore`]).
//!
//! Predictions are the model's outputs put on the 10⁻⁴ grid (`round(v·10⁴)/10⁴` as f32) so
//! that every honest evaluator feeds the module the same bits. Labels are the class indexes,
//! or for a regression test set the targets on the same grid as integers (`round(y·10⁴)`).
//!
//! Every instruction costs fuel: instantiation, `alloc` and `score` share one budget
//! ([`WasmLimits::fuel`]); running dry is [`WasmError::OutOfFuel`]. Memory beyond
//! [`WasmLimits::max_memory_bytes`] is refused at instantiation and traps on `memory.grow`
//! ([`WasmError::MemoryLimit`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

use thiserror::Error;
use wasmi::{
    CompilationMode, Config, Engine, ExternType, Linker, Module, Store, StoreLimits,
    StoreLimitsBuilder, TrapCode, TypedFunc,
};

/// Bounds on running a metric module.
#[derive(Clone, Debug)]
pub struct WasmLimits {
    /// Largest module accepted, in bytes.
    pub max_module_bytes: usize,
    /// Fuel for instantiation plus both calls (about one unit per instruction).
    pub fuel: u64,
    /// Largest linear memory, in bytes.
    pub max_memory_bytes: usize,
}

impl Default for WasmLimits {
    fn default() -> Self {
        Self {
            max_module_bytes: 1 << 20,
            fuel: 1_000_000_000,
            max_memory_bytes: 256 << 20,
        }
    }
}

/// Why a metric module gave no score.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum WasmError {
    #[error("metric module ran out of fuel")]
    OutOfFuel,
    #[error("metric module exceeded the memory limit")]
    MemoryLimit,
    #[error("metric module trapped: {0}")]
    Trap(String),
    #[error("bad metric module: {0}")]
    BadModule(String),
    #[error("metric module returned {0}, not a score")]
    BadScore(i64),
}

const PAGE: u64 = 65536;

/// Runs the metric `module` on `predictions` (`n × c` values) and `labels` (`n` values).
pub fn run(
    module: &[u8],
    predictions: &[f32],
    n: usize,
    c: usize,
    labels: &[i64],
    limits: &WasmLimits,
) -> Result<u64, WasmError> {
    catch_unwind(AssertUnwindSafe(|| {
        run_inner(module, predictions, n, c, labels, limits)
    }))
    .unwrap_or_else(|_| Err(WasmError::Trap("interpreter panicked".into())))
}

fn run_inner(
    wasm: &[u8],
    predictions: &[f32],
    n: usize,
    c: usize,
    labels: &[i64],
    limits: &WasmLimits,
) -> Result<u64, WasmError> {
    let bad = |m: String| WasmError::BadModule(m);
    if wasm.len() > limits.max_module_bytes {
        return Err(bad(format!(
            "{} bytes, the limit is {}",
            wasm.len(),
            limits.max_module_bytes
        )));
    }
    if n.checked_mul(c) != Some(predictions.len()) || labels.len() != n {
        return Err(WasmError::Trap(format!(
            "inputs: {} predictions and {} labels for n = {n}, c = {c}",
            predictions.len(),
            labels.len()
        )));
    }
    let pred_len = i32::try_from(predictions.len() * 4).map_err(|_| WasmError::MemoryLimit)?;
    let label_len = i32::try_from(labels.len() * 8).map_err(|_| WasmError::MemoryLimit)?;
    let (n32, c32) = (i32::try_from(n), i32::try_from(c));
    let (Ok(n32), Ok(c32)) = (n32, c32) else {
        return Err(WasmError::MemoryLimit);
    };

    let mut config = Config::default();
    config.consume_fuel(true);
    config.compilation_mode(CompilationMode::Eager);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wasm).map_err(|e| bad(e.to_string()))?;
    if module.imports().next().is_some() {
        return Err(bad("imports are not allowed".into()));
    }
    let mut memory_declared = false;
    for export in module.exports() {
        if let ExternType::Memory(mt) = export.ty() {
            if export.name() != "memory" {
                continue;
            }
            memory_declared = true;
            if mt.is_64() {
                return Err(bad("memory must be 32-bit".into()));
            }
            if mt.minimum().saturating_mul(PAGE) > limits.max_memory_bytes as u64 {
                return Err(WasmError::MemoryLimit);
            }
        }
    }
    if !memory_declared {
        return Err(bad("no exported memory \"memory\"".into()));
    }

    let store_limits = StoreLimitsBuilder::new()
        .memory_size(limits.max_memory_bytes)
        .memories(1)
        .tables(1)
        .table_elements(10_000)
        .instances(1)
        .trap_on_grow_failure(true)
        .build();
    let mut store = Store::new(&engine, store_limits);
    store.limiter(|l: &mut StoreLimits| l);
    store
        .set_fuel(limits.fuel)
        .map_err(|e| bad(e.to_string()))?;

    let linker = Linker::<StoreLimits>::new(&engine);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(classify)?;
    let memory = instance
        .get_memory(&store, "memory")
        .ok_or_else(|| bad("no exported memory \"memory\"".into()))?;
    let alloc: TypedFunc<i32, i32> = instance
        .get_typed_func(&store, "alloc")
        .map_err(|e| bad(format!("export alloc(i32) -> i32: {e}")))?;
    let score: TypedFunc<(i32, i32, i32, i32), i64> = instance
        .get_typed_func(&store, "score")
        .map_err(|e| bad(format!("export score(i32, i32, i32, i32) -> i64: {e}")))?;

    let mut bytes = Vec::with_capacity(predictions.len() * 4);
    for p in predictions {
        bytes.extend_from_slice(&p.to_le_bytes());
    }
    let pred_ptr = alloc.call(&mut store, pred_len).map_err(classify)?;
    write(&memory, &mut store, pred_ptr, &bytes)?;
    bytes.clear();
    for l in labels {
        bytes.extend_from_slice(&l.to_le_bytes());
    }
    let label_ptr = alloc.call(&mut store, label_len).map_err(classify)?;
    write(&memory, &mut store, label_ptr, &bytes)?;

    let result = score
        .call(&mut store, (pred_ptr, n32, c32, label_ptr))
        .map_err(classify)?;
    u64::try_from(result).map_err(|_| WasmError::BadScore(result))
}

fn write(
    memory: &wasmi::Memory,
    store: &mut Store<StoreLimits>,
    ptr: i32,
    bytes: &[u8],
) -> Result<(), WasmError> {
    let offset = u32::try_from(ptr)
        .map_err(|_| WasmError::Trap(format!("alloc returned negative offset {ptr}")))?;
    memory.write(store, offset as usize, bytes).map_err(|_| {
        WasmError::Trap(format!(
            "alloc returned {ptr}, {} bytes do not fit there",
            bytes.len()
        ))
    })
}

fn classify(e: wasmi::Error) -> WasmError {
    match e.as_trap_code() {
        Some(TrapCode::OutOfFuel) => WasmError::OutOfFuel,
        Some(TrapCode::GrowthOperationLimited) => WasmError::MemoryLimit,
        _ => {
            let text = e.to_string();
            if text.contains("resource limiter denied") {
                WasmError::MemoryLimit
            } else {
                WasmError::Trap(text)
            }
        }
    }
}
