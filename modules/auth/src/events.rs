//! Typed events of the `auth` module (attributes in `kaizen_proto::event`).

pub use kaizen_proto::kaizen::auth::v1::EventAccountCreated;
