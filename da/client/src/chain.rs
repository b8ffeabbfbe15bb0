//! What DA nodes and clients read from the chain, over kaizend's gRPC. A trait, so that
//! node tests can run against an in-memory chain.

use async_trait::async_trait;
use kaizen_proto::kaizen::{
    da::v1::{self as da, query_client::QueryClient as DaQuery},
    staking::v1::{self as staking, query_client::QueryClient as StakingQuery},
};
use tonic::transport::Channel;

#[async_trait]
pub trait ChainView: Send + Sync {
    /// The blob paid with `commitment`, if any.
    async fn blob(&self, commitment: &[u8]) -> anyhow::Result<Option<da::Blob>>;
    /// The quorum of `epoch`, if installed.
    async fn quorum(&self, epoch: u64) -> anyhow::Result<Option<da::Quorum>>;
    async fn params(&self) -> anyhow::Result<da::Params>;
    /// The epoch and height of the latest block.
    async fn epoch(&self) -> anyhow::Result<staking::QueryEpochResponse>;
    /// Open challenges addressed to `operator`.
    async fn challenges(&self, operator: &str) -> anyhow::Result<Vec<da::Challenge>>;
    async fn operator(&self, address: &str) -> anyhow::Result<Option<staking::DaOperator>>;
}

/// The chain behind a kaizend gRPC endpoint.
#[derive(Clone)]
pub struct GrpcChain {
    channel: Channel,
}

impl GrpcChain {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let channel = Channel::from_shared(url.to_string())?
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(30))
            .connect_lazy();
        Ok(Self { channel })
    }

    fn da(&self) -> DaQuery<Channel> {
        DaQuery::new(self.channel.clone())
    }

    fn staking(&self) -> StakingQuery<Channel> {
        StakingQuery::new(self.channel.clone())
    }
}

fn not_found<T>(r: Result<T, tonic::Status>) -> anyhow::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
        Err(s) => Err(anyhow::anyhow!("chain query failed: {}", s.message())),
    }
}

#[async_trait]
impl ChainView for GrpcChain {
    async fn blob(&self, commitment: &[u8]) -> anyhow::Result<Option<da::Blob>> {
        let r = self
            .da()
            .blob(da::QueryBlobRequest {
                commitment: commitment.to_vec(),
            })
            .await;
        Ok(not_found(r)?.and_then(|r| r.into_inner().blob))
    }

    async fn quorum(&self, epoch: u64) -> anyhow::Result<Option<da::Quorum>> {
        let r = self
            .da()
            .quorum(da::QueryQuorumRequest {
                epoch,
                current: false,
            })
            .await;
        Ok(not_found(r)?.and_then(|r| r.into_inner().quorum))
    }

    async fn params(&self) -> anyhow::Result<da::Params> {
        self.da()
            .params(da::QueryParamsRequest {})
            .await
            .map_err(|s| anyhow::anyhow!("da params: {}", s.message()))?
            .into_inner()
            .params
            .ok_or_else(|| anyhow::anyhow!("da params: empty answer"))
    }

    async fn epoch(&self) -> anyhow::Result<staking::QueryEpochResponse> {
        Ok(self
            .staking()
            .epoch(staking::QueryEpochRequest {})
            .await
            .map_err(|s| anyhow::anyhow!("epoch: {}", s.message()))?
            .into_inner())
    }

    async fn challenges(&self, operator: &str) -> anyhow::Result<Vec<da::Challenge>> {
        Ok(self
            .da()
            .challenges(da::QueryChallengesRequest {
                operator: operator.to_string(),
            })
            .await
            .map_err(|s| anyhow::anyhow!("challenges: {}", s.message()))?
            .into_inner()
            .challenges)
    }

    async fn operator(&self, address: &str) -> anyhow::Result<Option<staking::DaOperator>> {
        let r = self
            .staking()
            .da_operator(staking::QueryDaOperatorRequest {
                address: address.to_string(),
            })
            .await;
        Ok(not_found(r)?.and_then(|r| r.into_inner().operator))
    }
}

/// What a [`MemoryChain`] answers; tests set it directly.
#[derive(Debug, Clone, Default)]
pub struct MemoryChainState {
    /// Paid blobs by commitment.
    pub blobs: std::collections::BTreeMap<Vec<u8>, da::Blob>,
    pub quorums: std::collections::BTreeMap<u64, da::Quorum>,
    pub params: da::Params,
    pub epoch: staking::QueryEpochResponse,
    /// Open challenges (all operators).
    pub challenges: Vec<da::Challenge>,
    pub operators: std::collections::BTreeMap<String, staking::DaOperator>,
    /// When set, every query fails with this message (a chain that is down).
    pub down: Option<String>,
    /// Queries answered, by method name, to check caching.
    pub queries: std::collections::BTreeMap<&'static str, u64>,
}

/// An in-memory chain for tests of the node and the client without kaizend.
#[derive(Debug, Default)]
pub struct MemoryChain {
    pub state: std::sync::Mutex<MemoryChainState>,
}

impl MemoryChain {
    pub fn new(state: MemoryChainState) -> Self {
        Self {
            state: std::sync::Mutex::new(state),
        }
    }

    /// Runs `f` on the state (poisoning is ignored: the state is plain data).
    pub fn with<R>(&self, f: impl FnOnce(&mut MemoryChainState) -> R) -> R {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    fn query<R>(
        &self,
        method: &'static str,
        f: impl FnOnce(&MemoryChainState) -> R,
    ) -> anyhow::Result<R> {
        self.with(|s| {
            *s.queries.entry(method).or_default() += 1;
            match &s.down {
                Some(why) => Err(anyhow::anyhow!("chain query failed: {why}")),
                None => Ok(f(s)),
            }
        })
    }
}

#[async_trait]
impl ChainView for MemoryChain {
    async fn blob(&self, commitment: &[u8]) -> anyhow::Result<Option<da::Blob>> {
        self.query("blob", |s| s.blobs.get(commitment).cloned())
    }

    async fn quorum(&self, epoch: u64) -> anyhow::Result<Option<da::Quorum>> {
        self.query("quorum", |s| s.quorums.get(&epoch).cloned())
    }

    async fn params(&self) -> anyhow::Result<da::Params> {
        self.query("params", |s| s.params.clone())
    }

    async fn epoch(&self) -> anyhow::Result<staking::QueryEpochResponse> {
        self.query("epoch", |s| s.epoch)
    }

    async fn challenges(&self, operator: &str) -> anyhow::Result<Vec<da::Challenge>> {
        self.query("challenges", |s| {
            s.challenges
                .iter()
                .filter(|c| c.operator == operator && c.status == da::ChallengeStatus::Open as i32)
                .cloned()
                .collect()
        })
    }

    async fn operator(&self, address: &str) -> anyhow::Result<Option<staking::DaOperator>> {
        self.query("operator", |s| s.operators.get(address).cloned())
    }
}
