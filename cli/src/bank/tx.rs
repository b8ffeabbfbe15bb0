//! `kaizen tx bank send`.

use kaizen_cli::{keys::Keyring, tx};

use super::BankTx;
use crate::{
    chain::Ctx,
    output::{print, proto_json},
};

/// `kaizen tx bank send`: its JSON is the `TxResponse`.
pub async fn bank_tx(ctx: &Ctx, cmd: BankTx) -> anyhow::Result<()> {
    let BankTx::Send { to, amount, common } = cmd;
    let ring = Keyring::open(&ctx.home)?;
    let (key, from) = ring.signer(&common.from)?;
    let to = ring.resolve(&to)?;
    let (amount, denom) = tx::parse_coin(&amount)?;
    let opts = common.options()?;
    let r = tx::broadcast(
        &ctx.ep,
        &key,
        &from,
        vec![tx::msg_send(&from, &to, amount, &denom)],
        &opts,
    )
    .await?;
    print(ctx.out, proto_json(&r)?, || {
        if r.height == 0 {
            format!("txhash: {}\naccepted into the mempool", r.txhash)
        } else if r.code == 0 {
            format!("txhash: {}\nheight: {}\ngas used: {} of {}\nsent {amount}{denom} from {from} to {to}", r.txhash, r.height, r.gas_used, r.gas_wanted)
        } else {
            format!(
                "txhash: {}\nheight: {}\nFAILED: {} (codespace {}, code {})",
                r.txhash, r.height, r.raw_log, r.codespace, r.code
            )
        }
    });
    anyhow::ensure!(
        r.code == 0,
        "the transaction failed in block {}: {}",
        r.height,
        r.raw_log
    );
    Ok(())
}
