//! Typed events, as the Cosmos SDK's: an event is a protobuf message, emitted as an ABCI
//! event whose type is the message's full proto name and whose attributes are its fields,
//! each value the field's protobuf JSON (so a string is quoted, a `uint64` is a quoted
//! number, a list of coins is a JSON array). Every message with the derived JSON is an
//! event ([`TypedEvent`] has one blanket implementation), and [`TypedEvent::from_attributes`]
//! reads one back: a new proto field is emitted and parsed without any code here.

use serde::{de::DeserializeOwned, Serialize};

/// Why attributes do not make the event they claim to be.
#[derive(Debug, thiserror::Error)]
pub enum EventParseError {
    #[error("attribute {key:?} is not JSON: {reason}")]
    NotJson { key: String, reason: String },
    #[error("the attributes are not a {event}: {reason}")]
    Shape { event: String, reason: String },
}

/// A protobuf event message.
pub trait TypedEvent: prost::Name + Serialize + DeserializeOwned {
    /// One `(field, JSON value)` pair per field, default values included, sorted by
    /// field name.
    fn attributes(&self) -> Vec<(String, String)> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect(),
            // The derived JSON of a message is always an object.
            _ => Vec::new(),
        }
    }

    /// The event these attributes describe (unknown attributes are refused, missing
    /// ones take their default).
    fn from_attributes<'a>(
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, EventParseError> {
        let mut fields = serde_json::Map::new();
        for (key, value) in attributes {
            let value = serde_json::from_str(value).map_err(|e| EventParseError::NotJson {
                key: key.to_string(),
                reason: e.to_string(),
            })?;
            fields.insert(key.to_string(), value);
        }
        serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| {
            EventParseError::Shape {
                event: Self::full_name(),
                reason: e.to_string(),
            }
        })
    }
}

impl<T: prost::Name + Serialize + DeserializeOwned> TypedEvent for T {}

/// The typed event `E` in an event of type `kind` with `attributes`, whatever struct
/// carries them (ABCI, CometBFT RPC, a Cosmos `TxResponse`): `None` if `kind` is another
/// event's.
pub fn parse_event<'a, E: TypedEvent>(
    kind: &str,
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Result<E, EventParseError>> {
    (kind == E::full_name()).then(|| E::from_attributes(attributes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kaizen::bank::v1::{Coin, EventTransfer};
    use crate::kaizen::bounty::v1::EventBountyCreated;

    #[test]
    fn an_event_reads_back_from_its_attributes() {
        let e = EventTransfer {
            sender: "kaizen1a".into(),
            recipient: "kaizen1b".into(),
            amount: vec![Coin {
                denom: "ukzn".into(),
                amount: "5".into(),
            }],
        };
        let attrs = e.attributes();
        assert_eq!(
            attrs,
            vec![
                (
                    "amount".to_string(),
                    r#"[{"amount":"5","denom":"ukzn"}]"#.to_string()
                ),
                ("recipient".to_string(), "\"kaizen1b\"".to_string()),
                ("sender".to_string(), "\"kaizen1a\"".to_string()),
            ]
        );
        let back =
            EventTransfer::from_attributes(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn zero_fields_are_emitted_and_bad_attributes_are_refused() {
        let e = EventBountyCreated::default();
        let attrs = e.attributes();
        assert!(attrs.iter().any(|(k, v)| k == "bounty_id" && v == "\"0\""));
        assert!(matches!(
            EventBountyCreated::from_attributes([("bounty_id", "five")]),
            Err(EventParseError::NotJson { .. })
        ));
        assert!(matches!(
            EventBountyCreated::from_attributes([("no_such_field", "1")]),
            Err(EventParseError::Shape { .. })
        ));
    }
}
