//! Parallel signature pre-verification for a block.
//!
//! Signature checks dominate the cost of a block. Before executing transactions one by
//! one, the app verifies every signer's signature in parallel against the account
//! numbers of the block's starting state, and records the ones that verify in the
//! [`SignatureCache`]. The sequential pass then finds them there. This only skips work:
//! the sequential pass still builds each sign doc from the state it runs against, and a
//! cache miss (a new account, a bad signature) verifies in full. So the block's outcome
//! does not depend on this pass, only its speed does.

use cnidarium::StateRead;
use kaizen_auth::{
    signature::sign_doc_bytes, signature::signer_pubkey, AccountRead, SignatureCache,
};
use kaizen_framework::{GasMeter, HandlerError};

use crate::tx::DecodedTx;

struct Job {
    pubkey: Vec<u8>,
    msg: Vec<u8>,
    sig: Vec<u8>,
}

pub async fn preverify_signatures<S: StateRead>(
    state: &S,
    chain_id: &str,
    txs: &[Result<DecodedTx, HandlerError>],
    cache: &SignatureCache,
) {
    let gas = GasMeter::unlimited();
    let mut jobs = Vec::new();
    for tx in txs.iter().flatten() {
        for (i, address) in tx.signers.iter().enumerate() {
            let Ok(Some(account)) = state.account(&gas, address).await else {
                continue;
            };
            let Ok(pubkey) = signer_pubkey(&tx.auth_info.signer_infos[i]) else {
                continue;
            };
            jobs.push(Job {
                pubkey,
                msg: sign_doc_bytes(
                    &tx.body_bytes,
                    &tx.auth_info_bytes,
                    chain_id,
                    account.account_number,
                ),
                sig: tx.signatures[i].clone(),
            });
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if jobs.len() < 16 || threads < 2 {
        return;
    }
    let chunk = jobs.len().div_ceil(threads);
    // Blocks this task for the duration; the threads are scoped, so nothing outlives it.
    std::thread::scope(|scope| {
        for part in jobs.chunks(chunk) {
            scope.spawn(move || {
                for job in part {
                    cache.verify(&job.pubkey, &job.msg, &job.sig);
                }
            });
        }
    });
}
