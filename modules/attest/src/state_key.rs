//! Every key of the `attest` module. Heights and ids are zero-padded to 20 digits so
//! that they sort.

use kaizen_framework::Address;

pub fn params() -> &'static str {
    "attest/params"
}

/// An evaluation job (`kaizen.attest.v1.EvaluationJob`).
pub fn job(id: u64) -> String {
    format!("attest/jobs/{id:020}")
}

pub const fn next_job_id() -> &'static str {
    "attest/next_job_id"
}

/// Window-end queue entry: at `height`, round `round` of job `id` closes its commit or
/// reveal phase (`phase` is `commit` or `reveal`). Stale entries (the job moved on) are
/// skipped.
pub fn deadline(height: u64, id: u64, round: u32, phase: &str) -> String {
    format!("attest/deadlines/{height:020}/{id:020}/{round:05}/{phase}")
}

pub fn deadlines() -> &'static str {
    "attest/deadlines/"
}

/// A job that became final and that its creator (`bounty`) has not handled yet.
pub fn finalized(id: u64) -> String {
    format!("attest/finalized/{id:020}")
}

pub fn finalized_prefix() -> &'static str {
    "attest/finalized/"
}

/// Parses a finalized entry: the job id.
pub fn parse_finalized(key: &str) -> Option<u64> {
    key.strip_prefix(finalized_prefix())?.parse().ok()
}

/// An open job in an evaluator's current committee, for its daemon to find.
pub fn assigned(evaluator: &Address, id: u64) -> String {
    format!("attest/assigned/{evaluator}/{id:020}")
}

pub fn assigned_to(evaluator: &Address) -> String {
    format!("attest/assigned/{evaluator}/")
}

/// Parses an assignment entry: (evaluator, job id).
pub fn parse_assigned(key: &str) -> Option<(&str, u64)> {
    let (evaluator, id) = key.strip_prefix("attest/assigned/")?.split_once('/')?;
    Some((evaluator, id.parse().ok()?))
}

/// A round waiting for the seed of `beacon_epoch` to draw its committee.
pub fn awaiting(beacon_epoch: u64, id: u64) -> String {
    format!("attest/awaiting/{beacon_epoch:020}/{id:020}")
}

pub fn awaiting_prefix() -> &'static str {
    "attest/awaiting/"
}

/// Parses an awaiting entry: (beacon epoch, job id).
pub fn parse_awaiting(key: &str) -> Option<(u64, u64)> {
    let (epoch, id) = key.strip_prefix(awaiting_prefix())?.split_once('/')?;
    Some((epoch.parse().ok()?, id.parse().ok()?))
}

/// How many rounds wait for the seed of `beacon_epoch` (capped by
/// `max_jobs_per_beacon`).
pub fn beacon_load(beacon_epoch: u64) -> String {
    format!("attest/beacon_load/{beacon_epoch:020}")
}

/// A round whose committee is drawn and waits for room at its members, in job order.
pub fn queued(id: u64) -> String {
    format!("attest/queued/{id:020}")
}

pub fn queued_prefix() -> &'static str {
    "attest/queued/"
}

/// Parses a queued entry: the job id.
pub fn parse_queued(key: &str) -> Option<u64> {
    key.strip_prefix(queued_prefix())?.parse().ok()
}

/// How many `assigned` entries `evaluator` holds (8-byte big-endian).
pub fn open_jobs(evaluator: &Address) -> String {
    format!("attest/open_jobs/{evaluator}")
}

pub use kaizen_framework::queue_height;

/// Parses a deadline entry: (height, job id, round, phase).
pub fn parse_deadline(key: &str) -> Option<(u64, u64, u32, &str)> {
    let rest = key.strip_prefix(deadlines())?;
    let mut parts = rest.split('/');
    let height = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    let round = parts.next()?.parse().ok()?;
    let phase = parts.next()?;
    Some((height, id, round, phase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_keys_sort_by_height_and_parse_back() {
        let a = deadline(9, 100, 0, "commit");
        let b = deadline(10, 1, 2, "reveal");
        assert!(a < b);
        assert_eq!(parse_deadline(&b), Some((10, 1, 2, "reveal")));
        assert_eq!(queue_height(&a, deadlines()), Some(9));
    }

    #[test]
    fn finalized_and_assigned_entries_parse_back() {
        assert_eq!(parse_finalized(&finalized(12)), Some(12));
        assert_eq!(parse_finalized(&job(12)), None);
        let evaluator = Address::for_module("attest-test-evaluator");
        let key = assigned(&evaluator, 3);
        assert!(key.starts_with(&assigned_to(&evaluator)));
        let text = evaluator.to_string();
        assert_eq!(parse_assigned(&key), Some((text.as_str(), 3)));
        assert_eq!(parse_assigned(&finalized(3)), None);
    }

    #[test]
    fn awaiting_entries_sort_by_epoch_then_job_and_parse_back() {
        assert!(awaiting(2, 900) < awaiting(3, 1));
        assert_eq!(parse_awaiting(&awaiting(3, 17)), Some((3, 17)));
        assert_eq!(parse_queued(&queued(17)), Some(17));
        assert_eq!(parse_queued(&awaiting(3, 17)), None);
    }
}
