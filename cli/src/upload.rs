//! The CLI's one way to the DA network: `kaizen da put`, `kaizen tx bounty create` and
//! `kaizen bounty submit` upload through [`put_file`] (one progress bar), and `kaizen da
//! get` reads through [`get`].
//!
//! Every use of the DA crates (the coder choice from `kaizen_cuda`, the dispersal client
//! from `kaizen_da_client`, `BlobRef` from `kaizen_da_core`) is in this file.

use std::{path::Path, sync::Arc};

use anyhow::Context;
use kaizen_cli::keys::Keyring;
use kaizen_da_client::dispersal::{DaClient, GetReceipt, Progress, PutOptions, PutReceipt};
use kaizen_da_core::{BlobRef, ErasureCoder};
use kaizen_proto::kaizen::da::v1 as da;

use crate::chain::{latest_height, Ctx};

/// A commitment from a BlobRef or 64 hex digits.
pub fn commitment_of(blob: &str) -> anyhow::Result<Vec<u8>> {
    if let Ok(r) = blob.parse::<BlobRef>() {
        return Ok(r.commitment.to_vec());
    }
    let bytes = hex::decode(blob.trim_start_matches("0x"))
        .ok()
        .filter(|b| b.len() == 32)
        .with_context(|| {
            format!("{blob:?} is neither a BlobRef (p0/<hex>/<size>/<k>+<m>/rs16) nor a 64-digit hex commitment")
        })?;
    Ok(bytes)
}

/// `--shards K+M`.
pub fn parse_shards(s: &str) -> anyhow::Result<(usize, usize)> {
    let (k, m) = s
        .split_once('+')
        .with_context(|| format!("--shards {s:?}: want K+M, e.g. 16+16"))?;
    Ok((k.trim().parse()?, m.trim().parse()?))
}

/// The erasure coder for `--coder auto|cpu|cuda`; says on stderr which one and why: in
/// one line, or with `--verbose` with the whole reason (the GPU probe's library search).
fn coder(name: &str, verbose: bool) -> anyhow::Result<Arc<dyn ErasureCoder>> {
    let choice: kaizen_cuda::CoderChoice = name.parse().map_err(anyhow::Error::msg)?;
    let (coder, reason) = kaizen_cuda::choose_coder(choice).map_err(anyhow::Error::msg)?;
    eprintln!("{}", coder_line(coder.name(), &reason, verbose));
    Ok(coder)
}

/// `erasure coder: NAME (REASON)`, the reason's details cut unless `verbose`.
fn coder_line(name: &str, reason: &str, verbose: bool) -> String {
    if verbose {
        return format!("erasure coder: {name} ({reason})");
    }
    match short_reason(reason) {
        Some(short) => format!("erasure coder: {name} ({short}; --verbose for details)"),
        None => format!("erasure coder: {name} ({reason})"),
    }
}

/// A reason without its details, or `None` when it has none to cut. The details are what
/// follows the first ':' of the parenthesised cause (`auto: no usable GPU (no usable CUDA
/// driver: <the library search>)`), or of the whole reason when it has no parentheses.
fn short_reason(reason: &str) -> Option<String> {
    if let (Some(open), Some(close)) = (reason.find('('), reason.rfind(')')) {
        if open < close {
            let cause = &reason[open + 1..close];
            let head = cause.split(':').next().unwrap_or(cause).trim_end();
            return (head.len() < cause.len())
                .then(|| format!("{}({head}){}", &reason[..open], &reason[close + 1..]));
        }
    }
    // `auto: ...` and `--coder cpu` start with a label; the details come after it.
    let (label, rest) = match reason.split_once(": ") {
        Some((l, r)) if l == "auto" => (format!("{l}: "), r),
        _ => (String::new(), reason),
    };
    let (head, _) = rest.split_once(':')?;
    Some(format!("{label}{}", head.trim_end()))
}

fn bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:>10} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}

/// How to store a blob.
pub struct PutArgs<'a> {
    /// `K+M`; `None` picks from the quorum size.
    pub shards: Option<&'a str>,
    pub retention_blocks: u64,
    /// Most ukzn to pay; `None`: the fee the chain's parameters give.
    pub max_fee: Option<u128>,
    /// `--coder auto|cpu|cuda`.
    pub coder: &'a str,
}

/// Stores a file on the DA network (encode, pay, disperse, certify), paid by key `from`,
/// with one progress bar on stderr. `what` (e.g. "test set") announces the upload.
/// Returns the file's length and the put's result; the outer error is one before anything
/// was sent (an unreadable file, an unknown key, no DA quorum to talk to).
pub async fn put_file(
    ctx: &Ctx,
    from: &str,
    path: &Path,
    args: &PutArgs<'_>,
    what: Option<&str>,
) -> anyhow::Result<(usize, anyhow::Result<PutReceipt>)> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    anyhow::ensure!(
        !data.is_empty(),
        "{} is empty: a blob has at least one byte",
        path.display()
    );
    let (key, address) = Keyring::open(&ctx.home)?.signer(from)?;
    let client = DaClient::new(
        ctx.ep.clone(),
        key,
        address,
        coder(args.coder, ctx.verbose)?,
    )
    .await?;
    if let Some(what) = what {
        eprintln!(
            "uploading the {what} {} ({} bytes, kept {} blocks)",
            path.display(),
            data.len(),
            args.retention_blocks
        );
    }
    let pb = bar(0, "encoding");
    let progress = |p: Progress| match p {
        Progress::Encoded => pb.set_message("paying"),
        Progress::Paid => pb.set_message("storing"),
        Progress::Stored { done, total } => {
            pb.set_length(total);
            pb.set_position(done);
        }
        Progress::Certified => pb.set_message("certified"),
        Progress::Fetched { .. } => {}
    };
    let receipt = client
        .put(
            &data,
            &PutOptions {
                shards: args.shards.map(parse_shards).transpose()?,
                retention_blocks: args.retention_blocks,
                max_fee: args.max_fee,
            },
            &progress,
        )
        .await;
    pb.finish_and_clear();
    Ok((data.len(), receipt))
}

/// Uploads an artifact (a test set, a model...) for a bounty; returns its commitment and
/// BlobRef. Bytes already on DA (another bounty, an earlier try) are used as they are.
pub async fn put_artifact(
    ctx: &Ctx,
    from: &str,
    path: &Path,
    what: &str,
    args: &PutArgs<'_>,
) -> anyhow::Result<(Vec<u8>, String)> {
    let (_, receipt) = put_file(ctx, from, path, args, Some(what)).await?;
    let receipt = match receipt {
        Ok(r) => r,
        Err(e) => {
            if let Some(c) = already_paid(&format!("{e:#}")) {
                if let Some(b) = available_blob(ctx, &c).await {
                    return reuse(ctx, what, c, &b, args.retention_blocks).await;
                }
            }
            return Err(e.context(format!("uploading the {what} {}", path.display())));
        }
    };
    eprintln!(
        "{what}: {} (certified by {} of {} operators, {}ukzn)",
        receipt.blob_ref, receipt.signers, receipt.quorum, receipt.fee
    );
    Ok((commitment_of(&receipt.blob_ref)?, receipt.blob_ref))
}

/// The commitment and BlobRef of a blob that is on DA already.
async fn reuse(
    ctx: &Ctx,
    what: &str,
    c: Vec<u8>,
    b: &da::Blob,
    retention_blocks: u64,
) -> anyhow::Result<(Vec<u8>, String)> {
    eprintln!(
        "{what}: already on DA as {} (size {}, expires at height {})",
        hex::encode(&c),
        b.size,
        b.expires_height
    );
    if let Ok(latest) = latest_height(&ctx.ep).await {
        let needed = latest.saturating_add(retention_blocks);
        if b.expires_height < needed {
            eprintln!(
                "warning: the stored {what} expires before height {needed}, when evaluations may still need it"
            );
        }
    }
    let partition = ctx
        .ep
        .chain_id()
        .ok()
        .and_then(|id| id.rsplit_once("-p"))
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(0);
    let blob_ref = BlobRef {
        partition,
        commitment: c.as_slice().try_into()?,
        size: b.size,
        k: b.original_shards as usize,
        m: b.recovery_shards as usize,
        codec: b.codec.clone(),
    };
    Ok((c, blob_ref.to_string()))
}

/// The commitment in a DA "blob <hex> is already paid for" refusal.
pub fn already_paid(error: &str) -> Option<Vec<u8>> {
    let rest = &error[error.find("blob ")? + 5..];
    if !rest.contains("is already paid for") {
        return None;
    }
    let hex_part = rest.get(..64)?;
    hex::decode(hex_part).ok().filter(|b| b.len() == 32)
}

/// The DA record of `commitment`, if the blob is available.
async fn available_blob(ctx: &Ctx, commitment: &[u8]) -> Option<da::Blob> {
    let b = da::query_client::QueryClient::new(ctx.ep.channel().await.ok()?)
        .blob(da::QueryBlobRequest {
            commitment: commitment.to_vec(),
        })
        .await
        .ok()?
        .into_inner()
        .blob?;
    (b.status == da::BlobStatus::Available as i32).then_some(b)
}

/// Reads blob `blob` (a BlobRef) back from any k verified shards, with a progress bar.
pub async fn get(ctx: &Ctx, blob: &str, coder_name: &str) -> anyhow::Result<(Vec<u8>, GetReceipt)> {
    let blob_ref: BlobRef = blob
        .parse()
        .map_err(|e: String| anyhow::anyhow!("{blob:?}: {e}"))?;
    // Reading signs nothing: any key-less client will do.
    let key = cosmrs::crypto::secp256k1::SigningKey::random();
    let address = kaizen_framework::Address::from_secp256k1_pubkey(&key.public_key().to_bytes())?;
    let client = DaClient::new(
        ctx.ep.clone(),
        key,
        address,
        coder(coder_name, ctx.verbose)?,
    )
    .await?;
    let pb = bar(blob_ref.size, "fetching");
    let progress = |p: Progress| {
        if let Progress::Fetched { done, total } = p {
            pb.set_length(total);
            pb.set_position(done);
        }
    };
    let got = client.get(&blob_ref, &progress).await;
    pb.finish_and_clear();
    got
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    #[test]
    fn blobs_already_on_da_are_recognised() {
        let e = format!("paying for the blob: simulation refused the transaction: simulation failed: message 0: blob {HEX} is already paid for and not expired (codespace da, code 3)");
        assert_eq!(already_paid(&e), Some(vec![1; 32]));
        assert_eq!(already_paid("blob abc is already paid for"), None);
        assert_eq!(already_paid(&format!("blob {HEX} is not on chain")), None);
    }

    #[test]
    fn the_coder_line_is_one_short_line_unless_verbose() {
        let long = "auto: no usable GPU (no usable CUDA driver: Unable to dynamically load the \"cuda\" shared library - searched for library names: [\"libcuda.so\", \"libcuda.so.1\", \"libnvcuda.so\"]. Ensure that `LD_LIBRARY_PATH` has the correct path (x)))";
        let line = coder_line("cpu", long, false);
        assert_eq!(
            line,
            "erasure coder: cpu (auto: no usable GPU (no usable CUDA driver); --verbose for details)"
        );
        assert!(!line.contains("libcuda"));
        assert_eq!(
            coder_line("cpu", long, true),
            format!("erasure coder: cpu ({long})")
        );
        // Reasons without details print as they are.
        assert_eq!(
            coder_line("cpu", "--coder cpu", false),
            "erasure coder: cpu (--coder cpu)"
        );
        assert_eq!(
            coder_line("cuda", "auto: a usable GPU was found", false),
            "erasure coder: cuda (auto: a usable GPU was found)"
        );
        assert_eq!(
            coder_line(
                "cpu",
                "auto: no usable GPU (the CUDA driver reports no device)",
                false
            ),
            "erasure coder: cpu (auto: no usable GPU (the CUDA driver reports no device))"
        );
        // A bare `no usable CUDA driver: ...` (the probe's own text) is cut at its ':'.
        assert_eq!(
            short_reason("no usable CUDA driver: searched libcuda.so, libcuda.so.1").as_deref(),
            Some("no usable CUDA driver")
        );
        assert_eq!(
            short_reason("auto: no usable CUDA driver: searched libcuda.so").as_deref(),
            Some("auto: no usable CUDA driver")
        );
    }

    #[test]
    fn shards_parse_as_k_plus_m() {
        assert_eq!(parse_shards("16+16").unwrap(), (16, 16));
        assert_eq!(parse_shards(" 4 + 2 ").unwrap(), (4, 2));
        assert!(parse_shards("16").is_err());
    }
}
