//! The `bounty` module's state API.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};
use futures::StreamExt;
use kaizen_da_module::DaRead;
use kaizen_framework::{Counter, GasMeter, HandlerError, MeteredStateRead, MeteredStateWrite};
use kaizen_proto::kaizen::{
    bounty::v1::{Bounty, Model, Params, Submission},
    da::v1::BlobStatus,
};

use crate::{error::BountyError, state_key};

#[async_trait]
pub trait BountyRead: StateRead {
    async fn bounty_params(&self, gas: &GasMeter) -> Result<Params, HandlerError> {
        self.get_proto_metered(gas, state_key::params())
            .await?
            .ok_or_else(|| HandlerError::internal("bounty params are missing"))
    }

    async fn bounty(&self, gas: &GasMeter, id: u64) -> Result<Option<Bounty>, HandlerError> {
        self.get_proto_metered(gas, &state_key::bounty(id)).await
    }

    async fn submission(
        &self,
        gas: &GasMeter,
        id: u64,
    ) -> Result<Option<Submission>, HandlerError> {
        self.get_proto_metered(gas, &state_key::submission(id))
            .await
    }

    async fn model(&self, gas: &GasMeter, id: u64) -> Result<Option<Model>, HandlerError> {
        self.get_proto_metered(gas, &state_key::model(id)).await
    }

    /// A page of a bounty's submissions in id order: ids above `start_after`, at most
    /// `limit`.
    async fn submissions_of(
        &self,
        gas: &GasMeter,
        bounty: u64,
        start_after: u64,
        limit: usize,
    ) -> Result<Vec<Submission>, HandlerError> {
        self.indexed_submissions(gas, &state_key::submissions_of(bounty), start_after, limit)
            .await
    }

    /// A bounty's live submissions in id order (at most `max_submissions_per_bounty`):
    /// everything that can still decide it.
    async fn live_submissions(
        &self,
        gas: &GasMeter,
        bounty: u64,
    ) -> Result<Vec<Submission>, HandlerError> {
        self.indexed_submissions(gas, &state_key::lives_of(bounty), 0, usize::MAX)
            .await
    }

    /// The submissions an index under `prefix` names by trailing id, ids above
    /// `start_after`, at most `limit`; each read is metered.
    async fn indexed_submissions(
        &self,
        gas: &GasMeter,
        prefix: &str,
        start_after: u64,
        limit: usize,
    ) -> Result<Vec<Submission>, HandlerError> {
        let mut ids = Vec::new();
        {
            let mut stream = Box::pin(self.prefix_keys(prefix));
            while ids.len() < limit {
                let Some(key) = stream.next().await else {
                    break;
                };
                let key = key.map_err(HandlerError::internal)?;
                match state_key::trailing_id(&key) {
                    Some(id) if id > start_after => ids.push(id),
                    _ => {}
                }
            }
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(s) = self.submission(gas, id).await? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Fails unless `commitment` names a blob that DA certified available, no larger
    /// than the jobs' `max_artifact_bytes` (every evaluator fetches it), and kept at
    /// least until `until_height` (the last height an evaluation may need it). An
    /// artifact evaluators cannot fetch would otherwise make them all fail, for free.
    async fn require_available(
        &self,
        gas: &GasMeter,
        commitment: &[u8],
        until_height: u64,
    ) -> Result<(), HandlerError> {
        use kaizen_attest::AttestRead;
        let hex = hex::encode(commitment);
        let unusable = |why: String| BountyError::ArtifactNotAvailable {
            commitment: hex.clone(),
            why,
        };
        let Some(blob) = self.blob(gas, commitment).await? else {
            return Err(unusable("no such blob was paid for".into()).into());
        };
        if blob.status != BlobStatus::Available as i32 {
            let why = match BlobStatus::try_from(blob.status) {
                Ok(BlobStatus::Pending) => "not certified yet",
                Ok(BlobStatus::Expired) => "expired",
                _ => "not available",
            };
            return Err(unusable(why.into()).into());
        }
        let max = self.attest_params(gas).await?.max_artifact_bytes;
        if blob.size > max {
            return Err(unusable(format!(
                "{} bytes, over the {max}-byte limit of what evaluators fetch",
                blob.size
            ))
            .into());
        }
        if blob.expires_height < until_height {
            return Err(unusable(format!(
                "kept until height {}, but an evaluation may need it until height {until_height}",
                blob.expires_height
            ))
            .into());
        }
        Ok(())
    }

    /// How many blocks a job created now may take to reach its verdict (see
    /// `kaizen_attest::lifecycle::evaluation_span`).
    async fn evaluation_span(&self, gas: &GasMeter) -> Result<u64, HandlerError> {
        use kaizen_attest::AttestRead;
        use kaizen_staking::StakingRead;
        let attest = self.attest_params(gas).await?;
        let epoch_blocks = self.staking_params(gas).await?.epoch_blocks;
        Ok(kaizen_attest::lifecycle::evaluation_span(
            &attest,
            epoch_blocks,
        ))
    }
}

impl<S: StateRead + ?Sized> BountyRead for S {}

#[async_trait]
pub trait BountyWrite: StateWrite {
    fn put_bounty(&mut self, gas: &GasMeter, b: &Bounty) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::bounty(b.id), b)
    }

    fn put_submission(&mut self, gas: &GasMeter, s: &Submission) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::submission(s.id), s)
    }

    fn put_model(&mut self, gas: &GasMeter, m: &Model) -> Result<(), HandlerError> {
        self.put_proto_metered(gas, state_key::model(m.id), m)
    }

    /// Counts `submission` among the bounty's live ones (the caller stores `bounty`).
    fn join_live(
        &mut self,
        gas: &GasMeter,
        bounty: &mut Bounty,
        submission: u64,
    ) -> Result<(), HandlerError> {
        bounty.live_submissions = bounty
            .live_submissions
            .checked_add(1)
            .ok_or_else(|| HandlerError::internal("live submissions overflow"))?;
        self.put_raw_metered(gas, state_key::live_of(bounty.id, submission), vec![1])
    }

    /// Frees `submission`'s live slot if it holds one (the caller stores `bounty`).
    async fn leave_live(
        &mut self,
        gas: &GasMeter,
        bounty: &mut Bounty,
        submission: u64,
    ) -> Result<(), HandlerError> {
        let key = state_key::live_of(bounty.id, submission);
        if self.get_raw_metered(gas, &key).await?.is_none() {
            return Ok(());
        }
        bounty.live_submissions = bounty.live_submissions.saturating_sub(1);
        if bounty.leading_submission_id == submission {
            bounty.leading_submission_id = 0;
        }
        self.delete_metered(gas, key)
    }

    /// Lists a scored submission on its bounty's leaderboard (best first, ties: the
    /// earlier commit).
    fn rank(
        &mut self,
        gas: &GasMeter,
        bounty: &Bounty,
        s: &Submission,
    ) -> Result<(), HandlerError> {
        self.put_raw_metered(
            gas,
            state_key::ranked(bounty.id, bounty.higher_is_better, s),
            vec![1],
        )
    }

    /// Takes the next id of the counter under `key` (`next_bounty_id`,
    /// `next_submission_id`, `next_model_id`). Ids start at 1: 0 means "none" in the
    /// messages (no winning submission, no parent model).
    async fn take_id(&mut self, gas: &GasMeter, key: &'static str) -> Result<u64, HandlerError> {
        Ok(Counter::new(key, 1).take(self, gas).await?)
    }
}

impl<S: StateWrite + ?Sized> BountyWrite for S {}
