//! Typed events of the `bank` module (emitted and parsed by `kaizen_framework::event`).

pub use kaizen_proto::kaizen::bank::v1::{Coin, EventBurn, EventFeePaid, EventTransfer};

/// Converts validated coins to the event form.
pub fn coins(c: &kaizen_framework::Coins) -> Vec<Coin> {
    c.iter()
        .map(|(denom, amount)| Coin {
            denom: denom.to_string(),
            amount: amount.to_string(),
        })
        .collect()
}

/// Coins as `100ukzn,5uother`, as the Cosmos SDK prints them.
pub fn coins_text(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}
