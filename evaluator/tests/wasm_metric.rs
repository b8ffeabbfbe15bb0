//! Custom WASM metrics: the ABI, fuel and memory limits.

mod common;

use std::time::Duration;

use common::demo;
use kaizen_evaluator::model::now;
use kaizen_evaluator::wasm_metric::{run, WasmError, WasmLimits};
use kaizen_evaluator::{evaluate, EvalFailure, Limits, MetricSpec};
use sha2::{Digest, Sha256};

/// Accuracy over `n` rows of `c` scores: argmax (first maximum) against the label, in ppm
/// rounded half down, as the built-in metric.
const ACCURACY_WAT: &str = r#"
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $need i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $len)))
    (local.set $need (i32.sub (i32.shr_u (i32.add (global.get $next) (i32.const 65535)) (i32.const 16))
                              (memory.size)))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then (drop (memory.grow (local.get $need)))))
    (local.get $ptr))
  (func (export "score") (param $p i32) (param $n i32) (param $c i32) (param $l i32) (result i64)
    (local $i i32) (local $j i32) (local $best i32) (local $bestv f32) (local $v f32)
    (local $row i32) (local $correct i64) (local $a i64) (local $q i64) (local $r i64)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $p) (i32.mul (i32.mul (local.get $i) (local.get $c)) (i32.const 4))))
        (local.set $best (i32.const 0))
        (local.set $bestv (f32.load (local.get $row)))
        (local.set $j (i32.const 1))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $c)))
            (local.set $v (f32.load (i32.add (local.get $row) (i32.mul (local.get $j) (i32.const 4)))))
            (if (f32.gt (local.get $v) (local.get $bestv))
              (then (local.set $best (local.get $j)) (local.set $bestv (local.get $v))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cols)))
        (if (i64.eq (i64.extend_i32_u (local.get $best))
                    (i64.load (i32.add (local.get $l) (i32.mul (local.get $i) (i32.const 8)))))
          (then (local.set $correct (i64.add (local.get $correct) (i64.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.set $a (i64.mul (local.get $correct) (i64.const 1000000)))
    (local.set $q (i64.div_u (local.get $a) (i64.extend_i32_u (local.get $n))))
    (local.set $r (i64.rem_u (local.get $a) (i64.extend_i32_u (local.get $n))))
    (if (result i64) (i64.gt_u (i64.mul (local.get $r) (i64.const 2)) (i64.extend_i32_u (local.get $n)))
      (then (i64.add (local.get $q) (i64.const 1)))
      (else (local.get $q)))))
"#;

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap()
}

/// A module with the ABI's exports around the given `score` body.
fn module_with_score(body: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module
          (memory (export "memory") 1)
          (func (export "alloc") (param i32) (result i32) (i32.const 0))
          (func (export "score") (param i32 i32 i32 i32) (result i64) {body}))"#
    ))
}

fn small_limits() -> WasmLimits {
    WasmLimits {
        fuel: 10_000_000,
        max_memory_bytes: 4 << 20,
        ..WasmLimits::default()
    }
}

#[test]
fn a_wasm_accuracy_metric_scores_the_demo_model_exactly_as_the_built_in_accuracy() {
    let module = wasm(ACCURACY_WAT);
    let hash: [u8; 32] = Sha256::digest(&module).into();
    let model = demo("submission_strong.onnx");
    let test = demo("breast_cancer_test.npz");
    let custom = evaluate(
        &model,
        &test,
        &MetricSpec::Wasm(hash),
        Some(&module),
        &Limits::default(),
    )
    .unwrap();
    let builtin = evaluate(
        &model,
        &test,
        &MetricSpec::Accuracy,
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(custom.score_ppm, builtin.score_ppm);
    assert_eq!(custom.n, 171);
}

#[test]
fn an_infinite_loop_stops_out_of_fuel_within_a_second() {
    let module = wasm(std::str::from_utf8(&demo("loop_forever.wat")).unwrap());
    let start = now();
    let err = run(&module, &[0.5, 0.5], 1, 2, &[1], &small_limits()).unwrap_err();
    assert_eq!(err, WasmError::OutOfFuel);
    assert!(
        now() - start < Duration::from_secs(1),
        "took {:?}",
        now() - start
    );
}

#[test]
fn the_checked_in_loop_forever_wasm_is_the_compiled_wat() {
    let compiled = wasm(std::str::from_utf8(&demo("loop_forever.wat")).unwrap());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/loop_forever.wasm");
    if std::env::var_os("KAIZEN_WRITE_DEMO").is_some() {
        std::fs::write(&path, &compiled).unwrap();
    }
    assert_eq!(
        demo("loop_forever.wasm"),
        compiled,
        "rerun with KAIZEN_WRITE_DEMO=1 to refresh"
    );
}

#[test]
fn the_demo_loop_metric_fails_an_evaluation_with_code_5() {
    let module = demo("loop_forever.wasm");
    let hash: [u8; 32] = Sha256::digest(&module).into();
    let mut limits = Limits::default();
    limits.wasm.fuel = 1_000_000;
    let err = evaluate(
        &demo("baseline.onnx"),
        &demo("breast_cancer_test.npz"),
        &MetricSpec::Wasm(hash),
        Some(&module),
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(&err, EvalFailure::MetricFailed(m) if m.contains("fuel")),
        "{err:?}"
    );
    assert_eq!(err.code(), 5);
}

#[test]
fn a_memory_grow_bomb_is_refused_with_memory_limit() {
    let module = module_with_score(
        "(loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i64.const 0)",
    );
    let err = run(&module, &[0.5], 1, 1, &[1], &small_limits()).unwrap_err();
    assert_eq!(err, WasmError::MemoryLimit);
}

#[test]
fn a_module_declaring_more_initial_memory_than_the_limit_is_refused() {
    let module = wasm(
        r#"(module (memory (export "memory") 1000)
            (func (export "alloc") (param i32) (result i32) (i32.const 0))
            (func (export "score") (param i32 i32 i32 i32) (result i64) (i64.const 0)))"#,
    );
    assert_eq!(
        run(&module, &[0.5], 1, 1, &[1], &small_limits()).unwrap_err(),
        WasmError::MemoryLimit
    );
}

#[test]
fn modules_with_imports_or_without_the_abi_exports_are_bad_modules() {
    let with_import = wasm(
        r#"(module (import "env" "f" (func)) (memory (export "memory") 1)
            (func (export "alloc") (param i32) (result i32) (i32.const 0))
            (func (export "score") (param i32 i32 i32 i32) (result i64) (i64.const 0)))"#,
    );
    let no_score = wasm(
        r#"(module (memory (export "memory") 1)
            (func (export "alloc") (param i32) (result i32) (i32.const 0)))"#,
    );
    let wrong_type = wasm(
        r#"(module (memory (export "memory") 1)
            (func (export "alloc") (param i32) (result i32) (i32.const 0))
            (func (export "score") (param i32 i32 i32 i32) (result i32) (i32.const 0)))"#,
    );
    let no_memory = wasm(
        r#"(module (func (export "alloc") (param i32) (result i32) (i32.const 0))
            (func (export "score") (param i32 i32 i32 i32) (result i64) (i64.const 0)))"#,
    );
    for (name, module) in [
        ("import", with_import),
        ("no score", no_score),
        ("type", wrong_type),
        ("memory", no_memory),
    ] {
        let err = run(&module, &[0.5], 1, 1, &[1], &small_limits()).unwrap_err();
        assert!(matches!(err, WasmError::BadModule(_)), "{name}: {err:?}");
    }
    let err = run(
        b"\0asm\x01\0\0\0garbage",
        &[0.5],
        1,
        1,
        &[1],
        &small_limits(),
    )
    .unwrap_err();
    assert!(matches!(err, WasmError::BadModule(_)), "{err:?}");
    let big = WasmLimits {
        max_module_bytes: 4,
        ..small_limits()
    };
    assert!(matches!(
        run(&wasm(ACCURACY_WAT), &[0.5], 1, 1, &[1], &big),
        Err(WasmError::BadModule(_))
    ));
}

#[test]
fn a_negative_score_is_a_bad_score_and_a_trap_is_a_trap() {
    let negative = module_with_score("(i64.const -3)");
    assert_eq!(
        run(&negative, &[0.5], 1, 1, &[1], &small_limits()).unwrap_err(),
        WasmError::BadScore(-3)
    );
    let trap = module_with_score("unreachable");
    assert!(matches!(
        run(&trap, &[0.5], 1, 1, &[1], &small_limits()),
        Err(WasmError::Trap(_))
    ));
}

#[test]
fn an_alloc_returning_an_offset_outside_memory_is_a_trap_not_a_host_fault() {
    let module = wasm(
        r#"(module (memory (export "memory") 1)
            (func (export "alloc") (param i32) (result i32) (i32.const 65535))
            (func (export "score") (param i32 i32 i32 i32) (result i64) (i64.const 0)))"#,
    );
    assert!(matches!(
        run(&module, &[0.5, 0.5], 1, 2, &[1], &small_limits()),
        Err(WasmError::Trap(_))
    ));
}
