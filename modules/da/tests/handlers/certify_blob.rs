//! `MsgCertifyBlob`: an aggregate signature of enough quorum members (shards and bond)
//! marks a pending blob available and adds it to the challenge pool, emitting
//! `EventBlobCertified`; every refusal leaves state as it was.

use kaizen_da_core::assignment::availability_message;
use kaizen_da_module::{events::EventBlobCertified, CertifyBlob, DaRead};
use kaizen_framework::{
    bls::{aggregate_signatures, BlsKey},
    GasMeter, HandlerError,
};
use kaizen_proto::kaizen::da::v1::{BlobStatus, MsgCertifyBlob};

use crate::setup::{
    alice, blob_of, events_of, nobody, pay, TestChain, CERTIFY_WINDOW, CHAIN_ID, OPERATORS,
};

/// A chain with a 4 + 4 blob paid at height 1; its commitment.
async fn paid() -> (TestChain, [u8; 32]) {
    let mut chain = TestChain::new().await;
    let blob = blob_of(10_000, 1);
    chain.ok(&pay(&blob, 100)).await;
    (chain, blob.blob_ref.commitment)
}

#[tokio::test]
async fn a_certificate_of_enough_members_marks_the_blob_available() {
    let (mut chain, commitment) = paid().await;
    chain.height = 2;
    let cert = chain.certificate(commitment, &[0, 1, 2]).await;
    let events = chain.ok(&cert).await;

    let blob = chain.blob(&commitment).await.unwrap();
    assert_eq!(blob.status, BlobStatus::Available as i32);
    assert_eq!(blob.certified_height, 2);
    assert_eq!(blob.signer_bitmap, vec![0b0111]);
    let gas = GasMeter::unlimited();
    assert_eq!(chain.state.live_count(&gas).await.unwrap(), 1);
    assert_eq!(
        chain.state.live_at(&gas, 0).await.unwrap(),
        Some(commitment.to_vec())
    );
    let certified = events_of::<EventBlobCertified>(&events);
    assert_eq!(certified.len(), 1);
    assert_eq!(certified[0].commitment, hex::encode(commitment));
    // 8 shards over 4 members: 2 each.
    assert_eq!((certified[0].signers, certified[0].shards_held), (3, 6));
}

#[test]
fn a_certificate_with_a_short_commitment_does_not_parse() {
    let msg = MsgCertifyBlob {
        submitter: alice().to_string(),
        commitment: vec![0; 31],
        signer_bitmap: vec![1],
        aggregate_signature: vec![0; 96],
    };
    let err: HandlerError = CertifyBlob::try_from(&msg).unwrap_err();
    assert_eq!((err.codespace, err.code), ("da", 2));
}

#[tokio::test]
async fn a_certificate_with_no_bitmap_a_huge_one_or_a_short_signature_is_refused_before_state() {
    let (mut chain, commitment) = paid().await;
    let good = chain.certificate(commitment, &[0, 1, 2]).await;
    let no_bitmap = CertifyBlob {
        signer_bitmap: vec![],
        ..good.clone()
    };
    assert_eq!(chain.refused(&no_bitmap).await, ("da", 9));
    let huge = CertifyBlob {
        signer_bitmap: vec![0xff; 129],
        ..good.clone()
    };
    assert_eq!(chain.refused(&huge).await, ("da", 9));
    let mut short = good;
    short.aggregate_signature.pop();
    assert_eq!(chain.refused(&short).await, ("da", 12));
}

#[tokio::test]
async fn a_certificate_of_an_unpaid_blob_is_refused_and_changes_nothing() {
    let (mut chain, commitment) = paid().await;
    let mut unknown = chain.certificate(commitment, &[0, 1, 2]).await;
    unknown.commitment = [7; 32];
    assert_eq!(chain.refused(&unknown).await, ("da", 6));
}

#[tokio::test]
async fn a_second_certificate_is_refused_and_changes_nothing() {
    let (mut chain, commitment) = paid().await;
    let cert = chain.certificate(commitment, &[0, 1, 2]).await;
    chain.ok(&cert).await;
    assert_eq!(chain.refused(&cert).await, ("da", 7));
}

#[tokio::test]
async fn a_certificate_after_the_window_is_refused_and_changes_nothing() {
    let (mut chain, commitment) = paid().await;
    let cert = chain.certificate(commitment, &[0, 1, 2]).await;
    chain.height = 1 + CERTIFY_WINDOW + 1;
    assert_eq!(chain.refused(&cert).await, ("da", 8));
    // The deadline itself is still in time.
    chain.height = 1 + CERTIFY_WINDOW;
    chain.ok(&cert).await;
}

#[tokio::test]
async fn a_bitmap_of_the_wrong_length_no_signers_or_a_bit_past_the_quorum_is_refused() {
    let (mut chain, commitment) = paid().await;
    let good = chain.certificate(commitment, &[0, 1, 2]).await;
    let mut long = good.clone();
    long.signer_bitmap.push(0);
    assert_eq!(chain.refused(&long).await, ("da", 9));
    let none = CertifyBlob {
        signer_bitmap: vec![0],
        ..good.clone()
    };
    assert_eq!(chain.refused(&none).await, ("da", 9));
    let mut beyond = good;
    beyond.signer_bitmap[0] |= 1 << OPERATORS;
    assert_eq!(chain.refused(&beyond).await, ("da", 9));
}

#[tokio::test]
async fn signers_holding_too_few_shards_are_refused_and_change_nothing() {
    let (mut chain, commitment) = paid().await;
    // One member holds 2 of the 4 shards needed.
    let one = chain.certificate(commitment, &[0]).await;
    assert_eq!(chain.refused(&one).await, ("da", 10));
}

#[tokio::test]
async fn signers_holding_too_little_bond_are_refused_and_change_nothing() {
    let (mut chain, commitment) = paid().await;
    // Two members hold the 4 shards needed, but half the bond is under two thirds.
    let two = chain.certificate(commitment, &[0, 1]).await;
    assert_eq!(chain.refused(&two).await, ("da", 11));
}

#[tokio::test]
async fn a_forged_or_incomplete_aggregate_is_refused_and_changes_nothing() {
    let (mut chain, commitment) = paid().await;
    let paid_height = chain.blob(&commitment).await.expect("paid").paid_height;
    let message = availability_message(CHAIN_ID, &commitment, 0, paid_height);
    // An impostor signs in member 2's place.
    let honest = chain.certificate(commitment, &[0, 1]).await;
    let impostor = BlsKey::from_seed(b"da handler tests, an impostor's BLS key")
        .unwrap()
        .sign(&message);
    let mut forged = chain.certificate(commitment, &[0, 1, 2]).await;
    forged.aggregate_signature =
        aggregate_signatures(&[honest.aggregate_signature.as_slice(), impostor.as_slice()])
            .unwrap()
            .to_vec();
    assert_eq!(chain.refused(&forged).await, ("da", 12));
    // The bitmap claims a signer whose signature is missing.
    let mut claims_more = chain.certificate(commitment, &[0, 1, 2]).await;
    claims_more.signer_bitmap[0] |= 1 << 3;
    assert_eq!(chain.refused(&claims_more).await, ("da", 12));
}

/// Issue 15, item 4: a certificate's pairing used to run for anyone, in CheckTx too,
/// where a refusal costs nothing. Only the blob's payer or a member of its quorum may
/// certify now, and a stranger is refused before the pairing (within less gas than the
/// pairing alone costs).
#[tokio::test]
async fn only_the_payer_or_a_quorum_member_may_certify_and_a_stranger_is_refused_before_the_pairing(
) {
    let (mut chain, commitment) = paid().await;
    let honest = chain.certificate(commitment, &[0, 1, 2]).await;
    let by_stranger = CertifyBlob {
        submitter: nobody(),
        ..honest.clone()
    };
    let pairing = GasMeter::unlimited().schedule().bls_pairing;
    assert_eq!(
        chain.refused_with(&by_stranger, pairing, true).await,
        ("da", 21)
    );
    let blob = chain.blob(&commitment).await.expect("paid");
    let member = chain.quorum(blob.epoch).await.members[3]
        .operator
        .parse()
        .expect("an address");
    let by_member = CertifyBlob {
        submitter: member,
        ..honest
    };
    chain.ok(&by_member).await;
    assert_eq!(
        chain.blob(&commitment).await.expect("paid").status,
        BlobStatus::Available as i32
    );
}
