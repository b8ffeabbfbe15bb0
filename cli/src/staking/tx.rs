//! `kaizen tx staking register-evaluator|unjail-evaluator`.

use kaizen_cli::keys::Keyring;
use kaizen_proto::kaizen::staking::v1 as staking;

use super::StakingTx;
use crate::{
    chain::{any, parse_ukzn, send, Ctx},
    output::{mempool_text, print, proto_json},
};

/// `kaizen tx staking ...`: its JSON is the `TxResponse`.
pub async fn staking_tx(ctx: &Ctx, cmd: StakingTx) -> anyhow::Result<()> {
    let home = &ctx.home;
    let (common, msg, what) = match cmd {
        StakingTx::RegisterEvaluator {
            bond,
            endpoint,
            common,
        } => {
            let bond = parse_ukzn("--bond", &bond)?;
            anyhow::ensure!(bond > 0, "--bond must be positive");
            anyhow::ensure!(
                endpoint.is_empty()
                    || endpoint.starts_with("http://")
                    || endpoint.starts_with("https://"),
                "--endpoint must be an http(s):// URL"
            );
            let (_, from) = Keyring::open(home)?.signer(&common.from)?;
            let msg = any(&staking::MsgRegisterEvaluator {
                evaluator: from.to_string(),
                bond: bond.to_string(),
                endpoint,
            });
            (
                common,
                msg,
                format!("registered as an evaluator with a bond of {bond}ukzn"),
            )
        }
        StakingTx::UnjailEvaluator { common } => {
            let (_, from) = Keyring::open(home)?.signer(&common.from)?;
            let msg = any(&staking::MsgUnjailEvaluator {
                evaluator: from.to_string(),
            });
            (
                common,
                msg,
                "unjailed: back in future committees".to_string(),
            )
        }
    };
    let (key, from) = Keyring::open(home)?.signer(&common.from)?;
    let r = send(
        &ctx.ep,
        &key,
        &from,
        vec![msg],
        &common.options()?,
        "sending the staking transaction",
    )
    .await?;
    print(ctx.out, proto_json(&r)?, || {
        if r.height == 0 {
            mempool_text(&r)
        } else {
            format!("{from} {what} at height {}\ntxhash: {}", r.height, r.txhash)
        }
    });
    Ok(())
}
