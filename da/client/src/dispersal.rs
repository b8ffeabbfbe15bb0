//! The DA client: put a blob (encode, pay, disperse to the quorum, aggregate the
//! operators' signatures, certify) and get it back (any `k` verified shards, decode).

// Client code, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use cosmrs::{crypto::secp256k1::SigningKey, proto::Any};
use futures::{stream, StreamExt};
use kaizen_client::{tx::broadcast_checked, Endpoints};
use kaizen_framework::any;
use kaizen_framework::{bls, Address};
use kaizen_proto::kaizen::da::v1::{
    node_client::NodeClient, Blob, BlobStatus, GetShardRequest, MsgCertifyBlob, MsgPayForBlob,
    Params, Quorum, StoreShardRequest,
};
use tonic::transport::Channel;

use kaizen_da_core::{
    assignment::{availability_message, shard_count_of, shard_holder, shards_of},
    blob::{encode_blob, join, shard_bytes, BlobRef, EncodedBlob, CODEC_RS16},
    codec::ErasureCoder,
    commitment::{verify_shard, Hash, ShardProof},
    ErasureParams,
};

use crate::chain::{ChainView, GrpcChain};

/// Requests in flight per DA node while dispersing or retrieving.
const PER_NODE_INFLIGHT: usize = 4;
/// Largest gRPC message the client sends or accepts (a shard and its path).
const MAX_MESSAGE_BYTES: usize = 1 << 30;

/// What `put` does, as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Encoded,
    Paid,
    /// Shard bytes stored so far, of the total.
    Stored {
        done: u64,
        total: u64,
    },
    Certified,
    /// Shard bytes fetched so far, of what is needed.
    Fetched {
        done: u64,
        total: u64,
    },
}

#[derive(Debug, Clone)]
pub struct PutOptions {
    /// `(k, m)`; `None` picks from the quorum size ([`default_shards`]).
    pub shards: Option<(usize, usize)>,
    pub retention_blocks: u64,
    /// Most ukzn to pay; `None`: exactly the fee the chain's parameters give.
    pub max_fee: Option<u128>,
}

/// Seconds spent in each phase of a put.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PutTimings {
    pub encode: f64,
    pub pay: f64,
    pub disperse: f64,
    pub certify: f64,
    pub total: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PutReceipt {
    pub blob_ref: String,
    pub commitment: String,
    pub fee: String,
    pub signers: usize,
    pub quorum: usize,
    pub timings: PutTimings,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GetReceipt {
    pub bytes: u64,
    /// Shards that were not used, and why (unreachable node, failed proof...).
    pub skipped: Vec<String>,
    pub decoded: bool,
    /// Seconds from the start of `get` to the bytes (same as `timings.total`).
    pub seconds: f64,
    pub timings: GetTimings,
}

/// Seconds spent in each phase of a get.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GetTimings {
    /// Reading the blob and its quorum from the chain.
    pub query: f64,
    /// Fetching and verifying shards (originals, then recovery shards if needed).
    pub fetch: f64,
    /// Reconstructing the originals (0 when all `k` originals arrived) and joining them.
    pub decode: f64,
    pub total: f64,
}

/// Default shard counts: `k = m`, a multiple of the quorum size `n` so every operator
/// holds the same number, more shards for bigger blobs (about 1 MiB per shard per
/// operator), at most `4n` each.
pub fn default_shards(size: u64, n: usize) -> (usize, usize) {
    let n = n.max(1);
    let per_node = (size.div_ceil((n as u64) << 20)).clamp(1, 4) as usize;
    let k = (n * per_node).min(16384);
    (k, k)
}

/// The fee the chain charges (`modules/da`'s rule, repeated to show it before paying).
pub fn blob_fee(params: &Params, size: u64, retention_blocks: u64) -> anyhow::Result<u128> {
    let base: u128 = params.base_fee.parse()?;
    let micro: u128 = params.byte_block_fee_micro.parse()?;
    let variable = u128::from(size)
        .checked_mul(u128::from(retention_blocks))
        .and_then(|v| v.checked_mul(micro))
        .context("fee overflows")?
        .div_ceil(1_000_000);
    base.checked_add(variable).context("fee overflows")
}

async fn node_client(endpoint: &str) -> anyhow::Result<NodeClient<Channel>> {
    let channel = Channel::from_shared(endpoint.to_string())?
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(120))
        .connect()
        .await
        .with_context(|| format!("DA node {endpoint} is unreachable"))?;
    Ok(NodeClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

pub struct DaClient {
    pub endpoints: Endpoints,
    pub key: SigningKey,
    pub address: Address,
    pub coder: Arc<dyn ErasureCoder>,
    pub partition: u32,
    chain: GrpcChain,
}

impl DaClient {
    pub async fn new(
        endpoints: Endpoints,
        key: SigningKey,
        address: Address,
        coder: Arc<dyn ErasureCoder>,
    ) -> anyhow::Result<Self> {
        let chain = GrpcChain::connect(&endpoints.grpc).await?;
        let chain_id = endpoints.chain_id()?.to_string();
        let partition = chain_id
            .rsplit_once("-p")
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or(0);
        Ok(Self {
            endpoints,
            key,
            address,
            coder,
            partition,
            chain,
        })
    }

    /// Names blobs in `partition` instead of the one read from the chain id's `-p<N>`
    /// suffix (0 without one).
    pub fn with_partition(mut self, partition: u32) -> Self {
        self.partition = partition;
        self
    }

    async fn send(&self, msg: Any, what: &str) -> anyhow::Result<()> {
        broadcast_checked(&self.endpoints, &self.key, &self.address, vec![msg], what).await?;
        Ok(())
    }

    /// Stores `data` on the DA network; returns once the chain says it is available.
    pub async fn put(
        &self,
        data: &[u8],
        opts: &PutOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> anyhow::Result<PutReceipt> {
        let started = Instant::now();
        let mut timings = PutTimings::default();
        let epoch = self.chain.epoch().await?;
        let current = self
            .chain
            .quorum(epoch.epoch)
            .await?
            .filter(|q| !q.members.is_empty())
            .context("the current epoch has no DA operators")?;
        let (k, m) = opts
            .shards
            .unwrap_or_else(|| default_shards(data.len() as u64, current.members.len()));
        let coder = self.coder.clone();
        let partition = self.partition;
        let encode = move |data: &[u8]| -> anyhow::Result<(EncodedBlob, Vec<Vec<Hash>>)> {
            let encoded = encode_blob(coder.as_ref(), partition, data, ErasureParams { k, m })?;
            let paths = encoded.commitment.all_shard_paths();
            Ok((encoded, paths))
        };
        // Encoding takes the cores: off the async threads, without copying the blob where
        // the runtime allows it.
        let (encoded, paths) = if tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::MultiThread
        {
            tokio::task::block_in_place(|| encode(data))?
        } else {
            let owned = data.to_vec();
            tokio::task::spawn_blocking(move || encode(&owned)).await??
        };
        timings.encode = started.elapsed().as_secs_f64();
        progress(Progress::Encoded);

        let t = Instant::now();
        let params = self.chain.params().await?;
        let fee = blob_fee(&params, data.len() as u64, opts.retention_blocks)?;
        let commitment = encoded.blob_ref.commitment;
        self.send(
            any(&MsgPayForBlob {
                payer: self.address.to_string(),
                commitment: commitment.to_vec(),
                size: data.len() as u64,
                original_shards: k as u32,
                recovery_shards: m as u32,
                codec: CODEC_RS16.into(),
                retention_blocks: opts.retention_blocks,
                max_fee: opts.max_fee.unwrap_or(fee).to_string(),
            }),
            "paying for the blob",
        )
        .await?;
        let blob = self
            .chain
            .blob(&commitment)
            .await?
            .context("the paid blob is not on chain")?;
        let quorum = self
            .chain
            .quorum(blob.epoch)
            .await?
            .context("no quorum for the blob's epoch")?;
        timings.pay = t.elapsed().as_secs_f64();
        progress(Progress::Paid);

        let t = Instant::now();
        let chain_id = self.endpoints.chain_id()?.to_string();
        let dispersal =
            disperse(&chain_id, &blob, &quorum, &encoded.shards, &paths, progress).await?;
        timings.disperse = t.elapsed().as_secs_f64();

        let t = Instant::now();
        for f in &dispersal.failures {
            tracing::warn!("{f}");
        }
        let (bond, needed) = dispersal.bond_share(&quorum, params.certify_bond_ppm)?;
        if bond < needed {
            bail!(
                "the operators that signed bond {bond} ukzn of the {needed} needed to certify; \
                 failures: {}",
                dispersal.failures.join("; ")
            );
        }
        let n = quorum.members.len();
        let (bitmap, aggregate, signers) = (
            dispersal.signer_bitmap,
            dispersal.aggregate_signature,
            dispersal.signers.len(),
        );
        self.send(
            any(&MsgCertifyBlob {
                submitter: self.address.to_string(),
                commitment: commitment.to_vec(),
                signer_bitmap: bitmap,
                aggregate_signature: aggregate,
            }),
            "certifying the blob",
        )
        .await?;
        let status = self.chain.blob(&commitment).await?.map(|b| b.status);
        if status != Some(BlobStatus::Available as i32) {
            bail!("the certificate landed but the blob is not available (status {status:?})");
        }
        timings.certify = t.elapsed().as_secs_f64();
        timings.total = started.elapsed().as_secs_f64();
        progress(Progress::Certified);
        Ok(PutReceipt {
            blob_ref: encoded.blob_ref.to_string(),
            commitment: hex::encode(commitment),
            fee: blob.fee,
            signers,
            quorum: n,
            timings,
        })
    }

    /// Reads a blob back from any `k` shards that verify against its commitment.
    pub async fn get(
        &self,
        blob_ref: &BlobRef,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> anyhow::Result<(Vec<u8>, GetReceipt)> {
        let started = Instant::now();
        let commitment = blob_ref.commitment;
        let blob = self
            .chain
            .blob(&commitment)
            .await?
            .with_context(|| format!("blob {} is not on chain", hex::encode(commitment)))?;
        if blob.status == BlobStatus::Expired as i32 {
            bail!("blob {} has expired", hex::encode(commitment));
        }
        if (
            blob.size,
            blob.original_shards as usize,
            blob.recovery_shards as usize,
        ) != (blob_ref.size, blob_ref.k, blob_ref.m)
        {
            bail!(
                "the reference says {} bytes in {}+{} shards, the chain's record {} bytes in \
                 {}+{}",
                blob_ref.size,
                blob_ref.k,
                blob_ref.m,
                blob.size,
                blob.original_shards,
                blob.recovery_shards
            );
        }
        let quorum = self
            .chain
            .quorum(blob.epoch)
            .await?
            .context("no quorum for the blob's epoch")?;
        let query = started.elapsed().as_secs_f64();
        retrieve(&blob, &quorum, self.coder.clone(), progress)
            .await
            .map(|(data, mut receipt)| {
                receipt.timings.query = query;
                receipt.seconds = started.elapsed().as_secs_f64();
                receipt.timings.total = receipt.seconds;
                (data, receipt)
            })
    }
}

/// What a dispersal gathered: who signed, their aggregate signature, who failed.
#[derive(Debug, Clone)]
pub struct Dispersal {
    /// Bit `i` (byte `i / 8`, bit `i % 8`, least significant first) is quorum member `i`;
    /// `ceil(n / 8)` bytes.
    pub signer_bitmap: Vec<u8>,
    /// Quorum positions that stored all their shards and signed, ascending.
    pub signers: Vec<usize>,
    /// The signers' availability signatures aggregated (BLS, 96 bytes).
    pub aggregate_signature: Vec<u8>,
    /// Distinct shards the signers hold.
    pub held: usize,
    /// One line per member that did not sign, and why.
    pub failures: Vec<String>,
}

impl Dispersal {
    /// `(bond of the signers, bond needed)` under the chain's `certify_bond_ppm` rule.
    pub fn bond_share(
        &self,
        quorum: &Quorum,
        certify_bond_ppm: u32,
    ) -> anyhow::Result<(u128, u128)> {
        let mut bond: u128 = 0;
        for &p in &self.signers {
            let b: u128 = quorum.members[p]
                .bond
                .parse()
                .with_context(|| format!("member {p}'s bond"))?;
            bond = bond.checked_add(b).context("bond overflows")?;
        }
        let total: u128 = quorum.total_bond.parse().context("the quorum's bond")?;
        let needed = total
            .checked_mul(u128::from(certify_bond_ppm))
            .context("bond threshold overflows")?
            .div_ceil(1_000_000);
        Ok((bond, needed))
    }
}

/// Attempts at one StoreShard when the node answers UNAVAILABLE or FAILED_PRECONDITION:
/// the node's view of the chain may lag the block that paid the blob by a block or two.
const STORE_ATTEMPTS: u32 = 6;

/// Stores shard `i` on one node; returns the node's signature (empty while the node
/// still lacks some of its shards).
async fn store_one(
    client: &mut NodeClient<Channel>,
    commitment: &Hash,
    i: usize,
    shard: &[u8],
    path: &[Hash],
) -> anyhow::Result<Vec<u8>> {
    let mut pause = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        let req = StoreShardRequest {
            commitment: commitment.to_vec(),
            index: i as u32,
            shard: shard.to_vec(),
            shard_path: path.iter().map(|h| h.to_vec()).collect(),
        };
        match client.store_shard(req).await {
            Ok(r) => return Ok(r.into_inner().signature),
            Err(s)
                if attempt < STORE_ATTEMPTS
                    && matches!(
                        s.code(),
                        tonic::Code::Unavailable
                            | tonic::Code::FailedPrecondition
                            | tonic::Code::ResourceExhausted
                    ) =>
            {
                tracing::debug!(shard = i, code = ?s.code(), message = s.message(), "retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
                attempt += 1;
            }
            Err(s) => bail!("shard {i}: {:?}: {}", s.code(), s.message()),
        }
    }
}

/// Sends every shard (with its path) to the quorum member holding it: all members at
/// once, [`PER_NODE_INFLIGHT`] requests in flight per member. A member signs when all its
/// shards are stored; its signature is checked against its registered key and a member
/// whose signature does not verify is left out. Fails when the signers hold fewer than
/// `k` distinct shards.
pub async fn disperse(
    chain_id: &str,
    blob: &Blob,
    quorum: &Quorum,
    shards: &[Vec<u8>],
    paths: &[Vec<Hash>],
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<Dispersal> {
    let commitment: Hash = blob
        .commitment
        .as_slice()
        .try_into()
        .context("the blob's commitment is not 32 bytes")?;
    let k = blob.original_shards as usize;
    let total = k + blob.recovery_shards as usize;
    anyhow::ensure!(
        shards.len() == total && paths.len() == total,
        "{} shards and {} paths for a blob of {total} shards",
        shards.len(),
        paths.len()
    );
    let n = quorum.members.len();
    anyhow::ensure!(n > 0, "the blob's quorum is empty");
    let total_bytes: u64 = shards.iter().map(|s| s.len() as u64).sum();
    let done = std::sync::atomic::AtomicU64::new(0);
    let message = availability_message(chain_id, &commitment, blob.epoch, blob.paid_height);
    let results: Vec<(usize, anyhow::Result<Vec<u8>>)> = stream::iter(0..n)
        .map(|pos| {
            let member = &quorum.members[pos];
            let indexes = shards_of(&commitment, pos, total, n);
            let done = &done;
            let message = &message;
            async move {
                let r = async {
                    if indexes.is_empty() {
                        bail!("holds no shard of this blob");
                    }
                    let client = node_client(&member.endpoint).await?;
                    let sigs: Vec<Vec<u8>> = stream::iter(indexes)
                        .map(|i| {
                            let mut client = client.clone();
                            async move {
                                let r =
                                    store_one(&mut client, &commitment, i, &shards[i], &paths[i])
                                        .await?;
                                let now = done.fetch_add(
                                    shards[i].len() as u64,
                                    std::sync::atomic::Ordering::Relaxed,
                                ) + shards[i].len() as u64;
                                progress(Progress::Stored {
                                    done: now,
                                    total: total_bytes,
                                });
                                anyhow::Ok(r)
                            }
                        })
                        .buffer_unordered(PER_NODE_INFLIGHT)
                        .collect::<Vec<_>>()
                        .await
                        .into_iter()
                        .collect::<Result<_, _>>()?;
                    // A member signs (one message per blob) only in the answers it gives
                    // once it holds every shard assigned to it; the first signature
                    // that verifies is the member's.
                    let mut last = None;
                    for sig in sigs {
                        match bls::verify(&member.bls_public_key, message, &sig) {
                            Ok(()) => return Ok(sig),
                            Err(e) => last = Some(e),
                        }
                    }
                    bail!(
                        "its signature does not verify against its registered key: {}",
                        last.map_or_else(|| "no signature".to_string(), |e| e.to_string())
                    )
                }
                .await;
                (pos, r)
            }
        })
        .buffer_unordered(n)
        .collect()
        .await;

    let mut results = results;
    results.sort_by_key(|(pos, _)| *pos);
    let mut bitmap = vec![0u8; n.div_ceil(8)];
    let mut sigs = Vec::new();
    let mut signers = Vec::new();
    let mut failures = Vec::new();
    let mut held = 0usize;
    for (pos, r) in results {
        match r {
            Ok(sig) => {
                bitmap[pos / 8] |= 1 << (pos % 8);
                held += shard_count_of(&commitment, pos, total, n);
                sigs.push(sig);
                signers.push(pos);
            }
            Err(e) => failures.push(format!(
                "{} ({}): {e:#}",
                quorum.members[pos].operator, quorum.members[pos].endpoint
            )),
        }
    }
    if held < k {
        bail!(
            "operators holding only {held} of the {k} shards needed signed; failures: {}",
            failures.join("; ")
        );
    }
    let refs: Vec<&[u8]> = sigs.iter().map(Vec::as_slice).collect();
    let aggregate = bls::aggregate_signatures(&refs)?;
    Ok(Dispersal {
        signer_bitmap: bitmap,
        signers,
        aggregate_signature: aggregate.to_vec(),
        held,
        failures,
    })
}

/// One shard's fetch: its index and its bytes, or why it was not used.
type Fetched = (usize, Result<Vec<u8>, String>);

/// Fetches `indexes` from their holders, all holders at once; returns the shards that
/// verify, and what was skipped.
async fn fetch(
    blob: &Blob,
    quorum: &Quorum,
    indexes: &[usize],
    skip_nodes: &[usize],
    done: &std::sync::atomic::AtomicU64,
    need: u64,
    progress: &(dyn Fn(Progress) + Sync),
) -> (BTreeMap<usize, Vec<u8>>, Vec<String>, Vec<usize>) {
    let n = quorum.members.len();
    let commitment: Hash = blob.commitment.as_slice().try_into().unwrap_or([0; 32]);
    let total = (blob.original_shards + blob.recovery_shards) as usize;
    let mut by_node: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &i in indexes {
        if let Some(p) = shard_holder(&commitment, i, n) {
            if !skip_nodes.contains(&p) {
                by_node.entry(p).or_default().push(i);
            }
        }
    }
    let per_node: Vec<(usize, Vec<Fetched>)> = stream::iter(by_node)
        .map(|(pos, idx)| async move {
            let member = &quorum.members[pos];
            let client = match node_client(&member.endpoint).await {
                Ok(c) => c,
                Err(e) => {
                    return (
                        pos,
                        idx.into_iter()
                            .map(|i| (i, Err(format!("{e:#}"))))
                            .collect(),
                    );
                }
            };
            let out = stream::iter(idx)
                .map(|i| {
                    let mut client = client.clone();
                    async move {
                        let r = client
                            .get_shard(GetShardRequest {
                                commitment: commitment.to_vec(),
                                index: i as u32,
                            })
                            .await;
                        let r = match r {
                            Err(s) => Err(format!("unavailable: {}", s.message())),
                            Ok(resp) => {
                                let resp = resp.into_inner();
                                let path: Vec<Hash> = resp
                                    .shard_path
                                    .iter()
                                    .filter_map(|h| <Hash>::try_from(h.as_slice()).ok())
                                    .collect();
                                let proof = ShardProof {
                                    index: i,
                                    total,
                                    path,
                                };
                                let shard = resp.shard;
                                let size_ok = shard.len() as u64 == blob.shard_bytes;
                                let verified = if size_ok {
                                    tokio::task::spawn_blocking(move || {
                                        verify_shard(&commitment, &shard, &proof).then_some(shard)
                                    })
                                    .await
                                    .ok()
                                    .flatten()
                                } else {
                                    None
                                };
                                match verified {
                                    Some(s) => {
                                        let now = done.fetch_add(
                                            s.len() as u64,
                                            std::sync::atomic::Ordering::Relaxed,
                                        ) + s.len() as u64;
                                        progress(Progress::Fetched {
                                            done: now.min(need),
                                            total: need,
                                        });
                                        Ok(s)
                                    }
                                    None => Err(
                                        "corrupt: the shard fails its proof against the commitment"
                                            .into(),
                                    ),
                                }
                            }
                        };
                        (i, r)
                    }
                })
                .buffer_unordered(PER_NODE_INFLIGHT)
                .collect::<Vec<_>>()
                .await;
            (pos, out)
        })
        .buffer_unordered(n.max(1))
        .collect()
        .await;
    let mut good = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut bad_nodes = Vec::new();
    for (pos, results) in per_node {
        let member = &quorum.members[pos];
        let mut node_bad = false;
        for (i, r) in results {
            match r {
                Ok(s) => {
                    good.insert(i, s);
                }
                Err(e) => {
                    node_bad = true;
                    skipped.push(format!(
                        "shard {i} from {} ({}): {e}",
                        member.operator, member.endpoint
                    ));
                }
            }
        }
        if node_bad {
            bad_nodes.push(pos);
        }
    }
    (good, skipped, bad_nodes)
}

/// Originals first; recovery shards only when some original is missing or bad.
pub async fn retrieve(
    blob: &Blob,
    quorum: &Quorum,
    coder: Arc<dyn ErasureCoder>,
    progress: &(dyn Fn(Progress) + Sync),
) -> anyhow::Result<(Vec<u8>, GetReceipt)> {
    let k = blob.original_shards as usize;
    let m = blob.recovery_shards as usize;
    if quorum.members.is_empty() || k == 0 {
        bail!("the blob has no holders");
    }
    if blob.shard_bytes != shard_bytes(blob.size, k) as u64 {
        bail!("the chain's record of the blob is inconsistent");
    }
    let started = Instant::now();
    let need = blob.shard_bytes.saturating_mul(k as u64);
    let done = std::sync::atomic::AtomicU64::new(0);
    let originals: Vec<usize> = (0..k).collect();
    let (mut good, mut skipped, bad_nodes) =
        fetch(blob, quorum, &originals, &[], &done, need, progress).await;
    let mut decoded = false;
    if good.len() < k {
        let recovery: Vec<usize> = (k..k + m).collect();
        let (more, more_skipped, _) =
            fetch(blob, quorum, &recovery, &bad_nodes, &done, need, progress).await;
        good.extend(more);
        skipped.extend(more_skipped);
        if good.len() < k {
            bail!(
                "only {} of the {k} shards needed could be fetched and verified: {}",
                good.len(),
                skipped.join("; ")
            );
        }
        decoded = true;
    }
    let fetch_seconds = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let size = blob.size;
    let data = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let originals: Vec<Vec<u8>> = if (0..k).all(|i| good.contains_key(&i)) {
            (0..k).filter_map(|i| good.remove(&i)).collect()
        } else {
            // Any k suffice; the decoder takes them keyed by index.
            let chosen: BTreeMap<usize, Vec<u8>> = good.into_iter().take(k).collect();
            coder.reconstruct(k, m, &chosen)?
        };
        Ok(join(&originals, size)?)
    })
    .await??;
    Ok((
        data,
        GetReceipt {
            bytes: size,
            skipped,
            decoded,
            seconds: started.elapsed().as_secs_f64(),
            timings: GetTimings {
                query: 0.0,
                fetch: fetch_seconds,
                decode: t.elapsed().as_secs_f64(),
                total: started.elapsed().as_secs_f64(),
            },
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_shards_are_a_multiple_of_the_quorum_and_grow_with_the_blob() {
        assert_eq!(default_shards(1, 4), (4, 4));
        assert_eq!(default_shards(16 << 20, 8), (16, 16));
        assert_eq!(default_shards(256 << 20, 8), (32, 32));
        assert_eq!(default_shards(10, 0), (1, 1));
    }
}
