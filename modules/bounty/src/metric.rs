//! The metrics a bounty may name, as the chain checks them. The evaluator computes them
//! (`kaizen_evaluator::metric`); the chain only needs the name to be valid and whether a
//! higher score is better.
//!
//! `accuracy`, `macro_f1`, `precision:<class>`, `recall:<class>`, `f1:<class>`,
//! `roc_auc:<class>` (higher is better), `mse`, `mae` (lower is better), `wasm` (a custom
//! WASM metric, higher is better; its module is the bounty's `wasm_metric` blob).

use crate::error::BountyError;

/// Longest metric text.
pub const MAX_METRIC_BYTES: usize = 32;

/// Checks a metric name; returns whether a higher score is better.
pub fn check_metric(metric: &str) -> Result<bool, BountyError> {
    let bad = |why: &str| BountyError::InvalidMetric(format!("{metric:?}: {why}"));
    if metric.len() > MAX_METRIC_BYTES {
        return Err(bad("too long"));
    }
    let (name, class) = match metric.split_once(':') {
        Some((n, c)) => (n, Some(c)),
        None => (metric, None),
    };
    let higher = match name {
        "accuracy" | "macro_f1" | "wasm" => true,
        "precision" | "recall" | "f1" | "roc_auc" => true,
        "mse" | "mae" => false,
        _ => return Err(bad("unknown metric")),
    };
    let needs_class = matches!(name, "precision" | "recall" | "f1" | "roc_auc");
    match (needs_class, class) {
        (true, Some(c)) => {
            let ok = !c.is_empty()
                && c.len() <= 5
                && c.bytes().all(|b| b.is_ascii_digit())
                && c.parse::<u32>().is_ok_and(|v| v <= 65_535);
            if !ok {
                return Err(bad("the class must be a number in 0..=65535"));
            }
        }
        (true, None) => return Err(bad("needs a class, e.g. recall:1")),
        (false, Some(_)) => return Err(bad("takes no class")),
        (false, None) => {}
    }
    Ok(higher)
}

/// Whether `score` reaches `target` in the metric's direction.
pub fn reaches(score: u64, target: u64, higher_is_better: bool) -> bool {
    if higher_is_better {
        score >= target
    } else {
        score <= target
    }
}

/// Whether `a` is strictly better than `b`.
pub fn better(a: u64, b: u64, higher_is_better: bool) -> bool {
    if higher_is_better {
        a > b
    } else {
        a < b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_checked_with_their_direction() {
        assert_eq!(check_metric("recall:1"), Ok(true));
        assert_eq!(check_metric("accuracy"), Ok(true));
        assert_eq!(check_metric("mse"), Ok(false));
        assert_eq!(check_metric("wasm"), Ok(true));
        for bad in [
            "recall",
            "recall:",
            "recall:x",
            "recall:70000",
            "accuracy:1",
            "rmse",
            "",
        ] {
            assert!(check_metric(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_are_reached_in_the_metric_direction() {
        assert!(reaches(950_000, 950_000, true));
        assert!(!reaches(949_999, 950_000, true));
        assert!(reaches(10, 20, false));
        assert!(!reaches(21, 20, false));
        assert!(better(2, 1, true) && better(1, 2, false) && !better(1, 1, true));
    }
}
