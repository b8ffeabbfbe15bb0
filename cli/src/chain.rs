//! What every command that talks to the chain shares: the command context, the signing
//! flags and the transaction options they make, broadcast with a checked result, reading
//! a response's events, the latest height, and addresses given as key names.

pub use kaizen_framework::any;
use std::path::PathBuf;

use anyhow::{bail, Context};
use cosmrs::{
    crypto::secp256k1::SigningKey,
    proto::{cosmos::base::abci::v1beta1::TxResponse, Any},
};
use kaizen_cli::{
    client::Endpoints,
    keys::Keyring,
    tx::{self, Gas, TxOptions},
};
use kaizen_framework::Address;

use crate::output::Output;

/// What every command gets from the global flags.
pub struct Ctx {
    pub ep: Endpoints,
    /// Client home: the keyring, client.toml, saved submissions.
    pub home: PathBuf,
    pub out: Output,
    /// `--verbose`: the whole story where a line would do (e.g. why the GPU is unused).
    pub verbose: bool,
}

/// Flags of a command that signs and sends one transaction.
#[derive(clap::Args)]
pub struct TxFlags {
    /// Key name that signs and pays.
    #[arg(long)]
    pub from: String,
    /// Fee, e.g. 500ukzn (default: the minimum for the gas).
    #[arg(long)]
    pub fees: Option<String>,
    /// Gas limit, or `auto` to simulate first.
    #[arg(long, default_value = "auto")]
    pub gas: String,
    /// Multiplier on simulated gas with --gas auto.
    #[arg(long, default_value = "1.5")]
    pub gas_adjustment: String,
    #[arg(long, default_value = "")]
    pub memo: String,
    /// Return after the node accepts the tx, without waiting for the block.
    #[arg(long)]
    pub no_wait: bool,
}

/// Signing flags of the commands that send several transactions.
#[derive(clap::Args, Debug)]
pub struct SignFlags {
    /// Key name that signs and pays.
    #[arg(long)]
    pub from: String,
    /// Fee of each transaction, e.g. 500ukzn (default: the minimum for the gas).
    #[arg(long)]
    pub fees: Option<String>,
    /// Gas limit, or `auto` to simulate first.
    #[arg(long, default_value = "auto")]
    pub gas: String,
    /// Multiplier on simulated gas with --gas auto.
    #[arg(long, default_value = "1.5")]
    pub gas_adjustment: String,
}

/// `--gas-adjustment` in percent: "1.5" → 150, without floats.
pub fn percent(adjustment: &str) -> anyhow::Result<u64> {
    let (int, frac) = adjustment.split_once('.').unwrap_or((adjustment, ""));
    let frac = format!("{frac:0<2}");
    anyhow::ensure!(
        frac.len() == 2,
        "--gas-adjustment takes at most two decimals"
    );
    Ok(int.parse::<u64>()? * 100 + frac.parse::<u64>()?)
}

fn options(
    gas: &str,
    gas_adjustment: &str,
    fees: Option<&str>,
    memo: &str,
    wait: bool,
) -> anyhow::Result<TxOptions> {
    Ok(TxOptions {
        gas: if gas == "auto" {
            Gas::Auto {
                adjustment_percent: percent(gas_adjustment)?,
            }
        } else {
            Gas::Fixed(gas.parse().context("--gas takes a number or `auto`")?)
        },
        fees: fees.map(tx::parse_coin).transpose()?,
        memo: memo.to_string(),
        wait,
    })
}

impl TxFlags {
    pub fn options(&self) -> anyhow::Result<TxOptions> {
        options(
            &self.gas,
            &self.gas_adjustment,
            self.fees.as_deref(),
            &self.memo,
            !self.no_wait,
        )
    }
}

impl SignFlags {
    pub fn options(&self) -> anyhow::Result<TxOptions> {
        options(
            &self.gas,
            &self.gas_adjustment,
            self.fees.as_deref(),
            "",
            true,
        )
    }
}

/// Broadcasts; a transaction that fails in its block is an error with the chain's
/// codespace, code and log.
pub async fn send(
    ep: &Endpoints,
    key: &SigningKey,
    from: &Address,
    msgs: Vec<Any>,
    opts: &TxOptions,
    what: &str,
) -> anyhow::Result<TxResponse> {
    let r = tx::broadcast(ep, key, from, msgs, opts)
        .await
        .with_context(|| what.to_string())?;
    if r.height != 0 && r.code != 0 {
        bail!(
            "{what}: the transaction {} failed in block {}: {} (codespace {}, code {})",
            r.txhash,
            r.height,
            r.raw_log,
            r.codespace,
            r.code
        );
    }
    Ok(r)
}

/// The first event of type `E` the transaction emitted.
pub fn event<E: kaizen_proto::event::TypedEvent>(r: &TxResponse) -> Option<E> {
    r.events.iter().find_map(|e| {
        kaizen_proto::event::parse_event::<E>(
            &e.r#type,
            e.attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str())),
        )?
        .ok()
    })
}

/// The latest height the node reports.
pub async fn latest_height(ep: &Endpoints) -> anyhow::Result<u64> {
    use tendermint_rpc::Client;
    let s = ep
        .rpc()?
        .status()
        .await
        .with_context(|| format!("cannot reach CometBFT RPC at {} (set --node)", ep.node))?;
    Ok(s.sync_info.latest_block_height.value())
}

pub fn grpc_error(s: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{}", s.message())
}

/// An address, or a key name in the keyring.
pub fn resolve_address(ep: &Endpoints, s: &str) -> anyhow::Result<String> {
    if s.starts_with("kaizen1") {
        return Ok(s
            .parse::<Address>()
            .map_err(|e| anyhow::anyhow!("{s:?}: {e}"))?
            .to_string());
    }
    Ok(Keyring::open(&ep.home)?.resolve(s)?.to_string())
}

/// An amount of ukzn: `10000000` or `10000000ukzn`.
pub fn parse_ukzn(flag: &str, s: &str) -> anyhow::Result<u128> {
    let t = s.trim();
    let digits = t.strip_suffix("ukzn").unwrap_or(t);
    anyhow::ensure!(
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        "{flag} {s:?}: want an amount of ukzn, e.g. 10000000 or 10000000ukzn"
    );
    digits
        .parse::<u128>()
        .with_context(|| format!("{flag} {s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_take_bare_numbers_or_ukzn() {
        assert_eq!(parse_ukzn("--reward", "10000000").unwrap(), 10_000_000);
        assert_eq!(parse_ukzn("--reward", "10000000ukzn").unwrap(), 10_000_000);
        assert!(parse_ukzn("--reward", "10kzn").is_err());
        assert!(parse_ukzn("--reward", "").is_err());
        assert!(parse_ukzn("--reward", "-1").is_err());
        assert!(parse_ukzn("--reward", "1.5").is_err());
        assert!(parse_ukzn("--reward", &"9".repeat(50)).is_err());
    }
}
