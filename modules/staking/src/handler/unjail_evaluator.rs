//! `kaizen.staking.v1.MsgUnjailEvaluator`: back into committees after the jail time (the
//! [`Unjail`] of the evaluator role).

use kaizen_framework::HandlerError;
use kaizen_proto::kaizen::staking::v1::{Evaluator, MsgUnjailEvaluator};

use super::unjail::Unjail;

pub type UnjailEvaluator = Unjail<Evaluator>;

impl TryFrom<&MsgUnjailEvaluator> for UnjailEvaluator {
    type Error = HandlerError;
    fn try_from(msg: &MsgUnjailEvaluator) -> Result<Self, HandlerError> {
        Ok(Self::new(msg.evaluator.parse()?))
    }
}
