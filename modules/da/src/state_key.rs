//! Every key of the `da` module. Heights, epochs and ids are zero-padded to 20 digits so
//! that they sort; commitments are lower-case hex.

use kaizen_framework::Address;

pub fn params() -> &'static str {
    "da/params"
}

/// A blob record (`kaizen.da.v1.Blob`), by commitment.
pub fn blob(commitment: &[u8]) -> String {
    format!("da/blobs/{}", hex::encode(commitment))
}

/// The quorum of an epoch (`kaizen.da.v1.Quorum`).
pub fn quorum(epoch: u64) -> String {
    format!("da/quorums/{epoch:020}")
}

/// Expiry queue entry: the blob expires at `height`.
pub fn expiry(height: u64, commitment: &[u8]) -> String {
    format!("da/expiry/{height:020}/{}", hex::encode(commitment))
}

pub fn expiry_queue() -> &'static str {
    "da/expiry/"
}

/// Parses an expiry queue entry: (height, commitment).
pub fn parse_expiry(key: &str) -> Option<(u64, Vec<u8>)> {
    let (height, commitment) = key.strip_prefix(expiry_queue())?.split_once('/')?;
    Some((height.parse().ok()?, hex::decode(commitment).ok()?))
}

/// Certified, unexpired blobs as a dense list (`live/<i>` → commitment), so that a
/// challenge picks one uniformly in O(1); removal swaps the last entry in.
pub fn live(index: u64) -> String {
    format!("da/live/{index:020}")
}

/// The position of a blob in the live list.
pub fn live_position(commitment: &[u8]) -> String {
    format!("da/live_position/{}", hex::encode(commitment))
}

pub fn live_count() -> &'static str {
    "da/live_count"
}

pub fn challenge(id: u64) -> String {
    format!("da/challenges/{id:020}")
}

pub const fn next_challenge_id() -> &'static str {
    "da/next_challenge_id"
}

/// Open challenges of an operator, for its node to find.
pub fn open_challenge(operator: &Address, id: u64) -> String {
    format!("da/open_challenges/{operator}/{id:020}")
}

pub fn open_challenges_of(operator: &Address) -> String {
    format!("da/open_challenges/{operator}/")
}

/// Parses an open challenge entry: (operator, challenge id).
pub fn parse_open_challenge(key: &str) -> Option<(&str, u64)> {
    let (operator, id) = key.strip_prefix("da/open_challenges/")?.split_once('/')?;
    Some((operator, id.parse().ok()?))
}

/// Deadline queue entry: challenge `id` must be answered by `height`.
pub fn challenge_deadline(height: u64, id: u64) -> String {
    format!("da/challenge_deadlines/{height:020}/{id:020}")
}

pub fn challenge_deadlines() -> &'static str {
    "da/challenge_deadlines/"
}

/// Parses a challenge deadline entry: (height, challenge id).
pub fn parse_challenge_deadline(key: &str) -> Option<(u64, u64)> {
    let (height, id) = key.strip_prefix(challenge_deadlines())?.split_once('/')?;
    Some((height.parse().ok()?, id.parse().ok()?))
}

pub use kaizen_framework::queue_height;

#[cfg(test)]
mod tests {
    use super::*;

    fn operator() -> Address {
        Address::for_module("da-test-operator")
    }

    #[test]
    fn queue_entries_parse_back() {
        let commitment = [0xab; 32];
        let key = expiry(42, &commitment);
        assert_eq!(parse_expiry(&key), Some((42, commitment.to_vec())));
        assert_eq!(queue_height(&key, expiry_queue()), Some(42));
        assert_eq!(
            parse_challenge_deadline(&challenge_deadline(9, 7)),
            Some((9, 7))
        );
        assert_eq!(parse_expiry(&challenge_deadline(9, 7)), None);
        assert_eq!(parse_challenge_deadline(&expiry(9, &commitment)), None);
    }

    #[test]
    fn open_challenges_parse_back_under_their_operator() {
        let key = open_challenge(&operator(), 5);
        assert!(key.starts_with(&open_challenges_of(&operator())));
        let text = operator().to_string();
        assert_eq!(parse_open_challenge(&key), Some((text.as_str(), 5)));
        assert_eq!(parse_open_challenge(&challenge(5)), None);
    }
}
