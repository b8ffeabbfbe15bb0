//! `kaizen da put|get`: a file to the DA network and back, through [`crate::upload`].

use anyhow::Context;
use serde_json::Value;

use super::DaCmd;
use crate::{
    chain::Ctx,
    upload::{self, PutArgs},
};

pub async fn da_cmd(ctx: &Ctx, cmd: DaCmd) -> anyhow::Result<(Value, String)> {
    match cmd {
        DaCmd::Put {
            file,
            from,
            shards,
            retention_blocks,
            max_fee,
            coder,
        } => {
            let args = PutArgs {
                shards: shards.as_deref(),
                retention_blocks,
                max_fee,
                coder: &coder,
            };
            let (len, receipt) = upload::put_file(ctx, &from, &file, &args, None).await?;
            let receipt = receipt?;
            let t = &receipt.timings;
            let text = format!(
                "{}\n{} bytes certified by {} of {} operators for {}ukzn in {:.2} s (encode {:.2}, pay {:.2}, disperse {:.2}, certify {:.2}): {:.1} MB/s",
                receipt.blob_ref,
                len,
                receipt.signers,
                receipt.quorum,
                receipt.fee,
                t.total,
                t.encode,
                t.pay,
                t.disperse,
                t.certify,
                len as f64 / t.total.max(1e-9) / 1e6
            );
            Ok((serde_json::to_value(&receipt)?, text))
        }
        DaCmd::Get {
            blob,
            out: output,
            coder,
        } => {
            let (data, receipt) = upload::get(ctx, &blob, &coder).await?;
            std::fs::write(&output, &data)
                .with_context(|| format!("writing {}", output.display()))?;
            let mut text = format!(
                "{} bytes written to {} in {:.2} s ({:.1} MB/s){}",
                data.len(),
                output.display(),
                receipt.seconds,
                data.len() as f64 / receipt.seconds.max(1e-9) / 1e6,
                if receipt.decoded {
                    ", decoded from recovery shards"
                } else {
                    ""
                }
            );
            for s in &receipt.skipped {
                text += &format!("\nskipped {s}");
            }
            Ok((serde_json::to_value(&receipt)?, text))
        }
    }
}
