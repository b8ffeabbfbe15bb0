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

plain_event!(staking::EventEvaluatorRegistered { evaluator, bond });
plain_event!(staking::EventEvaluatorSlashed {
    evaluator,
    amount,
    reason,
    job_id,
    jailed_until_height
});
plain_event!(staking::EventEvaluatorUnjailed { evaluator });

use crate::kaizen::{attest::v1 as attest, bounty::v1 as bounty};

plain_event!(attest::EventJobAssigned {
    job_id,
    round,
    committee,
    commit_deadline_height
});
plain_event!(attest::EventAttestationCommitted { job_id, evaluator });
plain_event!(attest::EventRevealOpened {
    job_id,
    reveal_deadline_height
});
plain_event!(attest::EventAttestationRevealed {
    job_id,
    evaluator,
    score_ppm,
    failure_code
});
plain_event!(attest::EventJobFinal {
    job_id,
    status,
    score_ppm,
    failure_code,
    agreeing
});
plain_event!(bounty::EventBountyCreated {
    bounty_id,
    sponsor,
    reward,
    baseline_job_id
});
plain_event!(bounty::EventBountyOpened {
    bounty_id,
    baseline_score_ppm,
    target_ppm
});
plain_event!(bounty::EventSubmissionCommitted {
    bounty_id,
    submission_id,
    submitter
});
plain_event!(bounty::EventSubmissionRevealed {
    bounty_id,
    submission_id,
    job_id
});
plain_event!(bounty::EventSubmissionScored {
    bounty_id,
    submission_id,
    status,
    score_ppm,
    failure_code,
    beats_target
});
plain_event!(bounty::EventBountySettled {
    bounty_id,
    submission_id,
    winner,
    submitter_amount,
    verifier_amount,
    model_id
});
plain_event!(bounty::EventBountyClosed {
    bounty_id,
    status,
    refunded
});
