//! The DA node's duties on chain, done by itself: answering storage challenges, sending
//! its epoch randomness, and pruning shards of expired blobs.

// Node code, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    time::Duration,
};

use async_trait::async_trait;
use cosmrs::{crypto::secp256k1::SigningKey, proto::Any};
use kaizen_client::{
    tx::{broadcast, TxOptions},
    Endpoints,
};
use kaizen_framework::any;
use kaizen_framework::{bls::BlsKey, Address};
use kaizen_proto::kaizen::da::v1::{Challenge, MsgAnswerChallenge, MsgSubmitRandomness};

use kaizen_da_client::chain::ChainView;
use kaizen_da_core::{assignment::randomness_message, commitment::segment_path, SEGMENT_BYTES};

use crate::store::ShardStore;

/// How a transaction went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Landed,
    /// Refused, in the block, by the simulation or by CheckTx (logged).
    Refused,
}

/// How the watcher sends the operator's transactions; a trait so that tests can record
/// them instead.
#[async_trait]
pub trait TxSender: Send + Sync {
    /// Sends `msgs` in one transaction and waits for its block. `Err` means it may not
    /// have reached the chain (worth retrying); `Ok(Sent::Refused)` that the chain said no.
    async fn send(&self, msgs: Vec<Any>, what: &str) -> anyhow::Result<Sent>;
}

/// Sends through kaizend with the operator's account key (`kaizen-client`).
pub struct ClientSender {
    pub endpoints: Endpoints,
    pub account_key: SigningKey,
    pub address: Address,
}

pub struct Watcher {
    pub chain: Arc<dyn ChainView>,
    pub store: Arc<ShardStore>,
    pub tx: Arc<dyn TxSender>,
    /// The operator's account address (bech32).
    pub operator: String,
    pub bls: BlsKey,
    pub chain_id: String,
    pub interval: Duration,
    memory: tokio::sync::Mutex<Memory>,
}

/// The answer to a challenge from the stored shard, if this node has it.
pub fn answer(
    store: &ShardStore,
    operator: &str,
    c: &Challenge,
) -> anyhow::Result<Option<MsgAnswerChallenge>> {
    let Some((shard, path)) = store.get(&c.commitment, c.shard_index)? else {
        return Ok(None);
    };
    // The segment's path inside the shard; the shard's path was kept when it was stored.
    let Some(segment_path) = segment_path(&shard, c.segment_index as usize) else {
        return Ok(None);
    };
    let start = c.segment_index as usize * SEGMENT_BYTES;
    let end = (start + SEGMENT_BYTES).min(shard.len());
    Ok(Some(MsgAnswerChallenge {
        operator: operator.to_string(),
        challenge_id: c.id,
        segment: shard[start..end].to_vec(),
        segment_path: segment_path.iter().map(|h| h.to_vec()).collect(),
        shard_path: path.iter().map(|h| h.to_vec()).collect(),
    }))
}

/// Where the last epoch randomness this node sent is remembered (in the shard store, so
/// a restarted node does not send it twice).
const RANDOMNESS_EPOCH_META: &str = "randomness_epoch";
/// Blocks before an answer the chain refused is tried again.
const REFUSED_RETRY_BLOCKS: u64 = 5;
/// Longest pause between polls after repeated chain errors.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the watcher remembers between polls.
#[derive(Default)]
struct Memory {
    /// Challenges whose answer the chain refused, with the height it did: they are sent
    /// again only [`REFUSED_RETRY_BLOCKS`] later (the refusal may have been transient).
    refused: BTreeMap<u64, u64>,
    /// Consecutive polls that met a chain error.
    errors: u32,
}

#[async_trait]
impl TxSender for ClientSender {
    async fn send(&self, msgs: Vec<Any>, what: &str) -> anyhow::Result<Sent> {
        let opts = TxOptions::standard();
        match broadcast(
            &self.endpoints,
            &self.account_key,
            &self.address,
            msgs,
            &opts,
        )
        .await
        {
            Ok(r) if r.code == 0 => {
                tracing::info!(what, height = r.height, "sent");
                Ok(Sent::Landed)
            }
            Ok(r) => {
                tracing::warn!(what, code = r.code, log = %r.raw_log, "refused in the block");
                Ok(Sent::Refused)
            }
            // The chain refusing the message; anything else (connection, timeout) is
            // returned as an error and retried at the next poll.
            Err(e)
                if ["simulation refused", "node refused"]
                    .iter()
                    .any(|s| format!("{e:#}").contains(s)) =>
            {
                tracing::warn!(what, error = %format!("{e:#}"), "refused");
                Ok(Sent::Refused)
            }
            Err(e) => Err(e.context(format!("sending {what}"))),
        }
    }
}

impl Watcher {
    pub fn new(
        chain: Arc<dyn ChainView>,
        store: Arc<ShardStore>,
        tx: Arc<dyn TxSender>,
        operator: String,
        bls: BlsKey,
        chain_id: String,
        interval: Duration,
    ) -> Self {
        Self {
            chain,
            store,
            tx,
            operator,
            bls,
            chain_id,
            interval,
            memory: tokio::sync::Mutex::new(Memory::default()),
        }
    }

    /// Answers every open challenge addressed to this node that it can answer, in one
    /// transaction; if the chain refuses the batch, one by one, and a refused answer is
    /// not sent again. The open list is read from the chain right before sending, so an
    /// answer that landed is never sent twice.
    async fn answer_challenges(&self, memory: &mut Memory) -> anyhow::Result<()> {
        let open = self.chain.challenges(&self.operator).await?;
        if open.is_empty() {
            return Ok(());
        }
        let height = self.chain.epoch().await?.height;
        let mut answers = Vec::new();
        for c in open {
            let recently_refused = memory
                .refused
                .get(&c.id)
                .is_some_and(|&at| height < at.saturating_add(REFUSED_RETRY_BLOCKS));
            if recently_refused || c.deadline_height <= height {
                continue;
            }
            let store = self.store.clone();
            let operator = self.operator.clone();
            let c2 = c.clone();
            match tokio::task::spawn_blocking(move || answer(&store, &operator, &c2)).await? {
                Ok(Some(m)) => answers.push((c.id, any(&m))),
                Ok(None) => {
                    tracing::warn!(id = c.id, "challenged for a shard this node does not hold");
                    memory.refused.insert(c.id, height);
                }
                Err(e) => tracing::warn!(id = c.id, error = %e, "reading the challenged shard"),
            }
        }
        if answers.is_empty() {
            return Ok(());
        }
        let ids: Vec<u64> = answers.iter().map(|(id, _)| *id).collect();
        tracing::info!(?ids, "answering storage challenges");
        let batch = answers.iter().map(|(_, m)| m.clone()).collect();
        match self.tx.send(batch, "challenge answers").await? {
            Sent::Landed => return Ok(()),
            Sent::Refused if answers.len() == 1 => {
                memory.refused.insert(ids[0], height);
                return Ok(());
            }
            Sent::Refused => {}
        }
        // One bad answer sinks the batch: send them one at a time, each re-checked.
        let still_open: BTreeSet<u64> = self
            .chain
            .challenges(&self.operator)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        for (id, msg) in answers {
            if !still_open.contains(&id) {
                continue;
            }
            if let Sent::Refused = self.tx.send(vec![msg], "challenge answer").await? {
                memory.refused.insert(id, height);
            }
        }
        Ok(())
    }

    /// Sends this operator's randomness output once per epoch (remembered in the store).
    async fn submit_randomness(&self) -> anyhow::Result<()> {
        let epoch = self.chain.epoch().await?;
        let store = self.store.clone();
        let last = tokio::task::spawn_blocking(move || store.get_meta(RANDOMNESS_EPOCH_META))
            .await??
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map(u64::from_be_bytes);
        if last.is_some_and(|l| l >= epoch.epoch) {
            return Ok(());
        }
        match self.chain.operator(&self.operator).await? {
            Some(op) if !op.jailed => {}
            _ => return Ok(()),
        }
        let Some(quorum) = self.chain.quorum(epoch.epoch).await? else {
            return Ok(());
        };
        // Only the epoch's quorum members contribute to the next seed (the chain refuses
        // others); an operator outside it waits for an epoch whose quorum has it.
        if !quorum.members.iter().any(|m| m.operator == self.operator) {
            return Ok(());
        }
        // Too close to the epoch's end, the tx would land in the next one.
        if epoch.next_epoch_height.saturating_sub(epoch.height) < 3 {
            return Ok(());
        }
        let output = self.bls.sign(&randomness_message(
            &self.chain_id,
            epoch.epoch.saturating_add(1),
            &quorum.seed,
        ));
        // Landed or refused (e.g. already sent before a crash): either way this epoch is
        // done; a transport error is retried at the next poll.
        self.tx
            .send(
                vec![any(&MsgSubmitRandomness {
                    operator: self.operator.clone(),
                    epoch: epoch.epoch,
                    output: output.to_vec(),
                })],
                "epoch randomness",
            )
            .await?;
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            store.put_meta(RANDOMNESS_EPOCH_META, &epoch.epoch.to_be_bytes())
        })
        .await??;
        Ok(())
    }

    /// Deletes the shards of blobs whose `expires_height` is at or below the chain's
    /// height. Returns the shards deleted.
    pub async fn prune(&self) -> anyhow::Result<u64> {
        let height = self.chain.epoch().await?.height;
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || prune_store(&store, height)).await?
    }

    /// One poll: challenges, randomness, pruning. Returns whether every step worked.
    pub async fn poll(&self) -> bool {
        let mut memory = self.memory.lock().await;
        let mut ok = true;
        if let Err(e) = self.answer_challenges(&mut memory).await {
            tracing::warn!(error = %format!("{e:#}"), "challenges");
            ok = false;
        }
        if let Err(e) = self.submit_randomness().await {
            tracing::warn!(error = %format!("{e:#}"), "randomness");
            ok = false;
        }
        if let Err(e) = self.prune().await {
            tracing::warn!(error = %format!("{e:#}"), "pruning");
            ok = false;
        }
        if ok {
            memory.errors = 0;
        } else {
            memory.errors = memory.errors.saturating_add(1);
        }
        // Challenge ids only grow; forget the oldest refusals.
        while memory.refused.len() > 10_000 {
            memory.refused.pop_first();
        }
        ok
    }

    /// The pause before the next poll: the interval, doubled per failed poll in a row up
    /// to [`MAX_BACKOFF`].
    pub async fn pause(&self) -> Duration {
        let errors = self.memory.lock().await.errors;
        self.interval
            .saturating_mul(1 << errors.min(6))
            .min(MAX_BACKOFF.max(self.interval))
    }

    /// Runs until the task is dropped; every error is logged, and polls back off
    /// (doubling up to [`MAX_BACKOFF`]) while the chain keeps failing.
    pub async fn run(self) {
        loop {
            self.poll().await;
            tokio::time::sleep(self.pause().await).await;
        }
    }
}

/// Deletes the shards of every blob expiring at or before `height`; logs each blob.
pub fn prune_store(store: &ShardStore, height: u64) -> anyhow::Result<u64> {
    let mut n = 0;
    loop {
        let due = store.expired(height, 64)?;
        if due.is_empty() {
            return Ok(n);
        }
        for (expires, commitment) in due {
            let shards = store.delete_blob(expires, &commitment)?;
            tracing::info!(
                commitment = %hex::encode(&commitment),
                expires_height = expires,
                height,
                shards,
                "pruned an expired blob"
            );
            n += shards;
        }
    }
}
