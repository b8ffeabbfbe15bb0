//! The `staking` and `da` modules through the mock-consensus harness: registrations,
//! pay-for-blob, availability certificates, storage challenges, jailing, randomness and
//! expiry.

mod common;

use common::*;
use cosmrs::proto::Any;
use kaizen_app::{
    genesis::{AppGenesis, GenesisSections},
    harness::{TestKey, TestNode, TEST_CHAIN_ID},
};
use kaizen_da_core::{
    assignment::{availability_message, randomness_message, shard_holder},
    blob::EncodedBlob,
};
use kaizen_framework::any;
use kaizen_framework::bls::aggregate_signatures;
use kaizen_proto::kaizen::{da::v1 as da, staking::v1 as staking};

const EPOCH_BLOCKS: u64 = 10;

fn operators(n: usize) -> Vec<Operator> {
    (0..n)
        .map(|i| Operator::new(&format!("operator{i}"), &format!("operator{i}")))
        .collect()
}

/// A genesis with `ops` registered (bond 1 000 000 each) and `payer` funded.
fn genesis(ops: &[Operator], payer: &TestKey) -> AppGenesis {
    let mut balances: Vec<(&kaizen_framework::Address, u128)> = ops
        .iter()
        .map(|o| (&o.key.address, 50_000_000u128))
        .collect();
    balances.push((&payer.address, 1_000_000_000_000));
    let params = TestParams {
        epoch_blocks: Some(EPOCH_BLOCKS),
        max_consecutive_misses: Some(2),
        operator_jail_blocks: Some(20),
        challenge_window_blocks: Some(3),
        challenges_per_epoch: Some(16),
        min_retention_blocks: Some(5),
        // Operators here send randomness only where a test says so.
        randomness_miss_slash_ppm: Some(0),
        ..Default::default()
    };
    common::genesis(&balances, ops, &[], &params)
}

/// A blob of `size` bytes coded into 4 + 4 shards.
fn blob_of(size: usize, seed: u8) -> EncodedBlob {
    encoded_blob(size, 31, seed, 4, 4)
}

#[tokio::test]
async fn blob_becomes_available_with_a_valid_aggregate_and_not_with_a_forged_or_short_one(
) -> anyhow::Result<()> {
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let blob = blob_of(10_000, 1);
    let before = node.balance(&alice.address).await;
    let r = run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 100))]).await;
    assert_eq!(r.code, 0, "{}", r.log);
    let record = query_blob(&node, &blob.blob_ref.commitment).await;
    assert_eq!(record.status, da::BlobStatus::Pending as i32);
    let fee: u128 = record.fee.parse()?;
    assert_eq!(fee, 1000 + (10_000u128 * 100).div_ceil(1_000_000));
    assert_eq!(node.balance(&alice.address).await, before - fee - 2_000);
    assert_eq!(node.balance(&kaizen_da_module::da_pool()).await, fee);

    let q = query_quorum(&node, record.epoch).await;
    assert_eq!(q.members.len(), 4);

    // A key that is not the member's signs in its place.
    let mut forged = certificate(&alice, &ops, &q, &record, &[0, 1, 2]);
    let impostor = bls_key("impostor").sign(&availability_message(
        TEST_CHAIN_ID,
        &blob.blob_ref.commitment,
        record.epoch,
        record.paid_height,
    ));
    let honest = certificate(&alice, &ops, &q, &record, &[0, 1]);
    forged.aggregate_signature =
        aggregate_signatures(&[honest.aggregate_signature.as_slice(), impostor.as_slice()])?
            .to_vec();
    assert_code(&run(&mut node, &alice, vec![any(&forged)]).await, "da", 12);

    // The bitmap claims a fourth signer whose signature is missing.
    let mut claims_more = certificate(&alice, &ops, &q, &record, &[0, 1, 2]);
    claims_more.signer_bitmap[0] |= 1 << 3;
    assert_code(
        &run(&mut node, &alice, vec![any(&claims_more)]).await,
        "da",
        12,
    );

    // Bits past the quorum, and a bitmap of the wrong length.
    let mut beyond = certificate(&alice, &ops, &q, &record, &[0, 1, 2]);
    beyond.signer_bitmap[0] |= 1 << 6;
    assert_code(&run(&mut node, &alice, vec![any(&beyond)]).await, "da", 9);
    let mut long = certificate(&alice, &ops, &q, &record, &[0, 1, 2]);
    long.signer_bitmap.push(0);
    assert_code(&run(&mut node, &alice, vec![any(&long)]).await, "da", 9);

    // One signer holds 2 of the 4 shards needed; two hold enough shards but half the bond.
    let one = certificate(&alice, &ops, &q, &record, &[0]);
    assert_code(&run(&mut node, &alice, vec![any(&one)]).await, "da", 10);
    let two = certificate(&alice, &ops, &q, &record, &[0, 1]);
    assert_code(&run(&mut node, &alice, vec![any(&two)]).await, "da", 11);
    assert_eq!(
        query_blob(&node, &blob.blob_ref.commitment).await.status,
        da::BlobStatus::Pending as i32,
        "no rejected certificate changed the blob"
    );

    let good = certificate(&alice, &ops, &q, &record, &[0, 1, 2]);
    let r = run(&mut node, &alice, vec![any(&good)]).await;
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(r
        .events
        .iter()
        .any(|e| e.r#type == "kaizen.da.v1.EventBlobCertified"));
    let record = query_blob(&node, &blob.blob_ref.commitment).await;
    assert_eq!(record.status, da::BlobStatus::Available as i32);
    assert_eq!(record.signer_bitmap, vec![0b0111]);
    assert_code(&run(&mut node, &alice, vec![any(&good)]).await, "da", 7);
    Ok(())
}

#[tokio::test]
async fn pay_for_blob_rejects_bad_shapes_fees_over_the_maximum_and_duplicates() -> anyhow::Result<()>
{
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let blob = blob_of(3_000, 2);
    let good = pay_msg(&alice, &blob, 100);
    let cases: Vec<(&str, da::MsgPayForBlob, &str, u32)> = vec![
        (
            "k = 0",
            da::MsgPayForBlob {
                original_shards: 0,
                ..good.clone()
            },
            "da",
            2,
        ),
        (
            "too many shards",
            da::MsgPayForBlob {
                original_shards: 40_000,
                recovery_shards: 40_000,
                ..good.clone()
            },
            "da",
            2,
        ),
        (
            "unknown codec",
            da::MsgPayForBlob {
                codec: "zstd".into(),
                ..good.clone()
            },
            "da",
            2,
        ),
        (
            "short commitment",
            da::MsgPayForBlob {
                commitment: vec![1; 31],
                ..good.clone()
            },
            "da",
            2,
        ),
        (
            "empty blob",
            da::MsgPayForBlob {
                size: 0,
                ..good.clone()
            },
            "da",
            2,
        ),
        (
            "retention below the minimum",
            da::MsgPayForBlob {
                retention_blocks: 2,
                ..good.clone()
            },
            "da",
            2,
        ),
        (
            "fee above max_fee",
            da::MsgPayForBlob {
                max_fee: "10".into(),
                ..good.clone()
            },
            "da",
            4,
        ),
        (
            "payer is not the signer",
            da::MsgPayForBlob {
                payer: ops[0].key.address.to_string(),
                ..good.clone()
            },
            "sdk",
            8,
        ),
    ];
    for (what, msg, codespace, code) in cases {
        let r = run(&mut node, &alice, vec![any(&msg)]).await;
        assert_eq!(
            (r.codespace.as_str(), r.code),
            (codespace, code),
            "{what}: {}",
            r.log
        );
    }
    assert_eq!(
        node.balance(&kaizen_da_module::da_pool()).await,
        0,
        "no rejected payment moved funds"
    );
    assert_eq!(run(&mut node, &alice, vec![any(&good)]).await.code, 0);
    assert_code(&run(&mut node, &alice, vec![any(&good)]).await, "da", 3);
    Ok(())
}

#[tokio::test]
async fn registration_needs_a_valid_proof_of_possession_a_fresh_key_and_the_minimum_bond(
) -> anyhow::Result<()> {
    let ops = operators(1);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let newcomer = bls_key("newcomer");
    let register = |pk: Vec<u8>, pop: Vec<u8>, bond: &str| staking::MsgRegisterDaOperator {
        operator: alice.address.to_string(),
        bls_public_key: pk,
        proof_of_possession: pop,
        endpoint: "http://127.0.0.1:7200".into(),
        bond: bond.into(),
    };
    // A rogue key: someone else's proof, or a plain signature instead of a proof.
    let rogue = register(
        newcomer.public_key().to_vec(),
        ops[0].bls.proof_of_possession().to_vec(),
        "1000000",
    );
    assert_code(
        &run(&mut node, &alice, vec![any(&rogue)]).await,
        "staking",
        4,
    );
    let plain = register(
        newcomer.public_key().to_vec(),
        newcomer.sign(&newcomer.public_key()).to_vec(),
        "1000000",
    );
    assert_code(
        &run(&mut node, &alice, vec![any(&plain)]).await,
        "staking",
        4,
    );
    // Not a curve point.
    let junk = register(
        vec![7; 48],
        newcomer.proof_of_possession().to_vec(),
        "1000000",
    );
    assert_code(
        &run(&mut node, &alice, vec![any(&junk)]).await,
        "staking",
        3,
    );
    // A key already registered, with its valid proof.
    let taken = register(
        ops[0].bls.public_key().to_vec(),
        ops[0].bls.proof_of_possession().to_vec(),
        "1000000",
    );
    assert_code(
        &run(&mut node, &alice, vec![any(&taken)]).await,
        "staking",
        5,
    );
    let cheap = register(
        newcomer.public_key().to_vec(),
        newcomer.proof_of_possession().to_vec(),
        "999",
    );
    assert_code(
        &run(&mut node, &alice, vec![any(&cheap)]).await,
        "staking",
        6,
    );
    let bonded_before = node.balance(&kaizen_staking::bonded_pool()).await;

    let valid = register(
        newcomer.public_key().to_vec(),
        newcomer.proof_of_possession().to_vec(),
        "1000000",
    );
    let r = run(&mut node, &alice, vec![any(&valid)]).await;
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(
        node.balance(&kaizen_staking::bonded_pool()).await,
        bonded_before + 1_000_000
    );
    assert_eq!(query_da_operators(&node).await.len(), 2);
    assert_code(
        &run(&mut node, &alice, vec![any(&valid)]).await,
        "staking",
        2,
    );

    // It joins the quorum at the next epoch, not before.
    assert_eq!(query_quorum(&node, 0).await.members.len(), 1);
    advance_to(&mut node, EPOCH_BLOCKS).await;
    assert_eq!(query_quorum(&node, 1).await.members.len(), 2);
    Ok(())
}

#[tokio::test]
async fn answered_challenges_pay_the_operator_and_repeated_misses_jail() -> anyhow::Result<()> {
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let blob = blob_of(5_000, 3);
    // Rewards come out of the fees the pool holds: fund it beyond one blob's fee.
    let fund =
        kaizen_app::harness::msg_send(&alice.address, &kaizen_da_module::da_pool(), 1_000_000);
    assert_eq!(run(&mut node, &alice, vec![fund]).await.code, 0);
    assert_eq!(
        run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 1000))])
            .await
            .code,
        0
    );
    let record = query_blob(&node, &blob.blob_ref.commitment).await;
    let q = query_quorum(&node, record.epoch).await;
    let cert = certificate(&alice, &ops, &q, &record, &[0, 1, 2, 3]);
    assert_eq!(run(&mut node, &alice, vec![any(&cert)]).await.code, 0);

    // Epoch 1 starts: challenges are drawn over the one live blob.
    let events = advance_to(&mut node, EPOCH_BLOCKS).await;
    let issued = events
        .iter()
        .filter(|e| e.r#type == "kaizen.da.v1.EventChallengeIssued")
        .count();
    assert_eq!(issued, 16);

    // Every challenge names the shard's holder.
    let mut by_op = Vec::new();
    for o in &ops {
        let mine = query_challenges(&node, &o.key.address).await;
        for c in &mine {
            let pos =
                shard_holder(&blob.blob_ref.commitment, c.shard_index as usize, 4).expect("holder");
            assert_eq!(q.members[pos].operator, o.key.address.to_string());
        }
        by_op.push(mine);
    }
    let (answerer, rest) = by_op
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| c.len())
        .map(|(i, c)| (i, c.clone()))
        .expect("four operators");
    assert!(!rest.is_empty());
    let a = &ops[answerer].key;
    let other = ops
        .iter()
        .position(|o| o.key.address != a.address)
        .expect("another operator");

    // Wrong answers change nothing: another's challenge, a tampered segment.
    let mut tampered = answer(a, &blob, &rest[0]);
    tampered.segment[0] ^= 1;
    assert_code(&run(&mut node, a, vec![any(&tampered)]).await, "da", 17);
    let theirs = answer(&ops[other].key, &blob, &rest[0]);
    assert_code(
        &run(&mut node, &ops[other].key, vec![any(&theirs)]).await,
        "da",
        15,
    );

    let before = node.balance(&a.address).await;
    let answers: Vec<Any> = rest.iter().map(|c| any(&answer(a, &blob, c))).collect();
    let r = run(&mut node, a, answers).await;
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(
        node.balance(&a.address).await,
        before + 1000 * rest.len() as u128 - 2_000,
        "each answer pays the 1000ukzn reward"
    );
    assert!(query_challenges(&node, &a.address).await.is_empty());
    let replay = answer(a, &blob, &rest[0]);
    assert_code(&run(&mut node, a, vec![any(&replay)]).await, "da", 14);

    // The others stay silent past the deadline.
    advance_to(&mut node, EPOCH_BLOCKS + 5).await;
    let answered = query_da_operator(&node, &a.address).await;
    assert_eq!(answered.answered_challenges, rest.len() as u64);
    assert_eq!(answered.consecutive_misses, 0);
    assert!(!answered.jailed);
    let mut jailed = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        if i == answerer {
            continue;
        }
        let record = query_da_operator(&node, &o.key.address).await;
        assert_eq!(
            record.missed_challenges,
            by_op[i].len() as u64,
            "operator {i}"
        );
        assert_eq!(record.answered_challenges, 0);
        if by_op[i].len() >= 2 {
            assert!(
                record.jailed,
                "operator {i} missed {} in a row",
                by_op[i].len()
            );
            jailed.push(record.address.clone());
        }
    }
    assert!(!jailed.is_empty(), "16 draws over 4 holders jail someone");

    // A missed challenge cannot be answered late; jailed operators leave the next quorum.
    let late_op = ops
        .iter()
        .find(|o| o.key.address.to_string() == jailed[0])
        .expect("ours");
    let late = first_challenge_of(&node, &late_op.key).await;
    let late_answer = answer(&late_op.key, &blob, &late);
    assert_code(
        &run(&mut node, &late_op.key, vec![any(&late_answer)]).await,
        "da",
        14,
    );
    advance_to(&mut node, 2 * EPOCH_BLOCKS).await;
    let next = query_quorum(&node, 2).await;
    assert!(next.members.iter().all(|m| !jailed.contains(&m.operator)));
    assert!(next
        .members
        .iter()
        .any(|m| m.operator == a.address.to_string()));

    // Unjail waits for the jail time.
    let unjail = staking::MsgUnjailDaOperator {
        operator: late_op.key.address.to_string(),
    };
    assert_code(
        &run(&mut node, &late_op.key, vec![any(&unjail)]).await,
        "staking",
        10,
    );
    advance_to(&mut node, EPOCH_BLOCKS + 5 + 20).await;
    assert_eq!(
        run(&mut node, &late_op.key, vec![any(&unjail)]).await.code,
        0
    );
    assert!(!query_da_operator(&node, &late_op.key.address).await.jailed);
    Ok(())
}

/// The first challenge ever issued to `op` (ids are dense from 0), which it missed.
async fn first_challenge_of(node: &TestNode, op: &TestKey) -> da::Challenge {
    for id in 0..64 {
        if let Some(c) = query_challenge(node, id).await {
            if c.operator == op.address.to_string() {
                assert_eq!(c.status, da::ChallengeStatus::Missed as i32);
                return c;
            }
        }
    }
    panic!("no challenge for {}", op.name);
}

#[tokio::test]
async fn expired_blobs_are_marked_expired_leave_the_challenge_pool_and_can_be_paid_again(
) -> anyhow::Result<()> {
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let blob = blob_of(700, 4);
    assert_eq!(
        run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 5))])
            .await
            .code,
        0
    );
    let record = query_blob(&node, &blob.blob_ref.commitment).await;
    let q = query_quorum(&node, record.epoch).await;
    let cert = certificate(&alice, &ops, &q, &record, &[0, 1, 2, 3]);
    assert_eq!(run(&mut node, &alice, vec![any(&cert)]).await.code, 0);
    let events = advance_to(&mut node, record.expires_height).await;
    assert!(events
        .iter()
        .any(|e| e.r#type == "kaizen.da.v1.EventBlobExpired"));
    assert_eq!(
        query_blob(&node, &blob.blob_ref.commitment).await.status,
        da::BlobStatus::Expired as i32
    );
    // No live blob: the next epoch issues no challenge.
    let events = advance_to(&mut node, EPOCH_BLOCKS).await;
    assert!(!events
        .iter()
        .any(|e| e.r#type == "kaizen.da.v1.EventChallengeIssued"));
    let cert_late = certificate(&alice, &ops, &q, &record, &[0, 1, 2, 3]);
    assert_code(
        &run(&mut node, &alice, vec![any(&cert_late)]).await,
        "da",
        6,
    );
    assert_eq!(
        run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 50))])
            .await
            .code,
        0
    );
    Ok(())
}

#[tokio::test]
async fn operator_randomness_feeds_the_next_seed_and_bad_outputs_are_refused() -> anyhow::Result<()>
{
    let ops = operators(3);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let seed0 = query_quorum(&node, 0).await.seed;
    let message = randomness_message(TEST_CHAIN_ID, 1, &seed0);
    let submit = |o: &Operator, epoch: u64, output: Vec<u8>| da::MsgSubmitRandomness {
        operator: o.key.address.to_string(),
        epoch,
        output,
    };
    // Another key's output, the wrong epoch, a non-operator.
    let wrong_key = submit(&ops[0], 0, ops[1].bls.sign(&message).to_vec());
    assert_code(
        &run(&mut node, &ops[0].key, vec![any(&wrong_key)]).await,
        "da",
        18,
    );
    let wrong_epoch = submit(&ops[0], 1, ops[0].bls.sign(&message).to_vec());
    assert_code(
        &run(&mut node, &ops[0].key, vec![any(&wrong_epoch)]).await,
        "da",
        18,
    );
    let stranger = da::MsgSubmitRandomness {
        operator: alice.address.to_string(),
        epoch: 0,
        output: ops[0].bls.sign(&message).to_vec(),
    };
    assert_code(
        &run(&mut node, &alice, vec![any(&stranger)]).await,
        "da",
        19,
    );

    for o in &ops[..2] {
        let r = run(
            &mut node,
            &o.key,
            vec![any(&submit(o, 0, o.bls.sign(&message).to_vec()))],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.log);
    }
    let again = submit(&ops[0], 0, ops[0].bls.sign(&message).to_vec());
    assert_code(
        &run(&mut node, &ops[0].key, vec![any(&again)]).await,
        "da",
        18,
    );

    let events = advance_to(&mut node, EPOCH_BLOCKS).await;
    let started = events
        .iter()
        .find_map(|e| {
            kaizen_proto::event::parse_event::<kaizen_proto::kaizen::da::v1::EventEpochStarted>(
                &e.r#type,
                e.attributes
                    .iter()
                    .map(|a| (a.key.as_str(), a.value.as_str())),
            )
        })
        .expect("epoch 1 started")?;
    assert_eq!(started.randomness_contributions, 2);
    let seed1 = query_quorum(&node, 1).await.seed;
    let mut outputs: Vec<(String, Vec<u8>)> = ops[..2]
        .iter()
        .map(|o| (o.key.address.to_string(), o.bls.sign(&message).to_vec()))
        .collect();
    outputs.sort();
    let expected = kaizen_staking::randomness::next_seed(
        &seed0,
        1,
        &outputs.into_iter().map(|(_, o)| o).collect::<Vec<_>>(),
    );
    assert_eq!(seed1, expected);
    Ok(())
}

#[tokio::test]
async fn a_payment_checked_just_before_an_epoch_boundary_is_admitted() -> anyhow::Result<()> {
    // CheckTx runs at the next height without its begin-block, so at a boundary the
    // new epoch's quorum is not installed yet; the mempool must still take the payment.
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    advance_to(&mut node, EPOCH_BLOCKS - 1).await;
    let blob = blob_of(5_000, 9);
    let mut tx = node
        .tx_for(&alice, vec![any(&pay_msg(&alice, &blob, 100))])
        .await?;
    tx.gas_limit = 2_000_000;
    tx.fee = 2_000;
    let bytes = tx.sign(&alice)?;
    let checked = node.check_tx(&bytes).await?;
    assert_eq!(checked.code, 0, "{}", checked.log);
    // And the block at the boundary runs it against the new epoch's quorum.
    let block = node.block(vec![bytes]).await?;
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert_eq!(query_blob(&node, &blob.blob_ref.commitment).await.epoch, 1);
    Ok(())
}

#[tokio::test]
async fn a_squatted_commitment_is_freed_once_the_squatters_certify_window_ends(
) -> anyhow::Result<()> {
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mallory = TestKey::new("mallory");
    let mut g = genesis(&ops, &alice);
    g.bank_mut().balances.push(kaizen_bank::genesis::Balance {
        address: mallory.address.to_string(),
        coins: vec![kaizen_bank::genesis::Coin {
            denom: "ukzn".into(),
            amount: "1000000000".into(),
        }],
    });
    const CERTIFY_WINDOW: u64 = 12;
    g.da_params_mut().certify_window_blocks = CERTIFY_WINDOW;
    let mut node = TestNode::start(&g).await?;
    let blob = blob_of(10_000, 9);

    // Mallory front-runs Alice's payment for the same commitment: a 1-byte blob kept as
    // long as the chain allows, which no certificate can ever match.
    let mut squat = pay_msg(&mallory, &blob, 10_000_000);
    squat.size = 1;
    squat.original_shards = 1;
    squat.recovery_shards = 1;
    ok(&run(&mut node, &mallory, vec![any(&squat)]).await);
    let squatted = query_blob(&node, &blob.blob_ref.commitment).await;
    // Within Mallory's certify window, Alice's payment is refused.
    assert_code(
        &run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 50))]).await,
        "da",
        3,
    );
    // Once it has passed, the squat can never be certified, and Alice's payment replaces it.
    advance_to(&mut node, squatted.certify_deadline_height + 1).await;
    ok(&run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 50))]).await);
    let record = query_blob(&node, &blob.blob_ref.commitment).await;
    assert_eq!(
        (record.payer.as_str(), record.size),
        (alice.address.to_string().as_str(), blob.blob_ref.size)
    );
    let q = query_quorum(&node, record.epoch).await;
    let cert = certificate(&alice, &ops, &q, &record, &[0, 1, 2, 3]);
    ok(&run(&mut node, &alice, vec![any(&cert)]).await);
    assert_eq!(
        query_blob(&node, &blob.blob_ref.commitment).await.status,
        da::BlobStatus::Available as i32
    );
    Ok(())
}

#[tokio::test]
async fn a_certificate_collected_for_one_payment_does_not_certify_a_later_one() -> anyhow::Result<()>
{
    let ops = operators(4);
    let alice = TestKey::new("alice");
    let mut node = TestNode::start(&genesis(&ops, &alice)).await?;
    let blob = blob_of(10_000, 11);
    // Pay for the real blob, kept 5 blocks; collect the quorum's signatures, keep them.
    ok(&run(&mut node, &alice, vec![any(&pay_msg(&alice, &blob, 5))]).await);
    let first = query_blob(&node, &blob.blob_ref.commitment).await;
    let q = query_quorum(&node, first.epoch).await;
    let kept = certificate(&alice, &ops, &q, &first, &[0, 1, 2, 3]);
    // It expires; in the same epoch, pay again for the commitment with a shape whose
    // challenges no honest holder could answer, and present the kept certificate.
    advance_to(&mut node, first.expires_height).await;
    let mut fake = pay_msg(&alice, &blob, 5);
    fake.size = 1;
    fake.original_shards = 1;
    fake.recovery_shards = 1;
    ok(&run(&mut node, &alice, vec![any(&fake)]).await);
    let second = query_blob(&node, &blob.blob_ref.commitment).await;
    assert_eq!(second.epoch, first.epoch, "the same epoch, the same quorum");
    assert_code(&run(&mut node, &alice, vec![any(&kept)]).await, "da", 12);
    assert_eq!(second.status, da::BlobStatus::Pending as i32);
    Ok(())
}
