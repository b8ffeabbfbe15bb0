#!/usr/bin/env python3
"""Builds the evaluator's demo artifacts under demo/ (deterministic; run from the repo root).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn onnx onnxruntime numpy
    /tmp/venv/bin/python scripts/make-demo-artifacts.py

Data: scikit-learn's breast-cancer set, relabelled so that class 1 = malignant (sklearn's
target 0 is malignant). A stratified 30 % split is held out as demo/breast_cancer_test.npz
(x float32 [N,30], y int64 [N]).

Models are plain ONNX graphs (opset 13: MatMul, Add, Softmax; no ai.onnx.ml ops, which tract
does not run) with input "x" [N,30] (dynamic batch) and output "scores" [N,2]:
  baseline.onnx            logistic regression on 2 raw features
  submission_weak.onnx     logistic regression on 3 raw features: a little better, short of +5 points
  submission_strong.onnx   all 30 features, standardisation folded into the weights,
                           class_weight tuned so malignant recall >= 0.95
A binary logistic model z = x.w + b becomes two class scores softmax([-z/2, z/2]), whose
second entry is sigmoid(z), so argmax agrees with sklearn's predict().

Bad inputs for tests: malformed.onnx (not a protobuf model), wrong_shape.onnx (expects
[N,10]), loop_forever.wat (a WASM metric that never returns; the Rust tests compile it to
loop_forever.wasm and check the checked-in copy matches).

demo/expected.json records, per model, what onnxruntime computed (and sklearn agreed with):
recall of class 1 and accuracy in parts per million, rounded half down like the evaluator.
"""
import hashlib
import io
import json
import os
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

OUT = "demo"
SEED = 0


def ppm(num, den):
    """num/den in parts per million, rounded half down (as kaizen-evaluator's metric.rs)."""
    a = num * 1_000_000
    q, r = divmod(a, den)
    return q + (1 if 2 * r > den else 0)


def linear_model(w, b, n_features, name, batch="N", head="softmax"):
    """ONNX graph x [batch, n_features] -> scores.

    head "softmax": softmax(x @ W + B) with W = [-w/2, w/2], B = [-b/2, b/2], shape [batch, 2];
    head "sigmoid": sigmoid(x @ w + b), shape [batch, 1]; head "linear": x @ w + b, [batch, 1].
    """
    w = np.asarray(w, dtype=np.float64).reshape(n_features)
    if head == "softmax":
        W = np.stack([-w / 2, w / 2], axis=1).astype(np.float32)
        B = np.array([-b / 2, b / 2], dtype=np.float32)
        last = helper.make_node("Softmax", ["logits"], ["scores"], axis=1)
        width = 2
    else:
        W = w.reshape(n_features, 1).astype(np.float32)
        B = np.array([b], dtype=np.float32)
        if head == "sigmoid":
            last = helper.make_node("Sigmoid", ["logits"], ["scores"])
        else:
            last = helper.make_node("Identity", ["logits"], ["scores"])
        width = 1
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["logits0"]),
            helper.make_node("Add", ["logits0", "B"], ["logits"]),
            last,
        ],
        name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, n_features])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [batch, width])],
        initializer=[
            helper.make_tensor("W", TensorProto.FLOAT, W.shape, W.flatten().tolist()),
            helper.make_tensor("B", TensorProto.FLOAT, B.shape, B.tolist()),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="kaizen-demo"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_npz(path, arrays):
    """Like np.savez_compressed, with fixed timestamps so the archive is byte-reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())


def save(model, name):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return path


def ort_predict(path, x):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    scores = sess.run(None, {"x": x})[0]
    return np.argmax(scores, axis=1)  # ties -> lowest index, as the evaluator


def recall_ppm(y, pred):
    tp = int(np.sum((pred == 1) & (y == 1)))
    fn = int(np.sum((pred == 0) & (y == 1)))
    return ppm(tp, tp + fn)


def accuracy_ppm(y, pred):
    return ppm(int(np.sum(pred == y)), len(y))


def main():
    os.makedirs(OUT, exist_ok=True)
    data = load_breast_cancer()
    x = data.data
    y = (1 - data.target).astype(np.int64)  # 1 = malignant
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, random_state=SEED, stratify=y
    )
    x_test32 = x_test.astype(np.float32)
    write_npz(os.path.join(OUT, "breast_cancer_test.npz"), {"x": x_test32, "y": y_test})

    names = list(data.feature_names)
    expected = {"test_set": {"n": int(len(y_test)), "positives": int(y_test.sum())}, "models": {}}

    def record(name, path, sk_pred):
        pred = ort_predict(path, x_test32)
        r, a = recall_ppm(y_test, pred), accuracy_ppm(y_test, pred)
        sk_r = recall_ppm(y_test, sk_pred)
        assert r == sk_r, f"{name}: onnxruntime recall {r} != sklearn recall {sk_r}"
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        expected["models"][name] = {"recall_1_ppm": r, "accuracy_ppm": a, "sha256": digest}
        print(f"{name:28s} recall(malignant) = {r / 1e6:.4f}  accuracy = {a / 1e6:.4f}")

    # Baseline: two raw features, unscaled.
    base_feats = [names.index("mean radius"), names.index("mean texture")]
    lr = LogisticRegression(max_iter=10000, C=1.0).fit(x_train[:, base_feats], y_train)
    w = np.zeros(30)
    w[base_feats] = lr.coef_[0]
    path = save(linear_model(w, lr.intercept_[0], 30, "baseline"), "baseline.onnx")
    record("baseline.onnx", path, lr.predict(x_test[:, base_feats]))

    # Weak: three raw features.
    weak_feats = base_feats + [names.index("worst concave points")]
    lr = LogisticRegression(max_iter=10000, C=1.0).fit(x_train[:, weak_feats], y_train)
    w = np.zeros(30)
    w[weak_feats] = lr.coef_[0]
    path = save(linear_model(w, lr.intercept_[0], 30, "weak"), "submission_weak.onnx")
    record("submission_weak.onnx", path, lr.predict(x_test[:, weak_feats]))

    # Strong: all features, standardisation folded into the weights, class weight tuned on
    # the training split (the smallest weight reaching 0.98 recall there).
    scaler = StandardScaler().fit(x_train)
    xs_train = scaler.transform(x_train)
    chosen = None
    for cw in [1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0]:
        lr = LogisticRegression(max_iter=10000, C=0.5, class_weight={0: 1.0, 1: cw})
        lr.fit(xs_train, y_train)
        if recall_ppm(y_train, lr.predict(xs_train)) >= 980_000:
            chosen = (cw, lr)
            break
    assert chosen is not None
    cw, lr = chosen
    w = lr.coef_[0] / scaler.scale_
    b = lr.intercept_[0] - float(np.sum(scaler.mean_ * w))
    path = save(linear_model(w, b, 30, "strong"), "submission_strong.onnx")
    record("submission_strong.onnx", path, lr.predict(scaler.transform(x_test)))
    expected["models"]["submission_strong.onnx"]["class_weight_1"] = cw

    # Variants of the strong model for the evaluator's shape handling: a fixed batch of 4
    # (171 rows = 42 batches + 3, so the last batch is padded) and a single sigmoid score.
    save(linear_model(w, b, 30, "strong_fixed_batch", batch=4), "strong_fixed_batch4.onnx")
    save(linear_model(w, b, 30, "strong_sigmoid", head="sigmoid"), "strong_sigmoid.onnx")

    # Regression: least squares of the 0/1 label on standardised features, as a linear
    # model [N,1]. The expected error uses outputs rounded to 1e-4, as the evaluator does.
    xs = scaler.transform(x_train)
    A = np.hstack([xs, np.ones((len(xs), 1))])
    coef, *_ = np.linalg.lstsq(A, y_train.astype(np.float64), rcond=None)
    rw = coef[:30] / scaler.scale_
    rb = coef[30] - float(np.sum(scaler.mean_ * rw))
    path = save(linear_model(rw, rb, 30, "regression", head="linear"), "regression.onnx")
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    out = sess.run(None, {"x": x_test32})[0][:, 0].astype(np.float64)
    q = np.round(out * 1e4) / 1e4
    err = q - y_test.astype(np.float64)
    expected["regression"] = {
        "model": "regression.onnx",
        "labels": "y of breast_cancer_test.npz as float64",
        "mse_ppm": int(round(float(np.mean(err * err)) * 1e6)),
        "mae_ppm": int(round(float(np.mean(np.abs(err))) * 1e6)),
    }
    print(f"{'regression.onnx':28s} mse = {expected['regression']['mse_ppm'] / 1e6:.4f}")

    rec = {k: v["recall_1_ppm"] for k, v in expected["models"].items()}
    assert 750_000 <= rec["baseline.onnx"] <= 850_000, rec
    assert rec["baseline.onnx"] < rec["submission_weak.onnx"] < rec["baseline.onnx"] + 50_000, rec
    assert rec["submission_strong.onnx"] >= 950_000, rec

    # Bad inputs.
    with open(os.path.join(OUT, "malformed.onnx"), "wb") as f:
        f.write(b"\x08\x07this is not an ONNX model\xff\xff\xff\xff" + bytes(range(64)))
    save(linear_model(np.ones(10) * 0.01, 0.0, 10, "wrong_shape"), "wrong_shape.onnx")
    with open(os.path.join(OUT, "loop_forever.wat"), "w") as f:
        f.write(LOOP_FOREVER_WAT)

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")


LOOP_FOREVER_WAT = """\
;; A Kaizen WASM metric (see evaluator/src/wasm_metric.rs for the ABI) whose score never
;; returns: the evaluator must stop it with OutOfFuel.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 0))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $len)))
    (block $ok
      (br_if $ok (i32.le_u (global.get $next)
                           (i32.mul (memory.size) (i32.const 65536))))
      (drop (memory.grow (i32.add (i32.shr_u (local.get $len) (i32.const 16)) (i32.const 1)))))
    (local.get $ptr))
  (func (export "score") (param i32 i32 i32 i32) (result i64)
    (loop $forever (br $forever))
    (i64.const 0)))
"""

if __name__ == "__main__":
    main()
