//! The DA node's gRPC service, `kaizen.da.v1.Node`: stores shards of paid blobs after
//! checking them, serves them back, and signs availability once it holds every shard
//! assigned to it (the chain credits a signer with all of them, and challenges any).

// Node code, not consensus code: it may read clocks (caches, timeouts).
#![allow(clippy::disallowed_methods)]

use std::{
    collections::BTreeMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use kaizen_framework::bls::BlsKey;
use kaizen_proto::kaizen::da::v1::{
    node_server::{Node, NodeServer},
    Blob, BlobStatus, GetShardRequest, GetShardResponse, NodeStatusRequest, NodeStatusResponse,
    Quorum, StoreShardRequest, StoreShardResponse,
};
use tokio::sync::Semaphore;
use tonic::{Request, Response, Status};

use kaizen_da_client::chain::ChainView;
use kaizen_da_core::{
    assignment::{availability_message, shard_count_of, shard_holder, shards_of},
    commitment::{verify_shard, Hash, ShardProof},
};

use crate::store::ShardStore;

/// Longest shard path accepted: 2^17 shards is more than any blob has.
pub const MAX_PATH_HASHES: usize = 17;
/// How long a blob record read from the chain is trusted before it is read again.
const BLOB_CACHE_TTL: Duration = Duration::from_secs(2);
/// How long "no such blob" is trusted: long enough that a flood of bogus shards costs
/// the chain one query per commitment, short enough that a client whose payment the
/// node has not seen yet succeeds on its next retry.
const MISS_CACHE_TTL: Duration = Duration::from_millis(500);
/// Chain look-ups (cache misses) one peer may cause per second; beyond, its requests are
/// refused with `ResourceExhausted` until the second ends.
pub const LOOKUPS_PER_PEER_PER_SECOND: u32 = 32;
/// Entries kept in each cache before it is cleared (memory bound).
const CACHE_ENTRIES: usize = 10_000;
/// Quorums kept in memory (they are immutable once installed).
const QUORUM_CACHE_EPOCHS: usize = 64;
/// Concurrent requests one connection may have in flight.
pub const CONCURRENCY_PER_CONNECTION: usize = 16;
/// Longest a request may take, transfer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

pub struct NodeConfig {
    pub chain_id: String,
    pub operator: String,
    pub max_shard_bytes: usize,
    /// Bytes of shards being checked and written at once, over all peers.
    pub max_inflight_bytes: usize,
    /// Test only: serve every shard with one byte flipped.
    pub serve_corrupt_shards: bool,
    pub coder: String,
}

pub struct NodeService {
    config: NodeConfig,
    chain: Arc<dyn ChainView>,
    store: Arc<ShardStore>,
    key: BlsKey,
    blobs: Mutex<BTreeMap<Vec<u8>, (Blob, Instant)>>,
    /// Commitments the chain did not know, and when it said so.
    misses: Mutex<BTreeMap<Vec<u8>, Instant>>,
    /// Per peer: the start of its current second and the look-ups it caused in it.
    lookups: Mutex<BTreeMap<Option<IpAddr>, (Instant, u32)>>,
    quorums: Mutex<BTreeMap<u64, Quorum>>,
    inflight: Semaphore,
    /// The semaphore's size, in KiB.
    inflight_kib: u32,
}

fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(e.to_string())
}

impl NodeService {
    pub fn new(
        config: NodeConfig,
        chain: Arc<dyn ChainView>,
        store: Arc<ShardStore>,
        key: BlsKey,
    ) -> Self {
        let inflight_kib =
            u32::try_from(config.max_inflight_bytes.max(1 << 20) >> 10).unwrap_or(u32::MAX);
        Self {
            config,
            chain,
            store,
            key,
            blobs: Mutex::new(BTreeMap::new()),
            misses: Mutex::new(BTreeMap::new()),
            lookups: Mutex::new(BTreeMap::new()),
            quorums: Mutex::new(BTreeMap::new()),
            inflight: Semaphore::new(inflight_kib as usize),
            inflight_kib,
        }
    }

    /// The paid blob `commitment` as the chain records it, through the caches; a look-up
    /// that reaches the chain is charged to `peer` (see [`LOOKUPS_PER_PEER_PER_SECOND`]).
    async fn blob(&self, commitment: &[u8], peer: Option<IpAddr>) -> Result<Option<Blob>, Status> {
        if let Ok(cache) = self.blobs.lock() {
            if let Some((b, at)) = cache.get(commitment) {
                if at.elapsed() < BLOB_CACHE_TTL {
                    return Ok(Some(b.clone()));
                }
            }
        }
        if let Ok(misses) = self.misses.lock() {
            if misses
                .get(commitment)
                .is_some_and(|at| at.elapsed() < MISS_CACHE_TTL)
            {
                return Ok(None);
            }
        }
        if !self.charge_lookup(peer) {
            return Err(Status::resource_exhausted(format!(
                "more than {LOOKUPS_PER_PEER_PER_SECOND} look-ups of blobs this node did not know in a second from this peer; slow down"
            )));
        }
        let blob = self
            .chain
            .blob(commitment)
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        match &blob {
            Some(b) => {
                if let Ok(mut cache) = self.blobs.lock() {
                    if cache.len() > CACHE_ENTRIES {
                        cache.clear();
                    }
                    cache.insert(commitment.to_vec(), (b.clone(), Instant::now()));
                }
            }
            None => {
                if let Ok(mut misses) = self.misses.lock() {
                    if misses.len() > CACHE_ENTRIES {
                        misses.clear();
                    }
                    misses.insert(commitment.to_vec(), Instant::now());
                }
            }
        }
        Ok(blob)
    }

    /// Counts one chain look-up against `peer`'s second; false past the limit.
    fn charge_lookup(&self, peer: Option<IpAddr>) -> bool {
        let Ok(mut lookups) = self.lookups.lock() else {
            return true;
        };
        if lookups.len() > CACHE_ENTRIES {
            lookups.retain(|_, (start, _)| start.elapsed() < Duration::from_secs(1));
        }
        let entry = lookups.entry(peer).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= Duration::from_secs(1) {
            *entry = (Instant::now(), 0);
        }
        if entry.1 >= LOOKUPS_PER_PEER_PER_SECOND {
            return false;
        }
        entry.1 += 1;
        true
    }

    async fn quorum(&self, epoch: u64) -> Result<Quorum, Status> {
        if let Some(q) = self
            .quorums
            .lock()
            .ok()
            .and_then(|c| c.get(&epoch).cloned())
        {
            return Ok(q);
        }
        let q = self
            .chain
            .quorum(epoch)
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?
            .ok_or_else(|| Status::failed_precondition(format!("no quorum for epoch {epoch}")))?;
        if let Ok(mut c) = self.quorums.lock() {
            // Quorums never change once installed; keep the latest few epochs.
            while c.len() >= QUORUM_CACHE_EPOCHS {
                c.pop_first();
            }
            c.insert(epoch, q.clone());
        }
        Ok(q)
    }
}

#[tonic::async_trait]
impl Node for NodeService {
    async fn store_shard(
        &self,
        req: Request<StoreShardRequest>,
    ) -> Result<Response<StoreShardResponse>, Status> {
        let peer = req.remote_addr().map(|a| a.ip());
        let req = req.into_inner();
        let commitment: Hash = req
            .commitment
            .as_slice()
            .try_into()
            .map_err(|_| Status::invalid_argument("commitment must be 32 bytes"))?;
        if req.shard.len() > self.config.max_shard_bytes {
            return Err(Status::resource_exhausted(format!(
                "shard of {} bytes is over this node's limit of {}",
                req.shard.len(),
                self.config.max_shard_bytes
            )));
        }
        if req.shard_path.len() > MAX_PATH_HASHES || req.shard_path.iter().any(|h| h.len() != 32) {
            return Err(Status::invalid_argument(format!(
                "shard_path must be at most {MAX_PATH_HASHES} hashes of 32 bytes"
            )));
        }
        let blob = self
            .blob(&commitment, peer)
            .await?
            .filter(|b| b.status != BlobStatus::Expired as i32)
            .ok_or_else(|| {
                Status::failed_precondition(format!(
                    "blob {} is not paid for on chain",
                    hex::encode(commitment)
                ))
            })?;
        let total = blob.original_shards as usize + blob.recovery_shards as usize;
        if req.index as usize >= total {
            return Err(Status::invalid_argument(format!(
                "shard index {} is out of range for {total} shards",
                req.index
            )));
        }
        if req.shard.len() as u64 != blob.shard_bytes {
            return Err(Status::invalid_argument(format!(
                "shard has {} bytes, the blob's shards have {}",
                req.shard.len(),
                blob.shard_bytes
            )));
        }
        let quorum = self.quorum(blob.epoch).await?;
        let holder = shard_holder(&commitment, req.index as usize, quorum.members.len())
            .and_then(|p| quorum.members.get(p));
        if holder.map(|m| m.operator.as_str()) != Some(self.config.operator.as_str()) {
            return Err(Status::permission_denied(format!(
                "shard {} of this blob is held by {}, not this node",
                req.index,
                holder.map_or("nobody", |m| m.operator.as_str())
            )));
        }
        // Bound the bytes being hashed and written at once; a request waits for room.
        let kib = u32::try_from(req.shard.len() >> 10)
            .unwrap_or(u32::MAX)
            .clamp(1, self.inflight_kib);
        let _permit = self.inflight.acquire_many(kib).await.map_err(internal)?;
        let path: Vec<Hash> = req
            .shard_path
            .iter()
            .filter_map(|h| <Hash>::try_from(h.as_slice()).ok())
            .collect();
        let proof = ShardProof {
            index: req.index as usize,
            total,
            path,
        };
        let shard = req.shard;
        let store = self.store.clone();
        let expires = blob.expires_height;
        let index = req.index;
        let n = quorum.members.len();
        let position = shard_holder(&commitment, index as usize, n).unwrap_or(n);
        let assigned = shard_count_of(&commitment, position, total, n);
        // Hashing and writing megabytes: off the async threads.
        let held = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<bool>> {
            if !verify_shard(&commitment, &shard, &proof) {
                return Ok(None);
            }
            let count = store.put(&commitment, index, &shard, &proof.path, expires)?;
            // The count can include shards of an earlier payment of this commitment (a
            // quorum with other positions): the exact indexes decide.
            Ok(Some(
                count as usize >= assigned
                    && store.holds_all(&commitment, &shards_of(&commitment, position, total, n))?,
            ))
        })
        .await
        .map_err(internal)?
        .map_err(internal)?;
        let Some(holds_all) = held else {
            return Err(Status::invalid_argument(
                "shard proof does not match the commitment",
            ));
        };
        // Signing says "I hold every shard assigned to me": the chain credits a signer with
        // all of them and challenges any, so a signature over fewer would let a client
        // certify data nobody holds and get this node jailed for it.
        let signature = if holds_all {
            self.key
                .sign(&availability_message(
                    &self.config.chain_id,
                    &commitment,
                    blob.epoch,
                    blob.paid_height,
                ))
                .to_vec()
        } else {
            Vec::new()
        };
        let shards_held = self.store.shard_count(&commitment).map_err(internal)?;
        Ok(Response::new(StoreShardResponse {
            operator: self.config.operator.clone(),
            epoch: blob.epoch,
            signature,
            shards_held: shards_held.min(assigned as u32),
            shards_assigned: assigned as u32,
        }))
    }

    async fn get_shard(
        &self,
        req: Request<GetShardRequest>,
    ) -> Result<Response<GetShardResponse>, Status> {
        let req = req.into_inner();
        if req.commitment.len() != 32 {
            return Err(Status::invalid_argument("commitment must be 32 bytes"));
        }
        let store = self.store.clone();
        let found = tokio::task::spawn_blocking(move || store.get(&req.commitment, req.index))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        let Some((mut shard, path)) = found else {
            return Err(Status::not_found("this node holds no such shard"));
        };
        if self.config.serve_corrupt_shards {
            if let Some(b) = shard.first_mut() {
                *b ^= 0x5a;
            }
        }
        Ok(Response::new(GetShardResponse {
            shard,
            shard_path: path.into_iter().map(|h| h.to_vec()).collect(),
        }))
    }

    async fn node_status(
        &self,
        _req: Request<NodeStatusRequest>,
    ) -> Result<Response<NodeStatusResponse>, Status> {
        let (shards, bytes) = self.store.stats().map_err(internal)?;
        Ok(Response::new(NodeStatusResponse {
            operator: self.config.operator.clone(),
            chain_id: self.config.chain_id.clone(),
            shards,
            bytes,
            coder: self.config.coder.clone(),
        }))
    }
}

/// Serves `service` on `listener` until `shutdown` resolves, with the node's limits: no
/// message over `max_shard_bytes` + 1 MiB is decoded (tonic refuses it before allocating
/// it), [`CONCURRENCY_PER_CONNECTION`] requests per connection, [`REQUEST_TIMEOUT`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: NodeService,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let limit = service.config.max_shard_bytes.saturating_add(1 << 20);
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .concurrency_limit_per_connection(CONCURRENCY_PER_CONNECTION)
        .timeout(REQUEST_TIMEOUT)
        .add_service(
            NodeServer::new(service)
                .max_decoding_message_size(limit)
                .max_encoding_message_size(limit),
        )
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await?;
    Ok(())
}
