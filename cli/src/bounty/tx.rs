//! `kaizen tx bounty create|cancel`.

use anyhow::{bail, Context};
use kaizen_cli::keys::Keyring;
use kaizen_proto::kaizen::bounty::v1 as bounty;

use super::{
    artifact::{resolve, retention, source_of, Source},
    BountyTx, CreateArgs,
};
use crate::{
    chain::{any, event, latest_height, parse_ukzn, send, Ctx},
    output::{mempool_text, print, tx_json},
};

/// `(target_score_ppm, min_improvement_ppm, target_is_improvement)`.
pub fn target_of(
    target_ppm: Option<u64>,
    min_improvement_ppm: Option<u64>,
) -> anyhow::Result<(u64, u64, bool)> {
    match (target_ppm, min_improvement_ppm) {
        (Some(_), Some(_)) => bail!("give --target-ppm or --min-improvement-ppm, not both"),
        (Some(t), None) => Ok((t, 0, false)),
        (None, Some(0)) => bail!("--min-improvement-ppm must be at least 1"),
        (None, Some(i)) => Ok((0, i, true)),
        (None, None) => bail!("--target-ppm or --min-improvement-ppm is required"),
    }
}

/// Checks the flags of `tx bounty create` that need no chain, and builds the message.
#[allow(clippy::too_many_arguments)]
pub fn create_msg(
    a: &CreateArgs,
    sponsor: &str,
    latest_height: u64,
    test_set: Vec<u8>,
    baseline_model: Vec<u8>,
    wasm_metric: Vec<u8>,
) -> anyhow::Result<bounty::MsgCreateBounty> {
    let (target_score_ppm, min_improvement_ppm, target_is_improvement) =
        target_of(a.target_ppm, a.min_improvement_ppm)?;
    kaizen_bounty::metric::check_metric(&a.metric).map_err(|e| anyhow::anyhow!("--metric: {e}"))?;
    if a.metric == "wasm" {
        anyhow::ensure!(
            wasm_metric.len() == 32,
            "--metric wasm needs --wasm-metric REF or --wasm-metric-file FILE"
        );
    } else {
        anyhow::ensure!(
            wasm_metric.is_empty(),
            "--wasm-metric is only for --metric wasm"
        );
    }
    let reward = parse_ukzn("--reward", &a.reward)?;
    anyhow::ensure!(reward > 0, "--reward must be positive");
    let submission_fee = parse_ukzn("--submission-fee", &a.submission_fee)?;
    anyhow::ensure!(
        a.submitter_share_ppm <= 1_000_000,
        "--submitter-share-ppm is at most 1000000"
    );
    anyhow::ensure!(
        a.royalty_ppm <= 1_000_000,
        "--royalty-ppm is at most 1000000"
    );
    anyhow::ensure!(a.deadline_blocks > 0, "--deadline-blocks must be positive");
    anyhow::ensure!(
        a.quorum >= 1 && a.quorum <= a.committee,
        "--quorum must be in 1..=--committee ({})",
        a.committee
    );
    anyhow::ensure!(!a.title.trim().is_empty(), "--title must not be empty");
    Ok(bounty::MsgCreateBounty {
        sponsor: sponsor.to_string(),
        title: a.title.clone(),
        test_set,
        baseline_model,
        metric: a.metric.clone(),
        wasm_metric,
        target_score_ppm,
        min_improvement_ppm,
        target_is_improvement,
        reward: reward.to_string(),
        submitter_share_ppm: a.submitter_share_ppm,
        verifier_share_ppm: 1_000_000 - a.submitter_share_ppm,
        royalty_ppm: a.royalty_ppm,
        mode: bounty::BountyMode::from(a.mode) as i32,
        deadline_height: latest_height
            .checked_add(a.deadline_blocks)
            .context("--deadline-blocks is too large")?,
        committee_size: a.committee,
        quorum: a.quorum,
        submission_fee: submission_fee.to_string(),
    })
}

pub async fn bounty_tx(ctx: &Ctx, cmd: BountyTx) -> anyhow::Result<()> {
    match cmd {
        BountyTx::Create(a) => create(ctx, &a).await,
        BountyTx::Cancel { id, common } => {
            let (key, from) = Keyring::open(&ctx.home)?.signer(&common.from)?;
            let msg = bounty::MsgCancelBounty {
                sponsor: from.to_string(),
                bounty_id: id,
            };
            let r = send(
                &ctx.ep,
                &key,
                &from,
                vec![any(&msg)],
                &common.options()?,
                "cancelling the bounty",
            )
            .await?;
            let refunded = event::<bounty::EventBountyClosed>(&r).map(|e| e.refunded);
            let v = tx_json(&r, refunded.clone().map(|x| ("refunded", x.into())))?;
            print(ctx.out, v, || {
                if r.height == 0 {
                    mempool_text(&r)
                } else {
                    format!(
                        "bounty {id} cancelled at height {}; refunded {}ukzn\ntxhash: {}",
                        r.height,
                        refunded.as_deref().unwrap_or("?"),
                        r.txhash
                    )
                }
            });
            Ok(())
        }
    }
}

async fn create(ctx: &Ctx, a: &CreateArgs) -> anyhow::Result<()> {
    let ep = &ctx.ep;
    let (key, sponsor) = Keyring::open(&ctx.home)?.signer(&a.common.from)?;
    // Everything that needs no chain first, so that a typo costs no upload.
    let test_set = source_of(
        "test-set",
        a.test_set.as_deref(),
        a.test_set_file.as_deref(),
        false,
    )?;
    let baseline = source_of(
        "baseline",
        a.baseline.as_deref(),
        a.baseline_file.as_deref(),
        false,
    )?;
    let wasm = source_of(
        "wasm-metric",
        a.wasm_metric.as_deref(),
        a.wasm_metric_file.as_deref(),
        true,
    )?;
    let dummy = |s: &Option<Source>| {
        if s.is_some() {
            vec![0u8; 32]
        } else {
            Vec::new()
        }
    };
    create_msg(a, "", 0, vec![0; 32], vec![0; 32], dummy(&wasm))?;
    let opts = a.common.options()?;

    let needs_upload = [&test_set, &baseline, &wasm]
        .iter()
        .any(|s| matches!(s, Some(Source::File(_))));
    let keep = if needs_upload {
        retention(ep, &a.upload, a.deadline_blocks).await?
    } else {
        0
    };
    let from = a.common.from.as_str();
    // The BlobRefs of uploads are on stderr (upload::put_artifact).
    let (test_set, _) = resolve(ctx, from, test_set, "test set", &a.upload, keep).await?;
    let (baseline, _) = resolve(ctx, from, baseline, "baseline model", &a.upload, keep).await?;
    let (wasm, _) = resolve(ctx, from, wasm, "WASM metric", &a.upload, keep).await?;

    let latest = latest_height(ep).await?;
    let msg = create_msg(a, &sponsor.to_string(), latest, test_set, baseline, wasm)?;
    let r = send(
        ep,
        &key,
        &sponsor,
        vec![any(&msg)],
        &opts,
        "creating the bounty",
    )
    .await?;
    let created = event::<bounty::EventBountyCreated>(&r);
    let id = created.as_ref().map(|e| e.bounty_id);
    let job = created.as_ref().map(|e| e.baseline_job_id);
    // As the proto JSON writes a uint64: a string.
    let extra = [("bounty_id", id), ("baseline_job_id", job)];
    let v = tx_json(
        &r,
        extra
            .into_iter()
            .filter_map(|(k, x)| Some((k, x?.to_string().into()))),
    )?;
    print(ctx.out, v, || {
        if r.height == 0 {
            return mempool_text(&r);
        }
        match (id, job) {
            (Some(id), Some(job)) => format!(
                "bounty {id} created at height {} (txhash {})\nbaseline job: {job} (the committee scores the baseline; `kaizen query bounty show {id}`)\ndeadline height: {}",
                r.height, r.txhash, msg.deadline_height
            ),
            _ => format!(
                "the bounty was created at height {} (txhash {}) but its event is missing; `kaizen query tx {}`",
                r.height, r.txhash, r.txhash
            ),
        }
    });
    Ok(())
}
