//! Typed events: a protobuf message per event, emitted as an ABCI event whose type is
//! the message's full proto name (as Cosmos SDK's typed events), with one indexed
//! attribute per field (its protobuf JSON) so that CometBFT's `tx_search` can find them.
//! [`from_abci`] reads one back; daemons, the CLI and tests use it instead of attribute
//! names.

pub use kaizen_proto::event::{EventParseError, TypedEvent};
use tendermint::abci::{Event, EventAttribute};

/// The ABCI form of a typed event.
pub fn to_abci<E: TypedEvent>(event: &E) -> Event {
    let attributes: Vec<EventAttribute> = event
        .attributes()
        .into_iter()
        .map(|(k, v)| (k, v, true).into())
        .collect();
    Event::new(E::full_name(), attributes)
}

/// The typed event in an ABCI event: `None` if the event is of another type.
pub fn from_abci<E: TypedEvent>(event: &Event) -> Option<Result<E, EventParseError>> {
    if event.kind != E::full_name() {
        return None;
    }
    let mut pairs = Vec::with_capacity(event.attributes.len());
    for a in &event.attributes {
        match (a.key_str(), a.value_str()) {
            (Ok(k), Ok(v)) => pairs.push((k, v)),
            _ => {
                return Some(Err(EventParseError::Shape {
                    event: E::full_name(),
                    reason: "an attribute is not UTF-8".into(),
                }))
            }
        }
    }
    Some(E::from_attributes(pairs))
}
