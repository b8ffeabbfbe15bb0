//! Metrics: what a bounty measures, and how a score is computed from a model's outputs.
//!
//! Scores are integers in parts per million (ppm). For count-based metrics (accuracy,
//! precision, recall, F1) the ratio is computed exactly with `u128` intermediates and rounded
//! **half down**: `a/b` becomes `floor(a/b)` plus one only when the remainder is strictly more
//! than half of `b`. So 0.5 ppm rounds to 0 and 2/3 of a ppm rounds to 1. Everything that
//! feeds a score is integer or a value the digest also fixes, so honest evaluators agree.
//!
//! | text form      | meaning                                              | better |
//! |----------------|------------------------------------------------------|--------|
//! | `accuracy`     | correct / n                                          | higher |
//! | `precision:K`  | tp / (tp + fp) for class K (0 when nothing predicted K) | higher |
//! | `recall:K`     | tp / (tp + fn) for class K (0 when no row is K)      | higher |
//! | `f1:K`         | 2tp / (2tp + fp + fn) for class K (0 when all are 0) | higher |
//! | `macro_f1`     | mean of F1 over the classes seen in labels or predictions | higher |
//! | `roc_auc:K`    | Mann–Whitney AUC of class K's score vs the rest, ties count half | higher |
//! | `mse`          | mean squared error × 10⁶                             | lower  |
//! | `mae`          | mean absolute error × 10⁶                            | lower  |
//! | `wasm:<hex>`   | a WASM module with that SHA-256 computes it (see `wasm_metric`) | higher |

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::dataset::Labels;
use crate::model::Outputs;

/// What a bounty measures. Its text form (`Display` / `FromStr`) is stable: it is stored on
/// chain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricSpec {
    Accuracy,
    Precision(u32),
    Recall(u32),
    F1(u32),
    MacroF1,
    RocAuc(u32),
    Mse,
    Mae,
    /// A custom metric: SHA-256 of the WASM module that computes it.
    Wasm([u8; 32]),
}

/// Why a metric could not be computed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MetricError {
    #[error("unknown metric {0:?}")]
    Unknown(String),
    #[error("metric {metric} needs {needs} labels")]
    WrongLabels { metric: String, needs: &'static str },
    #[error("metric {metric}: model output has {c} columns, {reason}")]
    WrongOutput {
        metric: String,
        c: usize,
        reason: &'static str,
    },
    #[error("{0} rows of output for {1} labels")]
    LengthMismatch(usize, usize),
    #[error("metric {0} is undefined on this test set: {1}")]
    Undefined(String, &'static str),
}

impl MetricSpec {
    /// Whether a larger score is better (false for the error metrics `mse` and `mae`).
    pub fn higher_is_better(&self) -> bool {
        !matches!(self, MetricSpec::Mse | MetricSpec::Mae)
    }

    /// Whether the metric compares real-valued outputs with float labels.
    pub fn is_regression(&self) -> bool {
        matches!(self, MetricSpec::Mse | MetricSpec::Mae)
    }

    /// Computes a built-in metric (not `wasm:`; see [`crate::wasm_metric`]).
    ///
    /// Classification metrics use [`Outputs::predicted_classes`], except `roc_auc:K` which
    /// ranks class K's score (for single-score outputs: the score for K = 1, its negation for
    /// K = 0), quantised to 10⁻⁶ first so that last-bit float differences rarely change ranks.
    /// Regression metrics use outputs quantised as in the prediction digest (10⁻⁴ steps).
    pub fn compute(&self, outputs: &Outputs, labels: &Labels) -> Result<u64, MetricError> {
        if outputs.n != labels.len() {
            return Err(MetricError::LengthMismatch(outputs.n, labels.len()));
        }
        let classes = || match labels {
            Labels::Classes(v) => Ok(v),
            Labels::Values(_) => Err(MetricError::WrongLabels {
                metric: self.to_string(),
                needs: "integer class",
            }),
        };
        match self {
            MetricSpec::Accuracy => {
                let y = classes()?;
                let pred = outputs.predicted_classes();
                let correct = pred.iter().zip(y).filter(|(p, y)| p == y).count();
                Ok(ppm(correct as u128, y.len() as u128))
            }
            MetricSpec::Precision(k) | MetricSpec::Recall(k) | MetricSpec::F1(k) => {
                let y = classes()?;
                let (tp, fp, fnn) = confusion(&outputs.predicted_classes(), y, i64::from(*k));
                Ok(match self {
                    MetricSpec::Precision(_) => ppm(tp, tp + fp),
                    MetricSpec::Recall(_) => ppm(tp, tp + fnn),
                    _ => ppm(2 * tp, 2 * tp + fp + fnn),
                })
            }
            MetricSpec::MacroF1 => {
                let y = classes()?;
                let pred = outputs.predicted_classes();
                let mut seen: Vec<i64> = y.iter().chain(pred.iter()).copied().collect();
                seen.sort_unstable();
                seen.dedup();
                // Each class's F1 in 10⁻¹² units (floor), then the mean rounded half down to ppm.
                let mut sum: u128 = 0;
                for &k in &seen {
                    let (tp, fp, fnn) = confusion(&pred, y, k);
                    let den = 2 * tp + fp + fnn;
                    sum += (2 * tp * 1_000_000_000_000).checked_div(den).unwrap_or(0);
                }
                Ok(div_round_half_down(sum, seen.len() as u128 * 1_000_000))
            }
            MetricSpec::RocAuc(k) => {
                let y = classes()?;
                let scores = auc_scores(outputs, *k).ok_or_else(|| MetricError::WrongOutput {
                    metric: self.to_string(),
                    c: outputs.c,
                    reason: "no score column for that class",
                })?;
                roc_auc(&scores, y, i64::from(*k))
                    .ok_or_else(|| MetricError::Undefined(self.to_string(), "needs both classes"))
            }
            MetricSpec::Mse | MetricSpec::Mae => {
                let Labels::Values(y) = labels else {
                    return Err(MetricError::WrongLabels {
                        metric: self.to_string(),
                        needs: "float",
                    });
                };
                if outputs.c != 1 {
                    return Err(MetricError::WrongOutput {
                        metric: self.to_string(),
                        c: outputs.c,
                        reason: "expected one value per row",
                    });
                }
                let mut sum = 0f64;
                for (&out, &label) in outputs.values.iter().zip(y) {
                    let pred = quantize_1e4(out) as f64 / 1e4;
                    let err = pred - label;
                    sum += if *self == MetricSpec::Mse {
                        err * err
                    } else {
                        err.abs()
                    };
                }
                let mean = sum / y.len() as f64;
                // `as` saturates: an enormous error is u64::MAX, NaN cannot occur (finite inputs).
                Ok((mean * 1e6).round() as u64)
            }
            MetricSpec::Wasm(_) => Err(MetricError::Unknown(
                "wasm metrics are computed by wasm_metric::run".into(),
            )),
        }
    }
}

/// An output value on the 10⁻⁴ grid as an integer (`round(v × 10⁴)`, saturating; NaN → 0).
pub fn quantize_1e4(v: f32) -> i64 {
    (f64::from(v) * 1e4).round() as i64
}

/// `num / den` in ppm, rounded half down; 0 when `den` is 0.
pub fn ppm(num: u128, den: u128) -> u64 {
    if den == 0 {
        return 0;
    }
    div_round_half_down(num * 1_000_000, den)
}

/// `a / b` rounded half down (saturating to `u64`); 0 when `b` is 0.
pub fn div_round_half_down(a: u128, b: u128) -> u64 {
    if b == 0 {
        return 0;
    }
    let (q, r) = (a / b, a % b);
    u64::try_from(q + u128::from(2 * r > b)).unwrap_or(u64::MAX)
}

fn confusion(pred: &[i64], y: &[i64], k: i64) -> (u128, u128, u128) {
    let (mut tp, mut fp, mut fnn) = (0u128, 0u128, 0u128);
    for (&p, &t) in pred.iter().zip(y) {
        match (p == k, t == k) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fnn += 1,
            (false, false) => {}
        }
    }
    (tp, fp, fnn)
}

fn auc_scores(outputs: &Outputs, k: u32) -> Option<Vec<i64>> {
    let q = |v: f32| {
        let v = if v.is_nan() { f32::NEG_INFINITY } else { v };
        (f64::from(v) * 1e6).round() as i64
    };
    if outputs.c == 1 {
        return match k {
            1 => Some(outputs.values.iter().map(|&v| q(v)).collect()),
            0 => Some(
                outputs
                    .values
                    .iter()
                    .map(|&v| q(v).saturating_neg())
                    .collect(),
            ),
            _ => None,
        };
    }
    let k = k as usize;
    (k < outputs.c).then(|| {
        outputs
            .values
            .chunks_exact(outputs.c)
            .map(|row| q(row[k]))
            .collect()
    })
}

/// Mann–Whitney AUC in ppm: the share of (positive, negative) pairs where the positive scores
/// higher, ties counting half; `None` without both positives and negatives.
fn roc_auc(scores: &[i64], y: &[i64], k: i64) -> Option<u64> {
    let mut rows: Vec<(i64, bool)> = scores.iter().zip(y).map(|(&s, &t)| (s, t == k)).collect();
    rows.sort_unstable_by_key(|r| r.0);
    let (mut neg_below, mut twice_u) = (0u128, 0u128);
    let (mut pos_total, mut neg_total) = (0u128, 0u128);
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        let (mut pos, mut neg) = (0u128, 0u128);
        while j < rows.len() && rows[j].0 == rows[i].0 {
            if rows[j].1 {
                pos += 1;
            } else {
                neg += 1;
            }
            j += 1;
        }
        twice_u += pos * (2 * neg_below + neg);
        neg_below += neg;
        pos_total += pos;
        neg_total += neg;
        i = j;
    }
    if pos_total == 0 || neg_total == 0 {
        return None;
    }
    Some(ppm(twice_u, 2 * pos_total * neg_total))
}

impl fmt::Display for MetricSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricSpec::Accuracy => write!(f, "accuracy"),
            MetricSpec::Precision(k) => write!(f, "precision:{k}"),
            MetricSpec::Recall(k) => write!(f, "recall:{k}"),
            MetricSpec::F1(k) => write!(f, "f1:{k}"),
            MetricSpec::MacroF1 => write!(f, "macro_f1"),
            MetricSpec::RocAuc(k) => write!(f, "roc_auc:{k}"),
            MetricSpec::Mse => write!(f, "mse"),
            MetricSpec::Mae => write!(f, "mae"),
            MetricSpec::Wasm(h) => write!(f, "wasm:{}", hex::encode(h)),
        }
    }
}

impl FromStr for MetricSpec {
    type Err = MetricError;

    /// Parses the canonical text form only: lower case, class numbers without sign or leading
    /// zeros, the hash as 64 lower-case hex digits. `s.parse::<MetricSpec>()?.to_string() == s`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || MetricError::Unknown(s.to_owned());
        let class = |t: &str| -> Result<u32, MetricError> {
            let canonical = !t.is_empty()
                && t.bytes().all(|b| b.is_ascii_digit())
                && (t == "0" || !t.starts_with('0'));
            if !canonical {
                return Err(unknown());
            }
            t.parse().map_err(|_| unknown())
        };
        Ok(match s.split_once(':') {
            None => match s {
                "accuracy" => MetricSpec::Accuracy,
                "macro_f1" => MetricSpec::MacroF1,
                "mse" => MetricSpec::Mse,
                "mae" => MetricSpec::Mae,
                _ => return Err(unknown()),
            },
            Some(("precision", k)) => MetricSpec::Precision(class(k)?),
            Some(("recall", k)) => MetricSpec::Recall(class(k)?),
            Some(("f1", k)) => MetricSpec::F1(class(k)?),
            Some(("roc_auc", k)) => MetricSpec::RocAuc(class(k)?),
            Some(("wasm", h)) => {
                let lower =
                    h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                if !lower {
                    return Err(unknown());
                }
                let mut hash = [0u8; 32];
                hex::decode_to_slice(h, &mut hash).map_err(|_| unknown())?;
                MetricSpec::Wasm(hash)
            }
            Some(_) => return Err(unknown()),
        })
    }
}
