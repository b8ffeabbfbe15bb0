//! Conversion of recorded events to their ABCI v0.38 protobuf form.

use tendermint::abci::Event;
use tendermint_proto::v0_38::abci as pb;

pub fn to_proto_events(events: &[Event]) -> Vec<pb::Event> {
    events
        .iter()
        .map(|e| pb::Event {
            r#type: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| pb::EventAttribute {
                    key: a.key_str().unwrap_or_default().to_string(),
                    value: a.value_str().unwrap_or_default().to_string(),
                    index: a.index(),
                })
                .collect(),
        })
        .collect()
}
