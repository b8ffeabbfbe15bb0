//! Where the CLI sends requests: `<home>/client.toml` (written by `kaizen devnet up`),
//! overridden by `--node`, `--grpc` and `--chain-id`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cosmrs::proto::cosmos::{
    auth::v1beta1::{query_client::QueryClient as AuthClient, BaseAccount, QueryAccountRequest},
    bank::v1beta1::query_client::QueryClient as BankClient,
    tx::v1beta1::service_client::ServiceClient as TxClient,
};
use kaizen_framework::Address;
use prost::Message;
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub chain_id: Option<String>,
    /// CometBFT RPC, e.g. `http://127.0.0.1:26657`.
    pub node: Option<String>,
    /// kaizend gRPC, e.g. `http://127.0.0.1:9090`.
    pub grpc: Option<String>,
}

impl ClientConfig {
    pub fn path(home: &Path) -> PathBuf {
        home.join("client.toml")
    }

    pub fn load(home: &Path) -> anyhow::Result<Self> {
        let path = Self::path(home);
        if !path.exists() {
            return Ok(Self::default());
        }
        toml::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("parsing {}", path.display()))
    }

    pub fn save(&self, home: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(home)?;
        std::fs::write(Self::path(home), toml::to_string_pretty(self)?)?;
        Ok(())
    }
}

/// Resolved endpoints.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub home: PathBuf,
    pub node: String,
    pub grpc: String,
    pub chain_id: Option<String>,
}

impl Endpoints {
    pub fn chain_id(&self) -> anyhow::Result<&str> {
        self.chain_id.as_deref().context(
            "no chain id: pass --chain-id, or set chain_id in <home>/client.toml (kaizen devnet up writes it)",
        )
    }

    pub async fn channel(&self) -> anyhow::Result<Channel> {
        let endpoint = Channel::from_shared(self.grpc.clone())
            .with_context(|| format!("--grpc {:?} is not a URL", self.grpc))?;
        endpoint.connect().await.with_context(|| {
            format!(
                "cannot reach kaizend's gRPC at {}: is the node running? (set --grpc or `grpc` in {})",
                self.grpc,
                ClientConfig::path(&self.home).display()
            )
        })
    }

    pub async fn auth(&self) -> anyhow::Result<AuthClient<Channel>> {
        Ok(AuthClient::new(self.channel().await?))
    }

    pub async fn bank(&self) -> anyhow::Result<BankClient<Channel>> {
        Ok(BankClient::new(self.channel().await?))
    }

    pub async fn tx(&self) -> anyhow::Result<TxClient<Channel>> {
        Ok(TxClient::new(self.channel().await?))
    }

    pub fn rpc(&self) -> anyhow::Result<tendermint_rpc::HttpClient> {
        tendermint_rpc::HttpClient::new(self.node.as_str())
            .with_context(|| format!("--node {:?} is not a URL", self.node))
    }

    /// The account at `address`, if the chain has one.
    pub async fn account(&self, address: &Address) -> anyhow::Result<Option<BaseAccount>> {
        let mut client = self.auth().await?;
        match client
            .account(QueryAccountRequest {
                address: address.to_string(),
            })
            .await
        {
            Ok(resp) => {
                let any = resp
                    .into_inner()
                    .account
                    .context("empty account response")?;
                Ok(Some(BaseAccount::decode(any.value.as_slice())?))
            }
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(anyhow::anyhow!("account query failed: {}", s.message())),
        }
    }
}
