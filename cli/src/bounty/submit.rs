//! `kaizen bounty submit|reveal`: upload a model, commit to it, reveal it, and wait for
//! the committee's verdict.

use std::time::Duration;

use anyhow::{bail, Context};
use kaizen_cli::{client::Endpoints, keys::Keyring, tx};
use kaizen_proto::kaizen::bounty::v1 as bounty;
use serde_json::{json, Value};

use super::{
    artifact::{file_or_ref, resolve, retention, Source},
    display::*,
    journal::{find_saved, pending_path, save, saved_path, SavedSubmission},
    query::{bounty_client, get_bounty, get_submission},
    BountyCmd, UploadFlags, WaitFlags,
};
use crate::{
    chain::{any, event, latest_height, send, Ctx, SignFlags},
    output::{failure_meaning, print, proto_json},
};

/// Whether a submission's status is final for `bounty submit`.
pub fn is_decided(status: i32) -> bool {
    use bounty::SubmissionStatus as S;
    matches!(
        S::try_from(status),
        Ok(S::Scored | S::Failed | S::Won | S::Expired)
    )
}

pub async fn bounty_cmd(ctx: &Ctx, cmd: BountyCmd) -> anyhow::Result<()> {
    let (ep, home) = (&ctx.ep, ctx.home.as_path());
    match cmd {
        BountyCmd::Submit {
            model,
            bounty: bounty_id,
            parent,
            patch,
            sign,
            upload,
            wait,
        } => {
            let source = match (&model, parent, &patch) {
                (Some(m), None, None) => file_or_ref("MODEL", m)?,
                (None, Some(_), Some(p)) => file_or_ref("--patch", p)?,
                (Some(_), Some(_), _) => {
                    bail!("give a MODEL file, or --parent and --patch, not both")
                }
                _ => bail!("give a MODEL file, or --parent MODEL_ID and --patch PATCH_FILE"),
            };
            let (saved, id) = commit(ctx, bounty_id, parent, source, &sign, &upload).await?;
            reveal_and_wait(ctx, &saved, id, &sign, &wait).await
        }
        BountyCmd::Reveal {
            submission_id,
            sign,
            wait,
        } => {
            let saved = find_saved(ep, home, submission_id).await?;
            let (_, address) = Keyring::open(home)?.signer(&sign.from)?;
            anyhow::ensure!(
                saved.submitter == address.to_string(),
                "submission {submission_id} was committed by {}, not by --from {} ({address})",
                saved.submitter,
                sign.from
            );
            reveal_and_wait(ctx, &saved, submission_id, &sign, &wait).await
        }
    }
}

/// Checks that bounty `bounty_id` takes submissions, uploads the model or patch, journals
/// the salt, and commits; returns the journal entry and the submission's id.
async fn commit(
    ctx: &Ctx,
    bounty_id: u64,
    parent: Option<u64>,
    source: Source,
    sign: &SignFlags,
    upload: &UploadFlags,
) -> anyhow::Result<(SavedSubmission, u64)> {
    let (ep, home) = (&ctx.ep, ctx.home.as_path());
    let opts = sign.options()?;
    let (_, submitter) = Keyring::open(home)?.signer(&sign.from)?;
    let b = get_bounty(ep, bounty_id).await?;
    anyhow::ensure!(
        b.status == bounty::BountyStatus::Open as i32,
        "bounty {bounty_id} is {}: {}",
        bounty_status(b.status),
        if b.status == bounty::BountyStatus::EvaluatingBaseline as i32 {
            "its baseline is still being scored, try again in a few blocks"
        } else {
            "it takes no more submissions"
        }
    );
    let latest = latest_height(ep).await?;
    anyhow::ensure!(
        latest + 1 < b.deadline_height,
        "bounty {bounty_id} closes at height {} and the chain is at {latest}",
        b.deadline_height
    );
    let keep = retention(ep, upload, b.deadline_height.saturating_sub(latest)).await?;
    let what = if parent.is_some() { "patch" } else { "model" };
    let (blob, blob_ref) = resolve(ctx, &sign.from, Some(source), what, upload, keep).await?;
    let (model_c, parent_id, patch_c) = match parent {
        Some(p) => (Vec::new(), p, blob),
        None => (blob, 0, Vec::new()),
    };
    // The salt is journalled before the commit goes out: a CLI that dies between the
    // commit and the reveal loses nothing.
    let mut salt = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
    let commitment = kaizen_bounty::submission_commitment(
        bounty_id,
        &submitter.to_string(),
        &model_c,
        parent_id,
        &patch_c,
        &salt,
    );
    let mut saved = SavedSubmission {
        chain_id: ep.chain_id()?.to_string(),
        bounty_id,
        submission_id: None,
        submitter: submitter.to_string(),
        model: hex::encode(&model_c),
        parent_model_id: parent_id,
        patch: hex::encode(&patch_c),
        blob_ref,
        salt: hex::encode(salt),
        commitment: hex::encode(commitment),
        commit_txhash: None,
        commit_height: None,
    };
    let pending = pending_path(home, &saved.commitment);
    save(&pending, &saved)?;

    let (key, _) = Keyring::open(home)?.signer(&sign.from)?;
    let commit = bounty::MsgCommitSubmission {
        submitter: submitter.to_string(),
        bounty_id,
        commitment: commitment.to_vec(),
    };
    let r = match tx::broadcast(ep, &key, &submitter, vec![any(&commit)], &opts).await {
        Ok(r) => r,
        Err(e) => {
            return Err(e.context(format!(
                "committing the submission (the salt is saved in {}; if the commit landed, finish with `kaizen bounty reveal ID --from {}`)",
                pending.display(),
                sign.from
            )))
        }
    };
    if r.code != 0 {
        // Not committed: nothing to reveal later.
        std::fs::remove_file(&pending).ok();
        bail!(
            "committing the submission: the transaction {} failed in block {}: {} (codespace {}, code {})",
            r.txhash, r.height, r.raw_log, r.codespace, r.code
        );
    }
    let id = event::<bounty::EventSubmissionCommitted>(&r)
        .map(|e| e.submission_id)
        .with_context(|| {
            format!(
                "the commit landed in block {} but carries no submission id; the salt is in {}",
                r.height,
                pending.display()
            )
        })?;
    saved.submission_id = Some(id);
    saved.commit_txhash = Some(r.txhash.clone());
    saved.commit_height = Some(r.height.max(0) as u64);
    save(&saved_path(home, id), &saved)?;
    std::fs::remove_file(&pending).ok();
    eprintln!(
        "committed submission {id} at height {} (salt saved in {})",
        r.height,
        saved_path(home, id).display()
    );
    Ok((saved, id))
}

async fn reveal_and_wait(
    ctx: &Ctx,
    saved: &SavedSubmission,
    id: u64,
    sign: &SignFlags,
    wait: &WaitFlags,
) -> anyhow::Result<()> {
    let (ep, out) = (&ctx.ep, ctx.out);
    let sub = get_submission(ep, id).await?;
    let mut reveal_tx = Value::Null;
    if sub.status == bounty::SubmissionStatus::Committed as i32 {
        anyhow::ensure!(
            saved.opens(&sub.commitment)?,
            "the file saved for submission {id} does not open its commitment on chain (another chain, or another submission?)"
        );
        let (key, from) = Keyring::open(&ctx.home)?.signer(&sign.from)?;
        let r = send(
            ep,
            &key,
            &from,
            vec![any(&saved.reveal_msg(id)?)],
            &sign.options()?,
            "revealing the submission",
        )
        .await
        .with_context(|| {
            format!(
                "retry with `kaizen bounty reveal {id} --from {}` before height {}",
                sign.from, sub.reveal_deadline_height
            )
        })?;
        let job = event::<bounty::EventSubmissionRevealed>(&r).map(|e| e.job_id);
        eprintln!(
            "revealed submission {id} at height {}{}",
            r.height,
            job.map(|j| format!(", evaluation job {j}"))
                .unwrap_or_default()
        );
        reveal_tx = proto_json(&r)?;
    } else {
        eprintln!(
            "submission {id} is already revealed ({})",
            submission_status(sub.status)
        );
    }

    if wait.no_wait {
        let sub = get_submission(ep, id).await?;
        let v = json!({"submission": proto_json(&sub)?, "reveal_tx": reveal_tx});
        print(out, v, || {
            format!(
                "submission {id} on bounty {}: {} (job {}); `kaizen query bounty submissions {}` for the verdict",
                sub.bounty_id,
                submission_status(sub.status),
                sub.job_id,
                sub.bounty_id
            )
        });
        return Ok(());
    }

    let sub = wait_verdict(
        ep,
        id,
        Duration::from_secs(wait.timeout_secs),
        &format!(
            "wait again with `kaizen bounty reveal {id} --from {}`, or see `kaizen query bounty submissions {}`",
            sign.from, saved.bounty_id
        ),
    )
    .await?;
    let b = get_bounty(ep, sub.bounty_id).await?;
    let paid = if sub.status == bounty::SubmissionStatus::Won as i32 {
        settlement(ep, &b).await
    } else {
        None
    };
    let v = json!({
        "submission": proto_json(&sub)?,
        "reveal_tx": reveal_tx,
        "paid": paid.as_ref().map(proto_json).transpose()?,
    });
    print(out, v, || verdict_text(&sub, &b, paid.as_ref()));
    match bounty::SubmissionStatus::try_from(sub.status) {
        Ok(bounty::SubmissionStatus::Failed) => bail!(
            "submission {id} failed: code {} ({})",
            sub.failure_code,
            failure_meaning(sub.failure_code)
        ),
        Ok(bounty::SubmissionStatus::Expired) => {
            bail!("submission {id} expired without a reveal")
        }
        _ => Ok(()),
    }
}

async fn wait_verdict(
    ep: &Endpoints,
    id: u64,
    timeout: Duration,
    hint: &str,
) -> anyhow::Result<bounty::Submission> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last: Option<i32> = None;
    let mut client = bounty_client(ep).await?;
    loop {
        match client
            .submission(bounty::QuerySubmissionRequest { id })
            .await
        {
            Ok(r) => {
                if let Some(s) = r.into_inner().submission {
                    if last != Some(s.status) {
                        eprintln!("submission {id}: {}", submission_status(s.status));
                        last = Some(s.status);
                    }
                    if is_decided(s.status) {
                        return Ok(s);
                    }
                }
            }
            Err(e) => eprintln!("querying submission {id}: {} (retrying)", e.message()),
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "submission {id} has no verdict after {} s: {hint}",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The settlement event in the block that closed the bounty.
async fn settlement(ep: &Endpoints, b: &bounty::Bounty) -> Option<bounty::EventBountySettled> {
    use tendermint_rpc::Client;
    if b.closed_height == 0 {
        return None;
    }
    let height = tendermint::block::Height::try_from(b.closed_height).ok()?;
    let r = ep.rpc().ok()?.block_results(height).await.ok()?;
    r.finalize_block_events
        .iter()
        .chain(r.end_block_events.iter().flatten())
        .filter_map(|e| kaizen_framework::event::from_abci::<bounty::EventBountySettled>(e)?.ok())
        .find(|e| e.bounty_id == b.id)
}
