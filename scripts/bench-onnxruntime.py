#!/usr/bin/env python3
"""onnxruntime's side of the evaluator benchmark (docs/benchmarks.md, "Evaluator").

    /tmp/venv/bin/python scripts/bench-onnxruntime.py [RUNS] [MODEL.onnx] [TEST.npz]

Same model, data and run count as `eval_bench`: `evaluate` = load the test set, create the
session, run, recall of class 1; `inference` = run an existing session on loaded features.
One intra-op thread, as tract runs single-threaded.
"""
import io
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
model_path = sys.argv[2] if len(sys.argv) > 2 else "demo/submission_strong.onnx"
test_path = sys.argv[3] if len(sys.argv) > 3 else "demo/breast_cancer_test.npz"
model_bytes = open(model_path, "rb").read()
test_bytes = open(test_path, "rb").read()


def options():
    o = ort.SessionOptions()
    o.intra_op_num_threads = 1
    o.inter_op_num_threads = 1
    return o


def evaluate():
    data = np.load(io.BytesIO(test_bytes))
    x, y = data["x"], data["y"]
    sess = ort.InferenceSession(model_bytes, options(), providers=["CPUExecutionProvider"])
    pred = np.argmax(sess.run(None, {"x": x})[0], axis=1)
    tp = int(np.sum((pred == 1) & (y == 1)))
    return tp * 1_000_000 // int(np.sum(y == 1))


full = []
for _ in range(runs):
    t = time.perf_counter()
    score = evaluate()
    full.append(time.perf_counter() - t)

data = np.load(io.BytesIO(test_bytes))
x = data["x"]
sess = ort.InferenceSession(model_bytes, options(), providers=["CPUExecutionProvider"])
infer = []
for _ in range(runs):
    t = time.perf_counter()
    sess.run(None, {"x": x})
    infer.append(time.perf_counter() - t)

print(f"onnxruntime {ort.__version__}: {model_path} on {test_path} ({len(x)} rows), {runs} runs, recall:1 ~ {score} ppm")
print("| mode      | median (ms) | evaluations/s |")
print("|-----------|-------------|---------------|")
for name, times in [("evaluate", full), ("inference", infer)]:
    m = statistics.median(times)
    print(f"| {name:<9} | {m * 1e3:>11.3f} | {1 / m:>13.1f} |")
