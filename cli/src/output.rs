//! Printing: text or JSON (`--output`), and the text formats several commands share
//! (tables, scores, failure codes, enum names, a transaction's response).
//!
//! A command builds its JSON value and its text together and hands both to [`print`], so
//! that `--output json` and the text say the same thing. The JSON of a query is its gRPC
//! response message, and that of a transaction its `TxResponse`, both through
//! [`proto_json`]: what `gaiad ... -o json` prints, and every field the proto has.

use clap::ValueEnum;
use cosmrs::proto::cosmos::base::abci::v1beta1::TxResponse;
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Prints `value` as pretty JSON, or the text.
/// A closed stdout (`kaizen ... | head`) ends the output quietly instead of panicking.
pub fn print(output: Output, value: Value, text: impl FnOnce() -> String) {
    use std::io::Write;
    let body = match output {
        Output::Json => serde_json::to_string_pretty(&value).unwrap_or_default(),
        Output::Text => text(),
    };
    let _ = writeln!(std::io::stdout().lock(), "{body}");
}

/// A proto message as `--output json` prints it: its serde JSON (pbjson), as the Cosmos
/// SDK's: the proto field names, 64-bit integers as strings, bytes in base64, enums by
/// their full names (`"BOUNTY_STATUS_OPEN"`).
///
/// Kaizen's protos are generated with the proto field names and every field written;
/// `cosmos-sdk-proto`'s serde writes the lowerCamelCase JSON names (`gasWanted`) and
/// leaves out the fields at their default value (`code` of a transaction that passed), so
/// keys are turned back into the proto names (`gas_wanted`) that Cosmos CLIs print. The
/// messages printed have no map fields: every object key is a field name.
pub fn proto_json<T: serde::Serialize>(m: &T) -> anyhow::Result<Value> {
    Ok(proto_names(serde_json::to_value(m)?))
}

/// A message packed in an `Any` in the proto3 JSON mapping: its type URL as `@type`
/// beside its fields (`{"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": ...}`).
pub fn any_json<T: serde::Serialize + prost::Name>(m: &T) -> anyhow::Result<Value> {
    let mut v = proto_json(m)?;
    if let Value::Object(fields) = &mut v {
        fields.insert("@type".to_string(), T::type_url().into());
    }
    Ok(v)
}

/// A transaction command's JSON: the `TxResponse`, with the values the command derives
/// from it (e.g. a new bounty's id) as more top-level keys.
pub fn tx_json<'a>(
    r: &TxResponse,
    extra: impl IntoIterator<Item = (&'a str, Value)>,
) -> anyhow::Result<Value> {
    let mut v = proto_json(r)?;
    if let Value::Object(fields) = &mut v {
        fields.extend(extra.into_iter().map(|(k, x)| (k.to_string(), x)));
    }
    Ok(v)
}

/// Every object key from lowerCamelCase to the proto field name: `gasWanted` →
/// `gas_wanted` (proto names are lower_snake_case; `Any`'s `@type` is kept).
fn proto_names(v: Value) -> Value {
    match v {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, x)| {
                    let mut name = String::with_capacity(k.len() + 4);
                    for c in k.chars() {
                        if c.is_ascii_uppercase() {
                            name.push('_');
                            name.push(c.to_ascii_lowercase());
                        } else {
                            name.push(c);
                        }
                    }
                    (name, proto_names(x))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(proto_names).collect()),
        other => other,
    }
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
    fn proto_json_uses_the_proto_field_names_of_cosmos_and_kaizen_messages() {
        use cosmrs::proto::cosmos::{
            auth::v1beta1::BaseAccount,
            bank::v1beta1::QueryAllBalancesResponse,
            base::{query::v1beta1::PageResponse, v1beta1::Coin},
        };
        use kaizen_proto::kaizen::bounty::v1 as bounty;
        let r = TxResponse {
            height: 7,
            txhash: "AB".into(),
            raw_log: "ok".into(),
            gas_wanted: 100,
            gas_used: 60,
            events: vec![cosmrs::proto::tendermint::abci::Event {
                r#type: "kaizen.bank.v1.EventTransfer".into(),
                attributes: vec![cosmrs::proto::tendermint::abci::EventAttribute {
                    key: "amount".into(),
                    value: "\"5\"".into(),
                    index: true,
                }],
            }],
            ..Default::default()
        };
        let v = tx_json(&r, [("bounty_id", "3".into())]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "height": "7", "txhash": "AB", "raw_log": "ok", "gas_wanted": "100",
                "gas_used": "60", "bounty_id": "3",
                "events": [{"type": "kaizen.bank.v1.EventTransfer",
                            "attributes": [{"key": "amount", "value": "\"5\"", "index": true}]}],
            })
        );
        let balances = QueryAllBalancesResponse {
            balances: vec![Coin {
                denom: "ukzn".into(),
                amount: "10".into(),
            }],
            pagination: Some(PageResponse {
                next_key: vec![1],
                total: 1,
            }),
        };
        assert_eq!(
            proto_json(&balances).unwrap(),
            serde_json::json!({"balances": [{"denom": "ukzn", "amount": "10"}],
                               "pagination": {"next_key": "AQ==", "total": "1"}})
        );
        let account = BaseAccount {
            address: "kaizen1x".into(),
            account_number: 4,
            ..Default::default()
        };
        assert_eq!(
            any_json(&account).unwrap(),
            serde_json::json!({"@type": "/cosmos.auth.v1beta1.BaseAccount",
                               "address": "kaizen1x", "account_number": "4"})
        );
        // Kaizen's messages: every field, enums by name, bytes in base64.
        let b = proto_json(&bounty::QueryBountyResponse {
            bounty: Some(bounty::Bounty {
                id: 2,
                status: bounty::BountyStatus::Open as i32,
                test_set: vec![0xff],
                ..Default::default()
            }),
        })
        .unwrap();
        assert_eq!(b["bounty"]["id"], "2");
        assert_eq!(b["bounty"]["status"], "BOUNTY_STATUS_OPEN");
        assert_eq!(b["bounty"]["test_set"], "/w==");
        assert_eq!(b["bounty"]["winning_model_id"], "0");
        assert_eq!(b["bounty"]["submitter_share_ppm"], 0);
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
