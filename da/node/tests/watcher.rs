//! The DA node's watcher against an in-memory chain and a transaction sender that records
//! what it would send: challenge answers (batched, never twice), the epoch randomness
//! (once, across restarts), pruning, and a chain that fails.

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use cosmrs::proto::Any;
use kaizen_da::{
    store::ShardStore,
    watcher::{Sent, TxSender, Watcher},
};
use kaizen_da_client::chain::{ChainView, MemoryChain, MemoryChainState};
use kaizen_da_core::{assignment::randomness_message, blob::encode_blob, CpuCoder, ErasureParams};
use kaizen_framework::bls::{self, BlsKey};
use kaizen_proto::kaizen::{
    da::v1::{
        Challenge, ChallengeStatus, MsgAnswerChallenge, MsgSubmitRandomness, Quorum, QuorumMember,
    },
    staking::v1::DaOperator,
};
use prost::{Message, Name};

const CHAIN_ID: &str = "kaizen-test";
const OPERATOR: &str = "kaizen1operator";

/// Records every transaction; lands it on the in-memory chain (answered challenges are
/// no longer open) unless it carries an answer to a challenge in `refuse`.
struct Recorder {
    chain: Arc<MemoryChain>,
    sent: Mutex<Vec<Vec<Any>>>,
    refuse: Mutex<BTreeSet<u64>>,
    down: Mutex<bool>,
}

impl Recorder {
    fn new(chain: Arc<MemoryChain>) -> Arc<Self> {
        Arc::new(Self {
            chain,
            sent: Mutex::new(Vec::new()),
            refuse: Mutex::new(BTreeSet::new()),
            down: Mutex::new(false),
        })
    }

    fn sent(&self) -> Vec<Vec<Any>> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The challenge ids answered in each transaction sent.
    fn answers(&self) -> Vec<Vec<u64>> {
        self.sent()
            .iter()
            .map(|tx| {
                tx.iter()
                    .filter(|a| a.type_url == MsgAnswerChallenge::type_url())
                    .filter_map(|a| MsgAnswerChallenge::decode(a.value.as_slice()).ok())
                    .map(|m| m.challenge_id)
                    .collect::<Vec<_>>()
            })
            .filter(|ids| !ids.is_empty())
            .collect()
    }

    fn randomness(&self) -> Vec<MsgSubmitRandomness> {
        self.sent()
            .iter()
            .flatten()
            .filter(|a| a.type_url == MsgSubmitRandomness::type_url())
            .filter_map(|a| MsgSubmitRandomness::decode(a.value.as_slice()).ok())
            .collect()
    }
}

#[async_trait]
impl TxSender for Recorder {
    async fn send(&self, msgs: Vec<Any>, _what: &str) -> anyhow::Result<Sent> {
        if self.down.lock().map(|d| *d).unwrap_or(false) {
            anyhow::bail!("connection refused");
        }
        if let Ok(mut s) = self.sent.lock() {
            s.push(msgs.clone());
        }
        let ids: Vec<u64> = msgs
            .iter()
            .filter(|a| a.type_url == MsgAnswerChallenge::type_url())
            .filter_map(|a| MsgAnswerChallenge::decode(a.value.as_slice()).ok())
            .map(|m| m.challenge_id)
            .collect();
        let refused = self
            .refuse
            .lock()
            .map(|r| ids.iter().any(|id| r.contains(id)))
            .unwrap_or(false);
        if refused {
            return Ok(Sent::Refused);
        }
        self.chain.with(|s| {
            for c in &mut s.challenges {
                if ids.contains(&c.id) {
                    c.status = ChallengeStatus::Answered as i32;
                }
            }
        });
        Ok(Sent::Landed)
    }
}

/// This watcher's operator as a quorum member.
fn member() -> QuorumMember {
    QuorumMember {
        operator: OPERATOR.into(),
        bls_public_key: bls_key().public_key().to_vec(),
        ..Default::default()
    }
}

fn bls_key() -> BlsKey {
    BlsKey::from_seed(&[7; 32]).expect("a 32-byte seed")
}

fn chain() -> Arc<MemoryChain> {
    let mut state = MemoryChainState::default();
    state.epoch.epoch = 2;
    state.epoch.height = 50;
    state.epoch.next_epoch_height = 100;
    state.quorums.insert(
        2,
        Quorum {
            epoch: 2,
            seed: vec![3; 32],
            members: vec![member()],
            ..Default::default()
        },
    );
    state.operators.insert(
        OPERATOR.into(),
        DaOperator {
            address: OPERATOR.into(),
            bls_public_key: bls_key().public_key().to_vec(),
            ..Default::default()
        },
    );
    Arc::new(MemoryChain::new(state))
}

fn watcher(chain: &Arc<MemoryChain>, store: &Arc<ShardStore>, tx: &Arc<Recorder>) -> Watcher {
    let chain: Arc<dyn ChainView> = chain.clone();
    let tx: Arc<dyn TxSender> = tx.clone();
    Watcher::new(
        chain,
        store.clone(),
        tx,
        OPERATOR.into(),
        bls_key(),
        CHAIN_ID.into(),
        Duration::from_millis(10),
    )
}

/// Stores shards 0..4 of a blob and opens a challenge on each (ids 1..=4).
fn challenged(chain: &MemoryChain, store: &ShardStore) -> anyhow::Result<()> {
    let encoded = encode_blob(
        &CpuCoder::default(),
        0,
        &[5u8; 9_000],
        ErasureParams { k: 2, m: 2 },
    )?;
    let paths = encoded.commitment.all_shard_paths();
    let c = encoded.blob_ref.commitment;
    for (i, (shard, path)) in encoded.shards.iter().zip(&paths).enumerate() {
        store.put(&c, i as u32, shard, path, 500)?;
    }
    chain.with(|s| {
        for i in 0..4u32 {
            s.challenges.push(Challenge {
                id: u64::from(i) + 1,
                commitment: c.to_vec(),
                shard_index: i,
                segment_index: i % 2,
                operator: OPERATOR.into(),
                deadline_height: 60,
                status: ChallengeStatus::Open as i32,
                ..Default::default()
            });
        }
    });
    Ok(())
}

#[tokio::test]
async fn open_challenges_are_answered_in_one_transaction_and_never_twice() -> anyhow::Result<()> {
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    challenged(&chain, &store)?;
    let tx = Recorder::new(chain.clone());
    let w = watcher(&chain, &store, &tx);
    assert!(w.poll().await);
    assert!(w.poll().await);
    assert_eq!(tx.answers(), vec![vec![1, 2, 3, 4]]);
    Ok(())
}

#[tokio::test]
async fn a_refused_batch_is_resent_one_answer_at_a_time_and_the_bad_one_waits() -> anyhow::Result<()>
{
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    challenged(&chain, &store)?;
    let tx = Recorder::new(chain.clone());
    if let Ok(mut r) = tx.refuse.lock() {
        r.insert(3);
    }
    let w = watcher(&chain, &store, &tx);
    assert!(w.poll().await);
    assert_eq!(
        tx.answers(),
        vec![vec![1, 2, 3, 4], vec![1], vec![2], vec![3], vec![4]]
    );
    // At the same height the refused answer is not sent again...
    assert!(w.poll().await);
    assert_eq!(tx.answers().len(), 5);
    // ...a few blocks later it is (the refusal may have been transient).
    chain.with(|s| s.epoch.height += 5);
    assert!(w.poll().await);
    assert_eq!(tx.answers().last(), Some(&vec![3]));
    Ok(())
}

#[tokio::test]
async fn challenges_past_their_deadline_are_not_answered() -> anyhow::Result<()> {
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    challenged(&chain, &store)?;
    chain.with(|s| s.epoch.height = 60);
    let tx = Recorder::new(chain.clone());
    assert!(watcher(&chain, &store, &tx).poll().await);
    assert!(tx.answers().is_empty());
    Ok(())
}

#[tokio::test]
async fn the_epoch_randomness_is_sent_once_per_epoch_even_across_restarts() -> anyhow::Result<()> {
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    let tx = Recorder::new(chain.clone());
    assert!(watcher(&chain, &store, &tx).poll().await);
    let sent = tx.randomness();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].epoch, sent[0].operator.as_str()), (2, OPERATOR));
    bls::verify(
        &bls_key().public_key(),
        &randomness_message(CHAIN_ID, 3, &[3; 32]),
        &sent[0].output,
    )?;

    // A restarted watcher on the same store does not send it again.
    let again = watcher(&chain, &store, &tx);
    assert!(again.poll().await);
    assert_eq!(tx.randomness().len(), 1);

    // The next epoch it does.
    chain.with(|s| {
        s.epoch.epoch = 3;
        s.epoch.height = 100;
        s.epoch.next_epoch_height = 150;
        s.quorums.insert(
            3,
            Quorum {
                epoch: 3,
                seed: vec![4; 32],
                members: vec![member()],
                ..Default::default()
            },
        );
    });
    assert!(again.poll().await);
    assert_eq!(tx.randomness().len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_jailed_operator_sends_no_randomness_and_none_is_sent_at_an_epochs_very_end(
) -> anyhow::Result<()> {
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    let tx = Recorder::new(chain.clone());
    chain.with(|s| s.epoch.height = 98);
    assert!(watcher(&chain, &store, &tx).poll().await);
    chain.with(|s| {
        s.epoch.height = 50;
        if let Some(op) = s.operators.get_mut(OPERATOR) {
            op.jailed = true;
        }
    });
    assert!(watcher(&chain, &store, &tx).poll().await);
    assert!(tx.randomness().is_empty());
    Ok(())
}

#[tokio::test]
async fn shards_of_blobs_past_their_expiry_are_pruned() -> anyhow::Result<()> {
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    store.put(&[1; 32], 0, &[1; 64], &[], 50)?;
    store.put(&[2; 32], 0, &[2; 64], &[], 51)?;
    let tx = Recorder::new(chain.clone());
    let w = watcher(&chain, &store, &tx);
    assert!(w.poll().await);
    assert!(store.get(&[1; 32], 0)?.is_none());
    assert!(store.get(&[2; 32], 0)?.is_some());
    chain.with(|s| s.epoch.height = 51);
    assert_eq!(w.prune().await?, 1);
    assert_eq!(store.stats()?, (0, 0));
    Ok(())
}

#[tokio::test]
async fn the_watcher_backs_off_while_the_chain_fails_and_recovers_after() -> anyhow::Result<()> {
    let chain = chain();
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    challenged(&chain, &store)?;
    let tx = Recorder::new(chain.clone());
    let w = watcher(&chain, &store, &tx);
    chain.with(|s| s.down = Some("connection refused".into()));
    assert!(!w.poll().await);
    assert!(!w.poll().await);
    assert_eq!(w.pause().await, Duration::from_millis(40));
    chain.with(|s| s.down = None);
    if let Ok(mut d) = tx.down.lock() {
        *d = true;
    }
    assert!(!w.poll().await, "a transaction that could not be sent");
    assert!(tx.answers().is_empty());
    if let Ok(mut d) = tx.down.lock() {
        *d = false;
    }
    assert!(w.poll().await);
    assert_eq!(w.pause().await, Duration::from_millis(10));
    assert_eq!(tx.answers(), vec![vec![1, 2, 3, 4]]);
    assert_eq!(tx.randomness().len(), 1);
    Ok(())
}

#[tokio::test]
async fn an_operator_outside_the_epochs_quorum_sends_no_randomness() -> anyhow::Result<()> {
    let chain = chain();
    chain.with(|s| {
        if let Some(q) = s.quorums.get_mut(&2) {
            q.members.clear();
        }
    });
    let dir = tempfile::tempdir()?;
    let store = Arc::new(ShardStore::open(dir.path())?);
    let tx = Recorder::new(chain.clone());
    assert!(watcher(&chain, &store, &tx).poll().await);
    assert!(
        tx.randomness().is_empty(),
        "the chain would refuse it (da 20)"
    );
    Ok(())
}
