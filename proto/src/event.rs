//! Attributes of Kaizen's event messages. An event is emitted as an ABCI event whose type
//! is the message's full proto name, with one indexed attribute per field (see
//! `kaizen_framework::event`).

use crate::kaizen::{
    auth::v1::EventAccountCreated,
    bank::v1::{Coin, EventFeePaid, EventTransfer},
};

/// A protobuf event message.
pub trait TypedEvent: prost::Name {
    /// One `(field, value)` pair per field, values rendered as plain text.
    fn attributes(&self) -> Vec<(&'static str, String)>;
}

fn coins_text(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

impl TypedEvent for EventAccountCreated {
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("address", self.address.clone()),
            ("account_number", self.account_number.to_string()),
        ]
    }
}

impl TypedEvent for EventTransfer {
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("sender", self.sender.clone()),
            ("recipient", self.recipient.clone()),
            ("amount", coins_text(&self.amount)),
        ]
    }
}

impl TypedEvent for EventFeePaid {
    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("payer", self.payer.clone()),
            ("amount", coins_text(&self.amount)),
        ]
    }
}

/// Implements [`TypedEvent`] for a message whose fields all render with `to_string`.
macro_rules! plain_event {
    ($ty:ty { $($field:ident),* $(,)? }) => {
        impl TypedEvent for $ty {
            fn attributes(&self) -> Vec<(&'static str, String)> {
                vec![$((stringify!($field), self.$field.to_string())),*]
            }
        }
    };
}

use crate::kaizen::{da::v1 as da, staking::v1 as staking};

plain_event!(staking::EventDaOperatorRegistered {
    operator,
    endpoint,
    bond
});
plain_event!(staking::EventDaOperatorJailed {
    operator,
    consecutive_misses,
    jailed_until_height
});
plain_event!(staking::EventDaOperatorUnjailed { operator });
plain_event!(da::EventBlobPaid {
    commitment,
    payer,
    size,
    fee,
    epoch,
    expires_height
});
plain_event!(da::EventBlobCertified {
    commitment,
    signers,
    shards_held
});
plain_event!(da::EventBlobExpired { commitment });
plain_event!(da::EventChallengeIssued {
    id,
    operator,
    commitment,
    shard_index,
    segment_index,
    deadline_height
});
plain_event!(da::EventChallengeAnswered {
    id,
    operator,
    reward
});
plain_event!(da::EventChallengeMissed { id, operator });
plain_event!(da::EventEpochStarted {
    epoch,
    seed,
    quorum_size,
    randomness_contributions
});
