//! Typed events of the `bounty` module (attributes in `kaizen_proto::event`).

pub use kaizen_proto::kaizen::bounty::v1::{
    EventBountyClosed, EventBountyCreated, EventBountyOpened, EventBountySettled,
    EventSubmissionCommitted, EventSubmissionRevealed, EventSubmissionScored,
};
