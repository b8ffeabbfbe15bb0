//! Typed events of the `da` module (attributes in `kaizen_proto::event`).

pub use kaizen_proto::kaizen::da::v1::{
    EventBlobCertified, EventBlobExpired, EventBlobPaid, EventChallengeAnswered,
    EventChallengeIssued, EventChallengeMissed, EventEpochStarted, EventRandomnessWithheld,
};
