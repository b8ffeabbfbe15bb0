//! `kaizen.staking.v1.MsgUnjailDaOperator`: back into future quorums after the jail time
//! (the [`Unjail`] of the DA operator role).

use kaizen_framework::HandlerError;
use kaizen_proto::kaizen::staking::v1::{DaOperator, MsgUnjailDaOperator};

use super::unjail::Unjail;

pub type UnjailDaOperator = Unjail<DaOperator>;

impl TryFrom<&MsgUnjailDaOperator> for UnjailDaOperator {
    type Error = HandlerError;
    fn try_from(msg: &MsgUnjailDaOperator) -> Result<Self, HandlerError> {
        Ok(Self::new(msg.operator.parse()?))
    }
}
