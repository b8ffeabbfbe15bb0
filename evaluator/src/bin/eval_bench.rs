//! Evaluations per second of a model on a test set (default: the demo strong model on the
//! breast-cancer test split), median of N runs.
//!
//! ```text
//! cargo run --release -p kaizen-evaluator --bin eval_bench -- [RUNS] [MODEL.onnx] [TEST.npz]
//! ```
//! Two rows: `evaluate` is the whole call (parse the test set, load and optimise the model,
//! infer, recall:1, digest) as an evaluator does per submission; `inference` runs an already
//! loaded model on already parsed features, the part `scripts/bench-onnxruntime.py` matches.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use kaizen_evaluator::dataset::TestSet;
use kaizen_evaluator::model::{self, now};
use kaizen_evaluator::{evaluate, Limits, MetricSpec};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(200)
        .max(1);
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../demo");
    let model_path = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or(demo.join("submission_strong.onnx"));
    let test_path = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or(demo.join("breast_cancer_test.npz"));
    let (model_bytes, test_bytes) = match (std::fs::read(&model_path), std::fs::read(&test_path)) {
        (Ok(m), Ok(t)) => (m, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("reading inputs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let limits = Limits::default();
    let metric = MetricSpec::Recall(1);

    let mut full = Vec::with_capacity(runs);
    let mut score = 0;
    for _ in 0..runs {
        let start = now();
        match evaluate(&model_bytes, &test_bytes, &metric, None, &limits) {
            Ok(e) => score = e.score_ppm,
            Err(e) => {
                eprintln!("evaluation failed (code {}): {e}", e.code());
                return ExitCode::FAILURE;
            }
        }
        full.push(now() - start);
    }

    let Ok(test) = TestSet::from_npz(&test_bytes, &limits.dataset) else {
        eprintln!("bad test set");
        return ExitCode::FAILURE;
    };
    let Ok(loaded) = model::load(&model_bytes, &test.x_shape, &limits.model) else {
        eprintln!("model does not load");
        return ExitCode::FAILURE;
    };
    let mut infer = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = now();
        let deadline = start + Duration::from_secs(60);
        if let Err(e) = loaded.run(&test.x, test.n(), deadline, Duration::from_secs(60)) {
            eprintln!("inference failed: {e}");
            return ExitCode::FAILURE;
        }
        infer.push(now() - start);
    }

    println!(
        "model {} on {} ({} rows), {runs} runs, recall:1 = {score} ppm",
        model_path.display(),
        test_path.display(),
        test.n()
    );
    println!("| mode      | median (ms) | evaluations/s |");
    println!("|-----------|-------------|---------------|");
    for (name, times) in [("evaluate", full), ("inference", infer)] {
        let m = median(times);
        println!(
            "| {name:<9} | {:>11.3} | {:>13.1} |",
            m.as_secs_f64() * 1e3,
            1.0 / m.as_secs_f64()
        );
    }
    ExitCode::SUCCESS
}
