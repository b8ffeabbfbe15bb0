//! Every key of the `bounty` module. Heights and ids are zero-padded to 20 digits so
//! that they sort; commitments are lower-case hex.

pub fn params() -> &'static str {
    "bounty/params"
}

pub fn bounty(id: u64) -> String {
    format!("bounty/bounties/{id:020}")
}

pub fn bounties() -> &'static str {
    "bounty/bounties/"
}

pub fn next_bounty_id() -> &'static str {
    "bounty/next_bounty_id"
}

pub fn submission(id: u64) -> String {
    format!("bounty/submissions/{id:020}")
}

pub fn next_submission_id() -> &'static str {
    "bounty/next_submission_id"
}

/// Index of a bounty's submissions, in id order.
pub fn submission_of(bounty: u64, submission: u64) -> String {
    format!("bounty/by_bounty/{bounty:020}/{submission:020}")
}

pub fn submissions_of(bounty: u64) -> String {
    format!("bounty/by_bounty/{bounty:020}/")
}

/// Index of a bounty's live submissions (see `Bounty.live_submissions`), in id order:
/// what settlement reads, at most `max_submissions_per_bounty` of them.
pub fn live_of(bounty: u64, submission: u64) -> String {
    format!("bounty/live/{bounty:020}/{submission:020}")
}

pub fn lives_of(bounty: u64) -> String {
    format!("bounty/live/{bounty:020}/")
}

/// The leaderboard entry of a scored submission: best score first (the score inverted
/// when higher is better), then the earlier commit, then the id.
pub fn ranked(
    bounty: u64,
    higher_is_better: bool,
    s: &kaizen_proto::kaizen::bounty::v1::Submission,
) -> String {
    let rank = if higher_is_better {
        u64::MAX - s.score_ppm
    } else {
        s.score_ppm
    };
    format!(
        "bounty/ranked/{bounty:020}/{rank:020}/{:020}/{:020}",
        s.commit_height, s.id
    )
}

pub fn ranking(bounty: u64) -> String {
    format!("bounty/ranked/{bounty:020}/")
}

/// A submission commitment, so that each is used once (value: the submission id).
pub fn commitment(commitment: &[u8]) -> String {
    format!("bounty/commitments/{}", hex::encode(commitment))
}

pub fn model(id: u64) -> String {
    format!("bounty/models/{id:020}")
}

pub fn next_model_id() -> &'static str {
    "bounty/next_model_id"
}

/// Reveal-window end: submission `id` expires at `height` unless revealed.
pub fn reveal_expiry(height: u64, id: u64) -> String {
    format!("bounty/reveal_expiry/{height:020}/{id:020}")
}

pub fn reveal_expiries() -> &'static str {
    "bounty/reveal_expiry/"
}

/// Deadline of bounty `id` at `height`.
pub fn deadline(height: u64, id: u64) -> String {
    format!("bounty/deadlines/{height:020}/{id:020}")
}

pub fn deadlines() -> &'static str {
    "bounty/deadlines/"
}

/// Bounty `id` changed at `height` (a verdict, an expiry, its deadline) and is decided
/// in turn, oldest first.
pub fn to_decide(height: u64, id: u64) -> String {
    format!("bounty/to_decide/{height:020}/{id:020}")
}

pub fn to_decide_queue() -> &'static str {
    "bounty/to_decide/"
}

pub use kaizen_framework::queue_height;

/// The id at the end of a key: of a bounty, a submission (also in `submission_of`), a
/// reveal expiry or a deadline entry.
pub fn trailing_id(key: &str) -> Option<u64> {
    key.rsplit('/').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_from_the_end_of_their_keys() {
        assert_eq!(trailing_id(&bounty(7)), Some(7));
        assert_eq!(trailing_id(&submission_of(7, 9)), Some(9));
        assert_eq!(trailing_id(&live_of(7, 9)), Some(9));
        assert_eq!(trailing_id(&reveal_expiry(100, 9)), Some(9));
        assert_eq!(trailing_id(&deadline(100, 7)), Some(7));
        assert_eq!(trailing_id(&to_decide(100, 7)), Some(7));
        assert_eq!(
            queue_height(&to_decide(100, 7), to_decide_queue()),
            Some(100)
        );
        assert_eq!(queue_height(&deadline(100, 7), deadlines()), Some(100));
        assert_eq!(trailing_id(next_bounty_id()), None);
    }
}
