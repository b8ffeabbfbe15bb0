//! Typed events of the `bank` module (attributes in `kaizen_proto::event`).

pub use kaizen_proto::kaizen::bank::v1::{Coin, EventFeePaid, EventTransfer};

/// Converts validated coins to the event form.
pub fn coins(c: &kaizen_framework::Coins) -> Vec<Coin> {
    c.iter()
        .map(|(denom, amount)| Coin {
            denom: denom.to_string(),
            amount: amount.to_string(),
        })
        .collect()
}
