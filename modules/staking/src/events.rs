//! Typed events of the `staking` module (attributes in `kaizen_proto::event`).

pub use kaizen_proto::kaizen::staking::v1::{
    EventDaOperatorJailed, EventDaOperatorRegistered, EventDaOperatorUnjailed,
    EventEvaluatorRegistered, EventEvaluatorSlashed, EventEvaluatorUnjailed,
};
