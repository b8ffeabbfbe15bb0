//! Arbitrary bytes in every untrusted position give a typed error, never a panic.

mod common;

use common::demo;
use kaizen_evaluator::dataset::{parse_npy, parse_npz, DatasetLimits};
use kaizen_evaluator::wasm_metric::{run, WasmLimits};
use kaizen_evaluator::{evaluate, patch, Limits, MetricSpec};
use proptest::prelude::*;

fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8)]) -> Vec<u8> {
    for &(at, b) in edits {
        let i = at % bytes.len();
        bytes[i] = b;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_are_never_a_panic_for_the_npy_npz_and_patch_parsers(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let limits = DatasetLimits::default();
        let _ = parse_npy(&bytes, &limits);
        let _ = parse_npz(&bytes, &limits);
        let _ = patch::apply(b"base", &bytes);
        let mut npy = b"\x93NUMPY\x01\x00".to_vec();
        npy.extend_from_slice(&bytes);
        let _ = parse_npy(&npy, &limits);
    }

    #[test]
    fn a_demo_test_set_with_bytes_changed_parses_or_fails_cleanly(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let bytes = mutate(demo("breast_cancer_test.npz"), &edits);
        let _ = parse_npz(&bytes, &DatasetLimits::default());
    }

    #[test]
    fn a_demo_model_with_bytes_changed_evaluates_or_fails_with_a_code(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let model = mutate(demo("submission_strong.onnx"), &edits);
        let result = evaluate(&model, &demo("breast_cancer_test.npz"), &MetricSpec::Accuracy, None, &Limits::default());
        if let Err(e) = result {
            prop_assert!((1..=9).contains(&e.code()), "{e:?}");
        }
    }

    #[test]
    fn a_wasm_module_with_bytes_changed_runs_or_fails_cleanly(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let module = mutate(demo("loop_forever.wasm"), &edits);
        let limits = WasmLimits { fuel: 100_000, max_memory_bytes: 1 << 20, ..WasmLimits::default() };
        let _ = run(&module, &[0.5, 0.5], 1, 2, &[1], &limits);
    }
}
