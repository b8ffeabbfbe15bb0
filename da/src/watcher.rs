//! The DA node's duties on chain, done by itself: answering storage challenges, sending
//! its epoch randomness, and pruning shards of expired blobs.

// Node code, not consensus code: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{sync::Arc, time::Duration};

use cosmrs::{crypto::secp256k1::SigningKey, proto::Any};
use kaizen_client::{
    tx::{broadcast, Gas, TxOptions},
    Endpoints,
};
use kaizen_framework::{bls::BlsKey, Address};
use kaizen_proto::kaizen::da::v1::{Challenge, MsgAnswerChallenge, MsgSubmitRandomness};
use prost::{Message, Name};

use crate::{
    assignment::randomness_message, chain::ChainView, commitment::segment_path, store::ShardStore,
    SEGMENT_BYTES,
};

pub struct Watcher {
    pub chain: Arc<dyn ChainView>,
    pub store: Arc<ShardStore>,
    pub endpoints: Endpoints,
    pub account_key: SigningKey,
    pub operator: Address,
    pub bls: BlsKey,
    pub chain_id: String,
    pub interval: Duration,
}

fn any<T: Message + Name>(msg: &T) -> Any {
    Any {
        type_url: T::type_url(),
        value: msg.encode_to_vec(),
    }
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

impl Watcher {
    async fn send(&self, msgs: Vec<Any>, what: &str) {
        let opts = TxOptions {
            gas: Gas::Auto {
                adjustment_percent: 150,
            },
            fees: None,
            memo: String::new(),
            wait: true,
        };
        match broadcast(
            &self.endpoints,
            &self.account_key,
            &self.operator,
            msgs,
            &opts,
        )
        .await
        {
            Ok(r) if r.code == 0 => tracing::info!(what, height = r.height, "sent"),
            Ok(r) => tracing::warn!(what, code = r.code, log = %r.raw_log, "refused in the block"),
            Err(e) => tracing::warn!(what, error = %e, "not sent"),
        }
    }

    async fn answer_challenges(&self) -> anyhow::Result<()> {
        let open = self.chain.challenges(&self.operator.to_string()).await?;
        if open.is_empty() {
            return Ok(());
        }
        let mut msgs = Vec::new();
        for c in &open {
            let store = self.store.clone();
            let operator = self.operator.to_string();
            let c2 = c.clone();
            match tokio::task::spawn_blocking(move || answer(&store, &operator, &c2)).await? {
                Ok(Some(m)) => msgs.push(any(&m)),
                Ok(None) => {
                    tracing::warn!(id = c.id, "challenged for a shard this node does not hold")
                }
                Err(e) => tracing::warn!(id = c.id, error = %e, "reading the challenged shard"),
            }
        }
        if !msgs.is_empty() {
            self.send(msgs, "challenge answers").await;
        }
        Ok(())
    }

    async fn submit_randomness(&self, last_epoch: &mut Option<u64>) -> anyhow::Result<()> {
        let epoch = self.chain.epoch().await?;
        if *last_epoch == Some(epoch.epoch) {
            return Ok(());
        }
        match self.chain.operator(&self.operator.to_string()).await? {
            Some(op) if !op.jailed => {}
            _ => return Ok(()),
        }
        let Some(quorum) = self.chain.quorum(epoch.epoch).await? else {
            return Ok(());
        };
        // Too close to the epoch's end, the tx would land in the next one.
        if epoch.next_epoch_height.saturating_sub(epoch.height) < 3 {
            return Ok(());
        }
        let output = self.bls.sign(&randomness_message(
            &self.chain_id,
            epoch.epoch.saturating_add(1),
            &quorum.seed,
        ));
        self.send(
            vec![any(&MsgSubmitRandomness {
                operator: self.operator.to_string(),
                epoch: epoch.epoch,
                output: output.to_vec(),
            })],
            "epoch randomness",
        )
        .await;
        *last_epoch = Some(epoch.epoch);
        Ok(())
    }

    async fn prune(&self) -> anyhow::Result<()> {
        let height = self.chain.epoch().await?.height;
        let store = self.store.clone();
        let pruned = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
            let mut n = 0;
            for (expires, commitment) in store.expired(height, 64)? {
                let shards = store.delete_blob(expires, &commitment)?;
                tracing::info!(commitment = %hex::encode(&commitment), shards, "pruned an expired blob");
                n += shards;
            }
            Ok(n)
        })
        .await??;
        let _ = pruned;
        Ok(())
    }

    /// Runs until the task is dropped; every error is logged and retried.
    pub async fn run(self) {
        let mut last_epoch = None;
        loop {
            if let Err(e) = self.answer_challenges().await {
                tracing::warn!(error = %e, "challenges");
            }
            if let Err(e) = self.submit_randomness(&mut last_epoch).await {
                tracing::warn!(error = %e, "randomness");
            }
            if let Err(e) = self.prune().await {
                tracing::warn!(error = %e, "pruning");
            }
            tokio::time::sleep(self.interval).await;
        }
    }
}
