//! Printing: text or JSON (`--output`), and the text formats several commands share
//! (tables, scores, failure codes, enum names, a transaction's response).
//!
//! A command builds its JSON value and its text together and hands both to [`print`], so
//! that `--output json` and the text say the same thing.

use clap::ValueEnum;
use cosmrs::proto::cosmos::base::abci::v1beta1::TxResponse;
use serde_json::{json, Value};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Prints `value` as pretty JSON, or the text.
pub fn print(output: Output, value: Value, text: impl FnOnce() -> String) {
    match output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ),
        Output::Text => println!("{}", text()),
    }
}

/// A transaction's response as `--output json` prints it.
pub fn tx_response_json(r: &TxResponse) -> Value {
    json!({
        "txhash": r.txhash, "height": r.height, "code": r.code, "codespace": r.codespace,
        "raw_log": r.raw_log, "gas_wanted": r.gas_wanted, "gas_used": r.gas_used, "timestamp": r.timestamp,
        "events": r.events.iter().map(|e| json!({
            "type": e.r#type,
            "attributes": e.attributes.iter().map(|a| json!({"key": a.key, "value": a.value})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The text of a transaction that was only accepted into the mempool (`--no-wait`).
pub fn mempool_text(r: &TxResponse) -> String {
    format!(
        "txhash: {}\naccepted into the mempool; `kaizen query tx {}` for the result",
        r.txhash, r.txhash
    )
}

/// `871234` → `87.1234%`.
pub fn format_percent(ppm: u64) -> String {
    format!("{}.{:04}%", ppm / 10_000, ppm % 10_000)
}

/// Whether a metric's score is an error (lower is better) rather than a rate.
pub fn is_error_metric(metric: &str) -> bool {
    matches!(metric, "mse" | "mae")
}

/// A score for people: a percentage for rates, a decimal for errors, with the ppm.
pub fn format_score(ppm: u64, metric: &str) -> String {
    if is_error_metric(metric) {
        format!("{}.{:06} ({ppm} ppm)", ppm / 1_000_000, ppm % 1_000_000)
    } else {
        format!("{} ({ppm} ppm)", format_percent(ppm))
    }
}

/// What an evaluation failure code means (docs/evaluator.md).
pub fn failure_meaning(code: u32) -> &'static str {
    match code {
        0 => "none",
        1 => "malformed model",
        2 => "wrong input shape",
        3 => "model too large",
        4 => "timeout",
        5 => "metric failed",
        6 => "bad test set",
        7 => "inference failed",
        8 => "model output unusable",
        9 => "WASM metric module missing or mismatched",
        kaizen_bounty::NO_QUORUM_FAILURE => "no quorum: no committee agreed on a result",
        _ => "unknown failure",
    }
}

/// `BOUNTY_STATUS_OPEN` with prefix `BOUNTY_STATUS_` → `open`.
pub fn short_name(name: Option<&str>, prefix: &str) -> String {
    name.map(|n| n.strip_prefix(prefix).unwrap_or(n).to_ascii_lowercase())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Hex, or `-` for nothing.
pub fn hex_or_none(b: &[u8]) -> String {
    if b.is_empty() {
        "-".to_string()
    } else {
        hex::encode(b)
    }
}

/// Left-aligned columns under a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < width.len() {
                width[i] = width[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == cells.len() {
                    c.to_string()
                } else {
                    format!("{c:<w$}", w = width[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    std::iter::once(line(header.to_vec()))
        .chain(
            rows.iter()
                .map(|r| line(r.iter().map(String::as_str).collect())),
        )
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_print_as_percentages_with_four_decimals() {
        assert_eq!(format_percent(871_234), "87.1234%");
        assert_eq!(format_percent(0), "0.0000%");
        assert_eq!(format_percent(1_000_000), "100.0000%");
        assert_eq!(format_percent(5), "0.0005%");
        assert_eq!(format_score(871_234, "recall:1"), "87.1234% (871234 ppm)");
        assert_eq!(format_score(12_345, "mse"), "0.012345 (12345 ppm)");
    }

    #[test]
    fn tables_align_columns() {
        let t = table(
            &["ID", "STATUS", "TITLE"],
            &[
                vec!["1".into(), "open".into(), "a".into()],
                vec!["12".into(), "settled".into(), "b c".into()],
            ],
        );
        assert_eq!(t, "ID  STATUS   TITLE\n1   open     a\n12  settled  b c");
    }
}
