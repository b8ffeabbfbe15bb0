//! Typed events of the `attest` module (attributes in `kaizen_proto::event`).

pub use kaizen_proto::kaizen::attest::v1::{
    EventAttestationCommitted, EventAttestationRevealed, EventJobAssigned, EventJobAwaitingBeacon,
    EventJobFinal, EventJobQueued, EventRevealOpened,
};
