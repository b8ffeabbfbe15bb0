//! One handler per message of `bounty`.

pub mod cancel_bounty;
pub mod commit_submission;
pub mod create_bounty;
pub mod reveal_submission;
