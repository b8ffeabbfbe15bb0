//! Typed events: a protobuf message per event, emitted as an ABCI event whose type is
//! the message's full proto name (as Cosmos SDK's typed events), with one indexed
//! attribute per field so that CometBFT's `tx_search` can find them.

pub use kaizen_proto::event::TypedEvent;
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

/// The value of attribute `key` of an ABCI event, if present.
pub fn attribute<'a>(event: &'a Event, key: &str) -> Option<&'a str> {
    event.attributes.iter().find_map(|a| {
        let k = a.key_str().ok()?;
        if k == key {
            a.value_str().ok()
        } else {
            None
        }
    })
}
