//! `kaizen.bounty.v1.MsgCreateBounty`: escrow a reward for beating a metric; the
//! baseline's evaluation starts at once.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_attest::{lifecycle::check_committee_shape, AttestRead, NewJob};
use kaizen_bank::BankWrite;
use kaizen_framework::{
    parse_amount, Address, Coins, HandlerError, MeteredStateWrite, MsgHandler, TxCtx, TxError,
    NATIVE_DENOM,
};
use kaizen_proto::kaizen::{
    attest::v1::{Artifacts, JobKind},
    bounty::v1::{Bounty, BountyMode, BountyStatus, MsgCreateBounty},
};

use crate::{
    bounty_escrow,
    error::BountyError,
    events::EventBountyCreated,
    metric::check_metric,
    state_key,
    view::{BountyRead, BountyWrite},
};

/// Hard cap on titles before any state is read (the parameter may be lower).
const TITLE_CAP: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct CreateBounty {
    pub sponsor: Address,
    pub msg: MsgCreateBounty,
    pub reward: u128,
    pub submission_fee: u128,
}

impl TryFrom<&MsgCreateBounty> for CreateBounty {
    type Error = HandlerError;
    fn try_from(msg: &MsgCreateBounty) -> Result<Self, HandlerError> {
        Ok(Self {
            sponsor: msg.sponsor.parse()?,
            reward: parse_amount(&msg.reward)?,
            submission_fee: if msg.submission_fee.is_empty() {
                0
            } else {
                parse_amount(&msg.submission_fee)?
            },
            msg: msg.clone(),
        })
    }
}

fn invalid(why: impl Into<String>) -> HandlerError {
    BountyError::InvalidBounty(why.into()).into()
}

fn check_commitment(what: &str, c: &[u8]) -> Result<(), HandlerError> {
    if c.len() != 32 {
        return Err(invalid(format!(
            "{what} must be a 32-byte blob commitment, got {} bytes",
            c.len()
        )));
    }
    Ok(())
}

#[async_trait]
impl MsgHandler for CreateBounty {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.sponsor])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        let m = &self.msg;
        if m.title.len() > TITLE_CAP || m.title.chars().any(char::is_control) {
            return Err(invalid("the title is too long or has control characters"));
        }
        check_commitment("test_set", &m.test_set)?;
        check_commitment("baseline_model", &m.baseline_model)?;
        check_metric(&m.metric)?;
        if m.metric == "wasm" {
            check_commitment("wasm_metric", &m.wasm_metric)?;
        } else if !m.wasm_metric.is_empty() {
            return Err(invalid("wasm_metric is only for the `wasm` metric"));
        }
        if self.reward == 0 {
            return Err(TxError::InvalidCoins("the reward must be positive".into()).into());
        }
        if u64::from(m.submitter_share_ppm) + u64::from(m.verifier_share_ppm) != 1_000_000 {
            return Err(invalid(
                "submitter_share_ppm + verifier_share_ppm must be 1000000",
            ));
        }
        if m.royalty_ppm > 1_000_000 {
            return Err(invalid("royalty_ppm must be at most 1000000"));
        }
        if m.target_is_improvement && m.min_improvement_ppm == 0 {
            return Err(invalid("an improvement target must be at least 1 ppm"));
        }
        if !m.target_is_improvement && m.min_improvement_ppm != 0 {
            return Err(invalid(
                "min_improvement_ppm is only for improvement targets",
            ));
        }
        match BountyMode::try_from(m.mode) {
            Ok(BountyMode::FirstToBeat | BountyMode::BestByDeadline) => {}
            _ => return Err(invalid("mode must be FIRST_TO_BEAT or BEST_BY_DEADLINE")),
        }
        // The upper bound is a parameter of `attest`, checked against state.
        check_committee_shape(m.committee_size, m.quorum, u32::MAX)?;
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let m = &self.msg;
        let params = state.bounty_params(ctx.gas).await?;
        if m.title.len() > params.max_title_bytes as usize {
            return Err(invalid(format!(
                "the title is longer than {} bytes",
                params.max_title_bytes
            )));
        }
        let attest = state.attest_params(ctx.gas).await?;
        check_committee_shape(m.committee_size, m.quorum, attest.max_committee_size)?;
        // The chain's floors: what a bounty costs, and how many evaluators judge it, so
        // that bounties are not a free way to make jobs (and burn job ids) or to get a
        // verdict from one evaluator.
        let min_reward = parse_amount(&params.min_reward)?;
        if self.reward < min_reward {
            return Err(BountyError::BelowMinimum {
                what: "reward",
                got: self.reward,
                min: min_reward,
            }
            .into());
        }
        let min_fee = parse_amount(&attest.min_job_fee)?;
        if self.submission_fee < min_fee {
            return Err(BountyError::BelowMinimum {
                what: "submission_fee (each job's fee)",
                got: self.submission_fee,
                min: min_fee,
            }
            .into());
        }
        if m.committee_size < attest.min_committee_size || m.quorum < attest.min_quorum {
            return Err(kaizen_attest::AttestError::InvalidCommittee(format!(
                "committee {} with quorum {} is below the chain's minimum committee {} and \
                 quorum {}",
                m.committee_size, m.quorum, attest.min_committee_size, attest.min_quorum
            ))
            .into());
        }
        let latest = ctx.height.saturating_add(params.max_deadline_blocks);
        if m.deadline_height <= ctx.height || m.deadline_height > latest {
            return Err(invalid(format!(
                "deadline_height must be in {}..={latest}",
                ctx.height + 1
            )));
        }
        // The last submission's job may start at the deadline and take a whole span.
        let until = m
            .deadline_height
            .saturating_add(state.evaluation_span(ctx.gas).await?);
        state.require_available(ctx.gas, &m.test_set, until).await?;
        state
            .require_available(ctx.gas, &m.baseline_model, until)
            .await?;
        if !m.wasm_metric.is_empty() {
            state
                .require_available(ctx.gas, &m.wasm_metric, until)
                .await?;
        }
        let higher_is_better = check_metric(&m.metric)?;
        let id = state.take_id(ctx.gas, state_key::next_bounty_id()).await?;
        state
            .send(
                ctx.gas,
                &self.sponsor,
                &bounty_escrow(),
                &Coins::single(NATIVE_DENOM, self.reward),
            )
            .await?;
        let job = kaizen_attest::lifecycle::create_job(
            state,
            ctx.gas,
            NewJob {
                kind: JobKind::Baseline,
                bounty_id: id,
                submission_id: 0,
                artifacts: Artifacts {
                    model: m.baseline_model.clone(),
                    test_set: m.test_set.clone(),
                    metric: m.metric.clone(),
                    wasm_metric: m.wasm_metric.clone(),
                    ..Default::default()
                },
                committee_size: m.committee_size,
                quorum: m.quorum,
                fee: self.submission_fee,
                payer: self.sponsor,
                refund_to: self.sponsor,
                interested: vec![self.sponsor],
            },
            ctx.height,
        )
        .await?;
        let bounty = Bounty {
            id,
            sponsor: self.sponsor.to_string(),
            title: m.title.clone(),
            test_set: m.test_set.clone(),
            baseline_model: m.baseline_model.clone(),
            metric: m.metric.clone(),
            wasm_metric: m.wasm_metric.clone(),
            target_score_ppm: m.target_score_ppm,
            min_improvement_ppm: m.min_improvement_ppm,
            target_is_improvement: m.target_is_improvement,
            reward: self.reward.to_string(),
            submitter_share_ppm: m.submitter_share_ppm,
            verifier_share_ppm: m.verifier_share_ppm,
            royalty_ppm: m.royalty_ppm,
            mode: m.mode,
            deadline_height: m.deadline_height,
            committee_size: m.committee_size,
            quorum: m.quorum,
            submission_fee: self.submission_fee.to_string(),
            status: BountyStatus::EvaluatingBaseline as i32,
            created_height: ctx.height,
            baseline_job_id: job.id,
            higher_is_better,
            forfeited_fees: "0".into(),
            ..Default::default()
        };
        state.put_bounty(ctx.gas, &bounty)?;
        state.put_raw_metered(ctx.gas, state_key::deadline(m.deadline_height, id), vec![1])?;
        state.emit(
            ctx.gas,
            &EventBountyCreated {
                bounty_id: id,
                sponsor: bounty.sponsor.clone(),
                reward: bounty.reward.clone(),
                baseline_job_id: job.id,
            },
        )
    }
}
