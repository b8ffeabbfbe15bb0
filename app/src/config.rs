//! `kaizend`'s configuration: one TOML file, `<home>/config/kaizend.toml`, with every
//! default written out by `kaizend init`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Where the state store lives, relative to the home directory unless absolute.
    pub data_dir: PathBuf,
    pub abci: AbciConfig,
    pub grpc: GrpcConfig,
    pub metrics: MetricsConfig,
    pub cometbft: CometbftConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbciConfig {
    /// The socket CometBFT's `proxy_app` connects to. Keep it on loopback.
    pub listen: SocketAddr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcConfig {
    pub enabled: bool,
    pub listen: SocketAddr,
    /// Largest request body accepted; larger requests get `RESOURCE_EXHAUSTED`.
    pub max_request_bytes: usize,
    /// Concurrent requests served per connection.
    pub max_concurrent_streams: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    pub enabled: bool,
    /// Prometheus scrape endpoint (`/metrics`).
    pub listen: SocketAddr,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CometbftConfig {
    /// The RPC of the CometBFT node this app serves: gRPC's `BroadcastTx`, `GetTx`,
    /// `GetNodeInfo` and `GetLatestBlock` go through it.
    pub rpc: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A `tracing` filter, e.g. `info` or `kaizen_app=debug,info`. `RUST_LOG` overrides it.
    pub filter: String,
    /// `text` or `json`.
    pub format: String,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data/kaizen"),
            abci: AbciConfig {
                listen: ([127, 0, 0, 1], 26658).into(),
            },
            grpc: GrpcConfig {
                enabled: true,
                listen: ([127, 0, 0, 1], 9090).into(),
                max_request_bytes: 4 << 20,
                max_concurrent_streams: 128,
            },
            metrics: MetricsConfig {
                enabled: true,
                listen: ([127, 0, 0, 1], 26660).into(),
            },
            cometbft: CometbftConfig {
                rpc: "http://127.0.0.1:26657".into(),
            },
            log: LogConfig {
                filter: "info".into(),
                format: "text".into(),
            },
        }
    }
}

impl NodeConfig {
    pub fn path(home: &Path) -> PathBuf {
        home.join("config").join("kaizend.toml")
    }

    pub fn load(home: &Path) -> anyhow::Result<Self> {
        let path = Self::path(home);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "reading {} (run `kaizend init --home {}` to create it)",
                path.display(),
                home.display()
            )
        })?;
        let config: Self =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.log.format == "text" || self.log.format == "json",
            "log.format must be \"text\" or \"json\""
        );
        anyhow::ensure!(
            self.grpc.max_request_bytes >= 1024,
            "grpc.max_request_bytes is too small"
        );
        Ok(())
    }

    pub fn to_toml(&self) -> anyhow::Result<String> {
        Ok(format!(
            "# kaizend configuration. Every default is written out; edit and restart.\n{}",
            toml::to_string_pretty(self)?
        ))
    }

    pub fn data_dir(&self, home: &Path) -> PathBuf {
        if self.data_dir.is_absolute() {
            self.data_dir.clone()
        } else {
            home.join(&self.data_dir)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_toml() {
        let c = NodeConfig::default();
        let text = c.to_toml().unwrap();
        assert_eq!(toml::from_str::<NodeConfig>(&text).unwrap(), c);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = NodeConfig::default().to_toml().unwrap() + "\nsurprise = 1\n";
        assert!(toml::from_str::<NodeConfig>(&text).is_err());
    }
}
