//! `MsgPayForBlob`: the fee moves to the DA pool, the blob is recorded pending for the
//! current epoch's quorum with its expiry queued, `EventBlobPaid` is emitted; every
//! refusal leaves state as it was.

use kaizen_da_module::{da_pool, events::EventBlobPaid, state_key, PayForBlob};
use kaizen_framework::{HandlerError, NATIVE_DENOM};
use kaizen_proto::kaizen::da::v1::{BlobStatus, MsgPayForBlob};

use crate::setup::{
    alice, blob_of, events_of, nobody, pay, TestChain, ALICE_UKZN, CERTIFY_WINDOW, EPOCH_BLOCKS,
    GAS_LIMIT, MAX_BLOB_BYTES, MAX_SHARDS, MIN_RETENTION,
};

#[tokio::test]
async fn a_payment_moves_the_fee_to_the_pool_and_records_a_pending_blob() {
    let mut chain = TestChain::new().await;
    chain.height = 3;
    let blob = blob_of(10_000, 1);
    let events = chain.ok(&pay(&blob, 100)).await;

    // 1000 base + ceil(10 000 bytes * 100 blocks * 1 micro / 10^6).
    let fee = 1_000 + 1;
    let record = chain
        .blob(&blob.blob_ref.commitment)
        .await
        .expect("the blob is recorded");
    assert_eq!(record.status, BlobStatus::Pending as i32);
    assert_eq!(record.fee, fee.to_string());
    assert_eq!(record.payer, alice().to_string());
    assert_eq!(
        (record.size, record.original_shards, record.recovery_shards),
        (10_000, 4, 4)
    );
    assert_eq!(record.epoch, 0);
    assert_eq!(record.paid_height, 3);
    assert_eq!(record.certify_deadline_height, 3 + CERTIFY_WINDOW);
    assert_eq!(record.expires_height, 103);
    assert_eq!(
        chain.balance(&alice(), NATIVE_DENOM).await,
        ALICE_UKZN - fee
    );
    assert_eq!(chain.balance(&da_pool(), NATIVE_DENOM).await, fee);
    let expiry = state_key::expiry(103, &blob.blob_ref.commitment);
    assert!(chain.dump().await.iter().any(|(k, _)| *k == expiry));

    let paid = events_of::<EventBlobPaid>(&events);
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].commitment, hex::encode(blob.blob_ref.commitment));
    assert_eq!(paid[0].payer, alice().to_string());
    assert_eq!(
        (paid[0].size, paid[0].epoch, paid[0].expires_height),
        (10_000, 0, 103)
    );
    assert_eq!(paid[0].fee, fee.to_string());
}

#[test]
fn a_payment_with_a_short_commitment_or_an_unknown_codec_does_not_parse() {
    let blob = blob_of(1_000, 2);
    let good = MsgPayForBlob {
        payer: alice().to_string(),
        commitment: blob.blob_ref.commitment.to_vec(),
        size: 1_000,
        original_shards: 4,
        recovery_shards: 4,
        codec: blob.blob_ref.codec.clone(),
        retention_blocks: 10,
        max_fee: "5000".into(),
    };
    let code = |m: &MsgPayForBlob| {
        PayForBlob::try_from(m)
            .map(|_| ())
            .map_err(|e: HandlerError| (e.codespace, e.code))
    };
    assert_eq!(code(&good), Ok(()));
    let short = MsgPayForBlob {
        commitment: vec![1; 31],
        ..good.clone()
    };
    assert_eq!(code(&short), Err(("da", 2)));
    let zstd = MsgPayForBlob {
        codec: "zstd".into(),
        ..good.clone()
    };
    assert_eq!(code(&zstd), Err(("da", 2)));
    let bad_fee = MsgPayForBlob {
        max_fee: "-1".into(),
        ..good
    };
    assert_eq!(code(&bad_fee), Err(("sdk", 10)));
}

#[tokio::test]
async fn a_payment_of_no_bytes_a_bad_shape_or_no_retention_is_refused_before_state() {
    let mut chain = TestChain::new().await;
    let blob = blob_of(1_000, 2);
    let empty = PayForBlob {
        size: 0,
        ..pay(&blob, 10)
    };
    assert_eq!(chain.refused(&empty).await, ("da", 2));
    let no_originals = PayForBlob {
        original_shards: 0,
        ..pay(&blob, 10)
    };
    assert_eq!(chain.refused(&no_originals).await, ("da", 2));
    let no_retention = pay(&blob, 0);
    assert_eq!(chain.refused(&no_retention).await, ("da", 2));
}

#[tokio::test]
async fn a_payment_past_the_chains_size_shard_or_retention_limits_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let blob = blob_of(1_000, 3);
    let too_big = PayForBlob {
        size: MAX_BLOB_BYTES + 1,
        ..pay(&blob, 10)
    };
    assert_eq!(
        chain.refused_with(&too_big, GAS_LIMIT, false).await,
        ("da", 2)
    );
    let too_many_shards = PayForBlob {
        original_shards: MAX_SHARDS / 2,
        recovery_shards: MAX_SHARDS / 2 + 1,
        ..pay(&blob, 10)
    };
    assert_eq!(
        chain.refused_with(&too_many_shards, GAS_LIMIT, false).await,
        ("da", 2)
    );
    let too_short = pay(&blob, MIN_RETENTION - 1);
    assert_eq!(
        chain.refused_with(&too_short, GAS_LIMIT, false).await,
        ("da", 2)
    );
    let too_long = pay(&blob, 10_001);
    assert_eq!(
        chain.refused_with(&too_long, GAS_LIMIT, false).await,
        ("da", 2)
    );
}

#[tokio::test]
async fn a_second_payment_for_a_live_blob_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let blob = blob_of(1_000, 4);
    chain.ok(&pay(&blob, 10)).await;
    assert_eq!(chain.refused(&pay(&blob, 20)).await, ("da", 3));
}

#[tokio::test]
async fn an_uncertified_payment_is_replaceable_only_after_its_certify_deadline() {
    let mut chain = TestChain::new().await;
    let blob = blob_of(1_000, 5);
    chain.ok(&pay(&blob, 10_000)).await;
    let first = chain.blob(&blob.blob_ref.commitment).await.expect("paid");
    // Every block's hooks run on the way (each epoch gets its quorum).
    for height in chain.height + 1..=first.certify_deadline_height {
        chain.begin_block(height).await;
    }
    // At the deadline a certificate is still accepted: the payment stands.
    assert_eq!(chain.refused(&pay(&blob, 20)).await, ("da", 3));
    // One block later nothing can certify it: a new payment replaces it.
    chain.begin_block(first.certify_deadline_height + 1).await;
    chain.ok(&pay(&blob, 20)).await;
    let second = chain.blob(&blob.blob_ref.commitment).await.expect("paid");
    assert_eq!(second.paid_height, first.certify_deadline_height + 1);
    assert_eq!(second.status, BlobStatus::Pending as i32);
}

#[tokio::test]
async fn a_fee_above_the_payers_maximum_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let blob = blob_of(1_000, 5);
    let stingy = PayForBlob {
        max_fee: 1_000,
        ..pay(&blob, 10)
    };
    assert_eq!(chain.refused(&stingy).await, ("da", 4));
}

#[tokio::test]
async fn a_payment_in_an_epoch_without_a_quorum_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    // Epoch 1 begins at EPOCH_BLOCKS; its quorum is installed by the begin-block hook,
    // which has not run.
    chain.height = EPOCH_BLOCKS;
    assert_eq!(chain.refused(&pay(&blob_of(1_000, 6), 10)).await, ("da", 5));
}

#[tokio::test]
async fn a_payment_the_payer_cannot_afford_is_refused_and_changes_nothing() {
    let mut chain = TestChain::new().await;
    let broke = PayForBlob {
        payer: nobody(),
        ..pay(&blob_of(1_000, 7), 10)
    };
    assert_eq!(chain.refused(&broke).await, ("bank", 2));
    assert_eq!(
        chain.refused_with(&broke, GAS_LIMIT, false).await,
        ("bank", 2)
    );
}
