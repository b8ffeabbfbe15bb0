//! The DA node (`kaizen.da.v1.Node`) and the client's dispersal and retrieval against an
//! in-memory chain: the StoreShard checks called directly, then real gRPC servers on
//! 127.0.0.1 ephemeral ports. Every server a test starts is stopped before it returns.

use std::{sync::Arc, time::Duration};

use kaizen_da::{
    server::{serve, NodeConfig, NodeService, LOOKUPS_PER_PEER_PER_SECOND},
    store::ShardStore,
    watcher::{answer, prune_store},
};
use kaizen_da_client::{
    chain::{ChainView, MemoryChain, MemoryChainState},
    dispersal::{disperse, retrieve, Progress},
};
use kaizen_da_core::{
    assignment::{availability_message, shard_holder, shards_of},
    blob::{encode_blob, shard_bytes, EncodedBlob, CODEC_RS16},
    commitment::{verify_segment, Hash, SegmentProof, ShardProof},
    CpuCoder, ErasureCoder, ErasureParams, SEGMENT_BYTES,
};
use kaizen_framework::bls::{self, BlsKey};
use kaizen_proto::kaizen::da::v1::{
    node_client::NodeClient, node_server::Node, Blob, BlobStatus, Challenge, ChallengeStatus,
    GetShardRequest, NodeStatusRequest, Quorum, QuorumMember, StoreShardRequest,
};
use rand::{RngCore, SeedableRng};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::{Code, Request};

const CHAIN_ID: &str = "kaizen-test";
const EPOCH: u64 = 3;
/// The height every test blob is paid at.
const PAID_HEIGHT: u64 = 100;
const MAX_SHARD_BYTES: usize = 1 << 20;

fn quiet(_: Progress) {}

fn bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut v);
    v
}

fn operator(i: usize) -> String {
    format!("kaizen1operator{i}")
}

fn bls_key(i: usize) -> BlsKey {
    let seed = [i as u8 + 1; 32];
    BlsKey::from_seed(&seed).expect("a 32-byte seed")
}

/// A chain with a quorum of `n` operators (endpoints filled in as servers start) for
/// epoch [`EPOCH`], each bonding 100.
fn chain_with_quorum(n: usize) -> Arc<MemoryChain> {
    let members = (0..n)
        .map(|i| QuorumMember {
            operator: operator(i),
            bls_public_key: bls_key(i).public_key().to_vec(),
            endpoint: String::new(),
            bond: "100".into(),
        })
        .collect();
    let mut state = MemoryChainState::default();
    state.quorums.insert(
        EPOCH,
        Quorum {
            epoch: EPOCH,
            seed: vec![9; 32],
            members,
            total_bond: (100 * n).to_string(),
        },
    );
    state.epoch.epoch = EPOCH;
    state.epoch.height = 100;
    state.epoch.next_epoch_height = 200;
    state.params.certify_bond_ppm = 500_000;
    Arc::new(MemoryChain::new(state))
}

/// Encodes `data` and records it on `chain` as paid (epoch [`EPOCH`], expiring at 1000).
fn pay(chain: &MemoryChain, data: &[u8], k: usize, m: usize) -> (EncodedBlob, Blob) {
    let encoded =
        encode_blob(&CpuCoder::default(), 0, data, ErasureParams { k, m }).expect("encodes");
    let blob = Blob {
        commitment: encoded.blob_ref.commitment.to_vec(),
        size: data.len() as u64,
        original_shards: k as u32,
        recovery_shards: m as u32,
        shard_bytes: shard_bytes(data.len() as u64, k) as u64,
        codec: CODEC_RS16.into(),
        payer: "kaizen1payer".into(),
        fee: "1".into(),
        epoch: EPOCH,
        paid_height: PAID_HEIGHT,
        certify_deadline_height: 150,
        expires_height: 1000,
        status: BlobStatus::Pending as i32,
        ..Default::default()
    };
    chain.with(|s| s.blobs.insert(blob.commitment.clone(), blob.clone()));
    (encoded, blob)
}

fn config(i: usize) -> NodeConfig {
    NodeConfig {
        chain_id: CHAIN_ID.into(),
        operator: operator(i),
        max_shard_bytes: MAX_SHARD_BYTES,
        max_inflight_bytes: 8 << 20,
        serve_corrupt_shards: false,
        coder: "cpu".into(),
    }
}

/// A node service for operator `i` on a fresh store.
fn service(
    chain: &Arc<MemoryChain>,
    i: usize,
    config: NodeConfig,
) -> (NodeService, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Arc::new(ShardStore::open(dir.path()).expect("opens"));
    let chain: Arc<dyn ChainView> = chain.clone();
    (NodeService::new(config, chain, store, bls_key(i)), dir)
}

fn store_request(encoded: &EncodedBlob, index: usize) -> StoreShardRequest {
    let proof = encoded
        .commitment
        .shard_proof(index)
        .expect("index in range");
    StoreShardRequest {
        commitment: encoded.blob_ref.commitment.to_vec(),
        index: index as u32,
        shard: encoded.shards[index].clone(),
        shard_path: proof.path.iter().map(|h| h.to_vec()).collect(),
    }
}

/// The quorum position holding `index`, and a service for that operator.
fn holder_of(encoded: &EncodedBlob, index: usize, n: usize) -> usize {
    shard_holder(&encoded.blob_ref.commitment, index, n).expect("a non-empty quorum")
}

/// A running node server: stop it with [`Running::stop`].
struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let stopped = tokio::time::timeout(Duration::from_secs(10), &mut self.task).await;
        assert!(
            matches!(stopped, Ok(Ok(Ok(())))),
            "the server stopped cleanly"
        );
    }
}

/// Starts node `i` on an ephemeral port and writes its endpoint into the quorum.
async fn start(chain: &Arc<MemoryChain>, i: usize, config: NodeConfig) -> Running {
    let (svc, dir) = service(chain, i, config);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    chain.with(|s| {
        if let Some(q) = s.quorums.get_mut(&EPOCH) {
            q.members[i].endpoint = format!("http://{addr}");
        }
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, svc, async {
        let _ = stopped.await;
    }));
    Running {
        stop: Some(stop),
        task,
        _dir: dir,
    }
}

async fn start_all(chain: &Arc<MemoryChain>, n: usize) -> Vec<Option<Running>> {
    let mut nodes = Vec::new();
    for i in 0..n {
        nodes.push(Some(start(chain, i, config(i)).await));
    }
    nodes
}

async fn stop_all(nodes: Vec<Option<Running>>) {
    for node in nodes.into_iter().flatten() {
        node.stop().await;
    }
}

fn quorum(chain: &MemoryChain) -> Quorum {
    chain.with(|s| s.quorums[&EPOCH].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_signs_only_once_the_node_holds_every_shard_assigned_to_it(
) -> anyhow::Result<()> {
    // The attack of issue 15, item 1: a client uploads one shard per operator and
    // collects signatures; the chain credits each signer with all its shards, so the
    // blob is certified with data nobody holds, and challenges jail honest operators.
    let chain = chain_with_quorum(4);
    let (encoded, _) = pay(&chain, &bytes(10_000, 1), 4, 4);
    let holder = holder_of(&encoded, 5, 4);
    let (svc, _dir) = service(&chain, holder, config(holder));
    let r = svc
        .store_shard(Request::new(store_request(&encoded, 5)))
        .await?
        .into_inner();
    assert_eq!(r.operator, operator(holder));
    assert_eq!(r.epoch, EPOCH);
    assert_eq!((r.shards_held, r.shards_assigned), (1, 2));
    assert!(
        r.signature.is_empty(),
        "one of its two shards: no signature"
    );
    let other = shards_of(&encoded.blob_ref.commitment, holder, 8, 4)
        .into_iter()
        .find(|&i| i != 5)
        .expect("the holder's other shard");
    let r = svc
        .store_shard(Request::new(store_request(&encoded, other)))
        .await?
        .into_inner();
    assert_eq!((r.shards_held, r.shards_assigned), (2, 2));
    let message = availability_message(CHAIN_ID, &encoded.blob_ref.commitment, EPOCH, PAID_HEIGHT);
    bls::verify(&bls_key(holder).public_key(), &message, &r.signature)?;

    // Storing it again is harmless and counted once.
    svc.store_shard(Request::new(store_request(&encoded, 5)))
        .await?;
    let status = svc
        .node_status(Request::new(NodeStatusRequest {}))
        .await?
        .into_inner();
    assert_eq!(
        (status.shards, status.bytes),
        (2, 2 * encoded.shards[5].len() as u64)
    );

    let got = svc
        .get_shard(Request::new(GetShardRequest {
            commitment: encoded.blob_ref.commitment.to_vec(),
            index: 5,
        }))
        .await?
        .into_inner();
    assert_eq!(got.shard, encoded.shards[5]);
    assert_eq!(got.shard_path, store_request(&encoded, 5).shard_path);
    let absent = svc
        .get_shard(Request::new(GetShardRequest {
            commitment: encoded.blob_ref.commitment.to_vec(),
            index: 6,
        }))
        .await;
    assert_eq!(absent.err().map(|s| s.code()), Some(Code::NotFound));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_refuses_a_blob_that_is_not_paid_for_or_has_expired() -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let encoded = encode_blob(
        &CpuCoder::default(),
        0,
        &bytes(5_000, 2),
        ErasureParams { k: 4, m: 4 },
    )?;
    let holder = holder_of(&encoded, 0, 4);
    let (svc, _dir) = service(&chain, holder, config(holder));
    let unpaid = svc
        .store_shard(Request::new(store_request(&encoded, 0)))
        .await
        .expect_err("an unpaid blob is refused");
    assert_eq!(unpaid.code(), Code::FailedPrecondition);
    assert!(
        unpaid.message().contains("not paid"),
        "{}",
        unpaid.message()
    );

    let (encoded, mut blob) = pay(&chain, &bytes(5_000, 3), 4, 4);
    blob.status = BlobStatus::Expired as i32;
    chain.with(|s| s.blobs.insert(blob.commitment.clone(), blob.clone()));
    let holder = holder_of(&encoded, 0, 4);
    let (svc, _dir) = service(&chain, holder, config(holder));
    let expired = svc
        .store_shard(Request::new(store_request(&encoded, 0)))
        .await
        .expect_err("an expired blob is refused");
    assert_eq!(expired.code(), Code::FailedPrecondition);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_refuses_a_shard_whose_proof_does_not_match_the_commitment(
) -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let (encoded, _) = pay(&chain, &bytes(20_000, 4), 4, 4);
    let holder = holder_of(&encoded, 2, 4);
    let (svc, _dir) = service(&chain, holder, config(holder));

    let mut flipped = store_request(&encoded, 2);
    flipped.shard[17] ^= 1;
    let mut wrong_path = store_request(&encoded, 2);
    wrong_path.shard_path[0][0] ^= 1;
    let mut other_shard = store_request(&encoded, 2);
    other_shard.shard = encoded.shards[3].clone();
    for req in [flipped, wrong_path, other_shard] {
        let e = svc
            .store_shard(Request::new(req))
            .await
            .expect_err("a bad proof is refused");
        assert_eq!(e.code(), Code::InvalidArgument);
        assert!(
            e.message()
                .contains("shard proof does not match the commitment"),
            "{}",
            e.message()
        );
    }
    let status = svc
        .node_status(Request::new(NodeStatusRequest {}))
        .await?
        .into_inner();
    assert_eq!(status.shards, 0, "nothing was stored");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_refuses_a_shard_that_another_quorum_member_holds() -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let (encoded, _) = pay(&chain, &bytes(20_000, 5), 4, 4);
    let holder = holder_of(&encoded, 1, 4);
    let other = (holder + 1) % 4;
    let (svc, _dir) = service(&chain, other, config(other));
    let e = svc
        .store_shard(Request::new(store_request(&encoded, 1)))
        .await
        .expect_err("not this node's shard");
    assert_eq!(e.code(), Code::PermissionDenied);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_refuses_bad_sizes_and_indexes_before_reading_the_chain() -> anyhow::Result<()>
{
    let chain = chain_with_quorum(4);
    let (encoded, _) = pay(&chain, &bytes(20_000, 6), 4, 4);
    let holder = holder_of(&encoded, 0, 4);
    let (svc, _dir) = service(&chain, holder, config(holder));
    let call = |req: StoreShardRequest| {
        let svc = &svc;
        async move {
            svc.store_shard(Request::new(req))
                .await
                .expect_err("refused")
                .code()
        }
    };

    let mut short_commitment = store_request(&encoded, 0);
    short_commitment.commitment.pop();
    let mut long_path = store_request(&encoded, 0);
    long_path.shard_path = vec![vec![0; 32]; 18];
    let mut odd_hash = store_request(&encoded, 0);
    odd_hash.shard_path[0].push(0);
    let mut huge = store_request(&encoded, 0);
    huge.shard = vec![0; MAX_SHARD_BYTES + 1];
    let before = chain.with(|s| s.queries.get("blob").copied().unwrap_or(0));
    assert_eq!(call(short_commitment).await, Code::InvalidArgument);
    assert_eq!(call(long_path).await, Code::InvalidArgument);
    assert_eq!(call(odd_hash).await, Code::InvalidArgument);
    assert_eq!(call(huge).await, Code::ResourceExhausted);
    let after = chain.with(|s| s.queries.get("blob").copied().unwrap_or(0));
    assert_eq!(before, after, "malformed requests cost no chain query");

    let mut out_of_range = store_request(&encoded, 0);
    out_of_range.index = 8;
    assert_eq!(call(out_of_range).await, Code::InvalidArgument);
    let mut short_shard = store_request(&encoded, 0);
    short_shard.shard.truncate(64);
    assert_eq!(call(short_shard).await, Code::InvalidArgument);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_reads_a_paid_blob_from_the_chain_once_for_many_shards() -> anyhow::Result<()> {
    let chain = chain_with_quorum(1);
    let (encoded, _) = pay(&chain, &bytes(20_000, 7), 4, 4);
    let (svc, _dir) = service(&chain, 0, config(0));
    for i in 0..8 {
        svc.store_shard(Request::new(store_request(&encoded, i)))
            .await?;
    }
    assert_eq!(chain.with(|s| s.queries.get("blob").copied()), Some(1));
    assert_eq!(chain.with(|s| s.queries.get("quorum").copied()), Some(1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_shard_answers_unavailable_while_the_chain_is_down() -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let (encoded, _) = pay(&chain, &bytes(2_000, 8), 4, 4);
    chain.with(|s| s.down = Some("connection refused".into()));
    let holder = holder_of(&encoded, 0, 4);
    let (svc, _dir) = service(&chain, holder, config(holder));
    let e = svc
        .store_shard(Request::new(store_request(&encoded, 0)))
        .await
        .expect_err("no chain, no store");
    assert_eq!(e.code(), Code::Unavailable);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_dispersed_to_four_nodes_comes_back_byte_identical_with_two_holders_killed(
) -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let mut nodes = start_all(&chain, 4).await;
    let data = bytes(300_001, 9);
    let (encoded, blob) = pay(&chain, &data, 4, 4);
    let q = quorum(&chain);
    let paths = encoded.commitment.all_shard_paths();

    let stored = std::sync::atomic::AtomicU64::new(0);
    let progress = |p: Progress| {
        if let Progress::Stored { done, .. } = p {
            stored.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let d = disperse(CHAIN_ID, &blob, &q, &encoded.shards, &paths, &progress).await?;
    assert_eq!(d.signers, vec![0, 1, 2, 3]);
    assert_eq!(d.signer_bitmap, vec![0b1111]);
    assert_eq!(d.held, 8);
    assert!(d.failures.is_empty(), "{:?}", d.failures);
    let total: u64 = encoded.shards.iter().map(|s| s.len() as u64).sum();
    assert_eq!(stored.into_inner(), total);
    let keys: Vec<&[u8]> = q
        .members
        .iter()
        .map(|m| m.bls_public_key.as_slice())
        .collect();
    let message = availability_message(CHAIN_ID, &encoded.blob_ref.commitment, EPOCH, PAID_HEIGHT);
    bls::verify_aggregate(&keys, &message, &d.aggregate_signature)?;
    assert_eq!(d.bond_share(&q, 500_000)?, (400, 200));

    // All originals present: no decoding.
    let coder: Arc<dyn ErasureCoder> = Arc::new(CpuCoder::default());
    let (back, receipt) = retrieve(&blob, &q, coder.clone(), &quiet).await?;
    assert_eq!(back, data);
    assert!(!receipt.decoded);

    // Kill the holders of two positions: 4 of the 8 shards remain, exactly k.
    for pos in [0, 2] {
        if let Some(node) = nodes[pos].take() {
            node.stop().await;
        }
    }
    let (back, receipt) = retrieve(&blob, &q, coder, &quiet).await?;
    assert_eq!(back, data, "byte-identical after decoding");
    assert!(receipt.decoded);
    assert!(!receipt.skipped.is_empty());
    stop_all(nodes).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_serving_corrupted_shards_is_detected_and_skipped() -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let mut nodes = Vec::new();
    for i in 0..4 {
        let mut c = config(i);
        c.serve_corrupt_shards = i == 1;
        nodes.push(Some(start(&chain, i, c).await));
    }
    let data = bytes(77_777, 10);
    let (encoded, blob) = pay(&chain, &data, 4, 4);
    let q = quorum(&chain);
    let paths = encoded.commitment.all_shard_paths();
    disperse(CHAIN_ID, &blob, &q, &encoded.shards, &paths, &quiet).await?;
    let coder: Arc<dyn ErasureCoder> = Arc::new(CpuCoder::default());
    let (back, receipt) = retrieve(&blob, &q, coder, &quiet).await?;
    assert_eq!(back, data);
    assert!(
        receipt.decoded,
        "the corrupt node's originals were replaced"
    );
    let corrupt: Vec<_> = receipt
        .skipped
        .iter()
        .filter(|s| s.contains("corrupt"))
        .collect();
    assert_eq!(
        corrupt.len(),
        shards_of(&encoded.blob_ref.commitment, 1, 8, 4)
            .iter()
            .filter(|&&i| i < 4)
            .count(),
        "{:?}",
        receipt.skipped
    );
    assert!(corrupt.iter().all(|s| s.contains(&operator(1))));
    stop_all(nodes).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispersal_fails_clearly_when_operators_holding_fewer_than_k_shards_sign(
) -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let mut nodes = start_all(&chain, 4).await;
    for pos in [1, 2, 3] {
        if let Some(node) = nodes[pos].take() {
            node.stop().await;
        }
    }
    let (encoded, blob) = pay(&chain, &bytes(50_000, 11), 4, 4);
    let q = quorum(&chain);
    let paths = encoded.commitment.all_shard_paths();
    let e = disperse(CHAIN_ID, &blob, &q, &encoded.shards, &paths, &quiet)
        .await
        .expect_err("2 of the 4 shards needed");
    assert!(
        e.to_string().contains("holding only 2 of the 4 shards"),
        "{e:#}"
    );
    stop_all(nodes).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_whose_signature_does_not_verify_is_left_out_of_the_certificate(
) -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let nodes = start_all(&chain, 4).await;
    // The chain says member 3 has another key than the one its node signs with.
    chain.with(|s| {
        if let Some(q) = s.quorums.get_mut(&EPOCH) {
            q.members[3].bls_public_key = bls_key(42).public_key().to_vec();
        }
    });
    let (encoded, blob) = pay(&chain, &bytes(50_000, 12), 4, 4);
    let q = quorum(&chain);
    let paths = encoded.commitment.all_shard_paths();
    let d = disperse(CHAIN_ID, &blob, &q, &encoded.shards, &paths, &quiet).await?;
    assert_eq!(d.signers, vec![0, 1, 2]);
    assert_eq!(d.signer_bitmap, vec![0b0111]);
    assert_eq!(d.failures.len(), 1);
    assert!(
        d.failures[0].contains("does not verify"),
        "{:?}",
        d.failures
    );
    let keys: Vec<&[u8]> = q.members[..3]
        .iter()
        .map(|m| m.bls_public_key.as_slice())
        .collect();
    let message = availability_message(CHAIN_ID, &encoded.blob_ref.commitment, EPOCH, PAID_HEIGHT);
    bls::verify_aggregate(&keys, &message, &d.aggregate_signature)?;
    stop_all(nodes).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_is_refused_before_it_is_decoded() -> anyhow::Result<()> {
    let chain = chain_with_quorum(1);
    let mut c = config(0);
    c.max_shard_bytes = 64 << 10;
    let node = start(&chain, 0, c).await;
    let endpoint = quorum(&chain).members[0].endpoint.clone();
    let channel = tonic::transport::Channel::from_shared(endpoint)?
        .connect()
        .await?;
    let mut client = NodeClient::new(channel).max_encoding_message_size(8 << 20);
    let e = client
        .store_shard(StoreShardRequest {
            commitment: vec![1; 32],
            index: 0,
            shard: vec![0; 2 << 20],
            shard_path: vec![],
        })
        .await
        .expect_err("over the node's message limit");
    assert!(
        matches!(e.code(), Code::OutOfRange | Code::ResourceExhausted),
        "{e:?}"
    );
    assert_eq!(
        chain.with(|s| s.queries.get("blob").copied()),
        None,
        "refused without asking the chain"
    );
    node.stop().await;
    Ok(())
}

#[test]
fn a_challenge_answer_from_the_store_verifies_under_the_chains_rule() -> anyhow::Result<()> {
    let data = bytes(10 * SEGMENT_BYTES * 4 + 100, 13);
    let encoded = encode_blob(&CpuCoder::default(), 0, &data, ErasureParams { k: 4, m: 4 })?;
    let commitment: Hash = encoded.blob_ref.commitment;
    let dir = tempfile::tempdir()?;
    let store = ShardStore::open(dir.path())?;
    let paths = encoded.commitment.all_shard_paths();
    let shard_len = encoded.shards[0].len();
    let segment_count = shard_len.div_ceil(SEGMENT_BYTES);
    for index in [0usize, 6] {
        store.put(
            &commitment,
            index as u32,
            &encoded.shards[index],
            &paths[index],
            1000,
        )?;
        for segment in [0, segment_count - 1] {
            let c = Challenge {
                id: 7,
                commitment: commitment.to_vec(),
                shard_index: index as u32,
                segment_index: segment as u32,
                operator: operator(0),
                status: ChallengeStatus::Open as i32,
                ..Default::default()
            };
            let a = answer(&store, &operator(0), &c)?.expect("the shard is stored");
            let to_hash = |v: &Vec<Vec<u8>>| -> Vec<Hash> {
                v.iter()
                    .filter_map(|h| <Hash>::try_from(h.as_slice()).ok())
                    .collect()
            };
            let proof = SegmentProof {
                shard: ShardProof {
                    index,
                    total: 8,
                    path: to_hash(&a.shard_path),
                },
                segment_index: segment,
                segment_count,
                path: to_hash(&a.segment_path),
            };
            assert!(verify_segment(&commitment, &a.segment, &proof));
        }
    }
    let missing = Challenge {
        commitment: commitment.to_vec(),
        shard_index: 3,
        ..Default::default()
    };
    assert!(answer(&store, &operator(0), &missing)?.is_none());
    Ok(())
}

#[test]
fn pruning_deletes_the_shards_of_expired_blobs_only() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = ShardStore::open(dir.path())?;
    for (b, expires) in [(1u8, 10u64), (2, 10), (3, 20)] {
        for i in 0..3 {
            store.put(&[b; 32], i, &[b; 64], &[], expires)?;
        }
    }
    assert_eq!(prune_store(&store, 9)?, 0);
    assert_eq!(prune_store(&store, 10)?, 6);
    assert!(store.get(&[1; 32], 0)?.is_none());
    assert!(store.get(&[2; 32], 2)?.is_none());
    assert!(store.get(&[3; 32], 1)?.is_some());
    assert_eq!(store.stats()?, (3, 192));
    assert_eq!(prune_store(&store, 10)?, 0);
    Ok(())
}

#[test]
fn the_store_keeps_small_named_values_across_reopening() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    {
        let store = ShardStore::open(dir.path())?;
        assert_eq!(store.get_meta("randomness_epoch")?, None);
        store.put_meta("randomness_epoch", &7u64.to_be_bytes())?;
        store.put(&[5; 32], 1, &[1; 64], &[[2; 32]], 50)?;
    }
    let store = ShardStore::open(dir.path())?;
    assert_eq!(
        store.get_meta("randomness_epoch")?,
        Some(7u64.to_be_bytes().to_vec())
    );
    assert_eq!(store.get(&[5; 32], 1)?, Some((vec![1; 64], vec![[2; 32]])));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispersal_waits_for_nodes_whose_chain_view_has_not_yet_seen_the_payment(
) -> anyhow::Result<()> {
    let chain = chain_with_quorum(4);
    let nodes = start_all(&chain, 4).await;
    let data = bytes(40_000, 14);
    let (encoded, blob) = pay(&chain, &data, 4, 4);
    // The nodes' chain lags: the payment shows up 300 ms after dispersal starts.
    chain.with(|s| s.blobs.clear());
    let late = {
        let chain = chain.clone();
        let blob = blob.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            chain.with(|s| s.blobs.insert(blob.commitment.clone(), blob.clone()));
        })
    };
    let q = quorum(&chain);
    let paths = encoded.commitment.all_shard_paths();
    let d = disperse(CHAIN_ID, &blob, &q, &encoded.shards, &paths, &quiet).await?;
    late.await?;
    assert_eq!(d.signers, vec![0, 1, 2, 3], "{:?}", d.failures);
    stop_all(nodes).await;
    Ok(())
}

#[test]
fn shard_counts_stay_exact_under_concurrent_puts() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    let threads: Vec<_> = (0..4u32)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || -> anyhow::Result<()> {
                for i in 0..50u32 {
                    // Every thread stores the same 50 shards, and 50 of its own.
                    store.put(&[0; 32], i, &[1; 64], &[], 10)?;
                    store.put(&[t as u8 + 1; 32], i, &[2; 64], &[], 10)?;
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join()
            .map_err(|_| anyhow::anyhow!("a thread panicked"))??;
    }
    assert_eq!(store.stats()?, (250, 250 * 64));
    Ok(())
}

/// Issue 15, item 7: bogus `StoreShard`s used to cost a chain query each. A miss is now
/// cached briefly, and a peer causes at most `LOOKUPS_PER_PEER_PER_SECOND` chain look-ups
/// a second; a paid blob is still found on the next try.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bogus_shards_cost_the_chain_one_lookup_per_commitment_and_a_bounded_rate_per_peer(
) -> anyhow::Result<()> {
    let chain = chain_with_quorum(1);
    let (svc, _dir) = service(&chain, 0, config(0));
    let bogus = |c: u8| StoreShardRequest {
        commitment: vec![c; 32],
        index: 0,
        shard: vec![0; 64],
        shard_path: vec![],
    };
    for _ in 0..100 {
        let e = svc
            .store_shard(Request::new(bogus(1)))
            .await
            .expect_err("an unpaid blob is refused");
        assert_eq!(e.code(), Code::FailedPrecondition);
    }
    assert_eq!(chain.with(|s| s.queries.get("blob").copied()), Some(1));

    // Distinct commitments: the peer's look-ups stop at the limit within a second.
    let mut exhausted = 0;
    for c in 2..=200u8 {
        let e = svc
            .store_shard(Request::new(bogus(c)))
            .await
            .expect_err("an unpaid blob is refused");
        if e.code() == Code::ResourceExhausted {
            exhausted += 1;
        }
    }
    let lookups = chain.with(|s| s.queries.get("blob").copied()).unwrap_or(0);
    assert!(
        lookups <= 2 * u64::from(LOOKUPS_PER_PEER_PER_SECOND) + 1,
        "{lookups} chain look-ups"
    );
    assert!(exhausted > 0);

    // A shard sent before its payment reached the node is refused; once the payment is
    // on chain and the miss is stale, the retry succeeds (as the client's retries do).
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let data = bytes(2_000, 11);
    let early = encode_blob(&CpuCoder::default(), 0, &data, ErasureParams { k: 2, m: 2 })?;
    let e = svc
        .store_shard(Request::new(store_request(&early, 0)))
        .await
        .expect_err("not paid yet");
    assert_eq!(e.code(), Code::FailedPrecondition);
    let (encoded, _) = pay(&chain, &data, 2, 2);
    assert_eq!(encoded.blob_ref.commitment, early.blob_ref.commitment);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let stored = svc
        .store_shard(Request::new(store_request(&encoded, 0)))
        .await?;
    assert_eq!(stored.into_inner().shards_assigned, 4);
    Ok(())
}
