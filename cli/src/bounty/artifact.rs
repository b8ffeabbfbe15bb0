//! A bounty's artifacts (test set, models, WASM metric): a blob already on DA, or a file
//! to upload first, kept on DA as long as the bounty needs it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use kaizen_cli::client::Endpoints;
use kaizen_proto::kaizen::da::v1 as da;

use super::UploadFlags;
use crate::{
    chain::{grpc_error, Ctx},
    upload::{self, commitment_of, PutArgs},
};

/// Extra blocks an uploaded blob is kept past the bounty's deadline, so that the last
/// reveals can still be evaluated (every round of a job needs the artifacts).
const RETENTION_MARGIN_BLOCKS: u64 = 1000;

/// A 32-byte blob commitment from a BlobRef or 64 hex digits, for `flag`.
pub fn parse_ref(flag: &str, s: &str) -> anyhow::Result<Vec<u8>> {
    commitment_of(s.trim()).with_context(|| flag.to_string())
}

/// Where an artifact comes from: already on DA, or a file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Ref(Vec<u8>),
    File(PathBuf),
}

/// Exactly one of `--NAME REF` and `--NAME-file FILE`, or none when `optional`.
pub fn source_of(
    name: &str,
    reference: Option<&str>,
    file: Option<&Path>,
    optional: bool,
) -> anyhow::Result<Option<Source>> {
    match (reference, file) {
        (Some(_), Some(_)) => bail!("give --{name} or --{name}-file, not both"),
        (Some(r), None) => Ok(Some(Source::Ref(parse_ref(&format!("--{name}"), r)?))),
        (None, Some(f)) => Ok(Some(Source::File(f.to_path_buf()))),
        (None, None) if optional => Ok(None),
        (None, None) => bail!("--{name} REF or --{name}-file FILE is required"),
    }
}

/// A positional argument that is a file to upload or, when no such file exists, a
/// reference to a blob already on DA.
pub fn file_or_ref(what: &str, s: &str) -> anyhow::Result<Source> {
    let path = Path::new(s);
    if path.exists() {
        return Ok(Source::File(path.to_path_buf()));
    }
    commitment_of(s.trim()).map(Source::Ref).map_err(|_| {
        anyhow::anyhow!(
            "{what} {s:?}: no such file, and not a BlobRef or a 64-digit hex commitment"
        )
    })
}

/// Blocks to keep an upload that must outlive `blocks_needed` more blocks.
pub async fn retention(
    ep: &Endpoints,
    flags: &UploadFlags,
    blocks_needed: u64,
) -> anyhow::Result<u64> {
    if let Some(r) = flags.retention_blocks {
        return Ok(r);
    }
    let p = da::query_client::QueryClient::new(ep.channel().await?)
        .params(da::QueryParamsRequest {})
        .await
        .map_err(grpc_error)?
        .into_inner()
        .params
        .context("DA params: empty answer")?;
    let want = blocks_needed.saturating_add(RETENTION_MARGIN_BLOCKS);
    if want > p.max_retention_blocks {
        eprintln!(
            "note: keeping uploads {} blocks, the DA maximum (the bounty needs about {want})",
            p.max_retention_blocks
        );
    }
    Ok(want.max(p.min_retention_blocks).min(p.max_retention_blocks))
}

/// A source's commitment, uploading a file first.
pub async fn resolve(
    ctx: &Ctx,
    from: &str,
    source: Option<Source>,
    what: &str,
    flags: &UploadFlags,
    retention_blocks: u64,
) -> anyhow::Result<(Vec<u8>, Option<String>)> {
    match source {
        None => Ok((Vec::new(), None)),
        Some(Source::Ref(c)) => Ok((c, None)),
        Some(Source::File(f)) => {
            let args = PutArgs {
                shards: flags.shards.as_deref(),
                retention_blocks,
                max_fee: None,
                coder: &flags.coder,
            };
            let (c, r) = upload::put_artifact(ctx, from, &f, what, &args).await?;
            Ok((c, Some(r)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0101010101010101010101010101010101010101010101010101010101010101";

    #[test]
    fn refs_are_blob_refs_or_hex_commitments() {
        assert_eq!(parse_ref("--test-set", HEX).unwrap(), vec![1; 32]);
        assert_eq!(
            parse_ref("--test-set", &format!("0x{HEX}")).unwrap(),
            vec![1; 32]
        );
        let blob_ref = format!("p0/{}/1234/4+4/rs16", "ab".repeat(32));
        assert_eq!(parse_ref("--baseline", &blob_ref).unwrap(), vec![0xab; 32]);
        assert!(parse_ref("--test-set", "abcd").is_err());
        assert!(parse_ref("--test-set", "not a ref")
            .unwrap_err()
            .to_string()
            .contains("--test-set"));
        assert_eq!(
            source_of("test-set", Some(HEX), None, false).unwrap(),
            Some(Source::Ref(vec![1; 32]))
        );
        assert!(source_of("test-set", Some(HEX), Some(Path::new("f")), false).is_err());
        assert_eq!(
            source_of("test-set", None, None, false)
                .unwrap_err()
                .to_string(),
            "--test-set REF or --test-set-file FILE is required"
        );
        assert_eq!(source_of("wasm-metric", None, None, true).unwrap(), None);
        assert_eq!(file_or_ref("MODEL", HEX).unwrap(), Source::Ref(vec![1; 32]));
        assert!(file_or_ref("MODEL", "/no/such/model.onnx").is_err());
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.onnx");
        std::fs::write(&f, b"x").unwrap();
        assert_eq!(
            file_or_ref("MODEL", f.to_str().unwrap()).unwrap(),
            Source::File(f)
        );
    }
}
