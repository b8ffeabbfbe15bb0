//! Handler tests on a temporary store: each handler of `bounty`, run as the app runs it.

mod cancel_bounty;
mod commit_submission;
mod create_bounty;
mod end_block;
mod reveal_submission;
mod setup;
