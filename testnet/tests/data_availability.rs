//! The DA network end to end: a devnet of real CometBFT and kaizend with `kaizen-da`
//! nodes registered as DA operators in genesis, driven through the `kaizen` CLI and the
//! nodes' gRPC.

use kaizen_framework::any;
use std::time::Duration;

use kaizen_da_core::{blob::encode_blob, CpuCoder, ErasureParams};
use kaizen_framework::bls::BlsKey;
use kaizen_proto::kaizen::da::v1::{
    node_client::NodeClient, query_client::QueryClient as DaQueryClient, GetShardRequest,
    QueryChallengeRequest, StoreShardRequest,
};
use kaizen_proto::kaizen::{da::v1 as da, staking::v1 as staking};
use kaizen_testnet::Devnet;
use serde_json::Value;

fn write_random(path: &std::path::Path, len: usize, seed: u64) -> anyhow::Result<Vec<u8>> {
    // xorshift: incompressible enough, reproducible, fast.
    let mut x = seed | 1;
    let data: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(path, &data)?;
    Ok(data)
}

fn put(devnet: &Devnet, file: &std::path::Path, extra: &[&str]) -> anyhow::Result<Value> {
    let f = file.to_string_lossy().to_string();
    let mut args = vec!["da", "put", f.as_str(), "--from", "alice"];
    args.extend_from_slice(extra);
    devnet.kaizen_json(&args)
}

fn get(devnet: &Devnet, blob_ref: &str, out: &std::path::Path) -> anyhow::Result<Value> {
    let o = out.to_string_lossy().to_string();
    devnet.kaizen_json(&["da", "get", blob_ref, "-o", o.as_str()])
}

fn blob_ref(put: &Value) -> String {
    put["blob_ref"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn blobs_round_trip_byte_identical_and_survive_lost_and_corrupted_holders(
) -> anyhow::Result<()> {
    let mut devnet = Devnet::up_with(1, 29000, &["--da-nodes", "4"])?;
    let dir = tempfile::tempdir()?;

    // 1 byte, an odd size, and 64 MiB.
    for (i, len) in [1usize, 1_000_003, 64 << 20].into_iter().enumerate() {
        let src = dir.path().join(format!("in{i}"));
        let data = write_random(&src, len, 7 + i as u64)?;
        let put = put(&devnet, &src, &[])?;
        let r = blob_ref(&put);
        assert!(r.starts_with("p0/"), "{put}");
        // The QueryBlobResponse: enums by name, uint64 as strings.
        let status = devnet.kaizen_json(&["query", "da", "blob", &r])?;
        assert_eq!(
            status["blob"]["status"], "BLOB_STATUS_AVAILABLE",
            "{status}"
        );
        assert_eq!(status["blob"]["size"], len.to_string());
        let out = dir.path().join(format!("out{i}"));
        get(&devnet, &r, &out)?;
        assert!(
            std::fs::read(&out)? == data,
            "{len}-byte blob came back different"
        );
    }

    // With k = m = 4 over 4 operators each holds 2 shards: killing two loses m = 4.
    let src = dir.path().join("resilient");
    let data = write_random(&src, 3_000_000, 99)?;
    let r = blob_ref(&put(&devnet, &src, &["--shards", "4+4"])?);
    devnet.kaizen_ok(&["devnet", "stop-da-node", "0", "--kill"])?;
    devnet.kaizen_ok(&["devnet", "stop-da-node", "1", "--kill"])?;
    let out = dir.path().join("resilient.out");
    get(&devnet, &r, &out)?;
    assert!(
        std::fs::read(&out)? == data,
        "retrieval with m holders down"
    );

    // One holder down and one serving corrupted shards: still exactly k good shards.
    devnet.kaizen_ok(&["devnet", "start-da-node", "1"])?;
    devnet.reload()?;
    let corrupt_home = devnet.da_node(2)["home"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    devnet.kaizen_ok(&["devnet", "stop-da-node", "2"])?;
    let corrupt = devnet.start_da_node_with(2, &["--test-serve-corrupt-shards"])?;
    let got = get(&devnet, &r, &out)?;
    assert!(
        std::fs::read(&out)? == data,
        "retrieval around a corrupted holder"
    );
    let skipped = got["skipped"].to_string();
    assert!(
        skipped.contains("corrupt") || skipped.contains("proof"),
        "the corrupted node is reported: {got} (home {corrupt_home})"
    );
    drop(corrupt);
    Ok(())
}

#[tokio::test]
async fn da_nodes_refuse_unpaid_unproven_and_oversized_shards_and_the_chain_refuses_forged_certificates(
) -> anyhow::Result<()> {
    let devnet = Devnet::up_with(1, 29100, &["--da-nodes", "2"])?;
    let endpoint = devnet.da_node(0)["endpoint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut node = NodeClient::new(channel(&endpoint).await?);

    // Unpaid: no blob has this commitment.
    let unpaid = node
        .store_shard(StoreShardRequest {
            commitment: vec![5; 32],
            index: 0,
            shard: vec![0; 64],
            shard_path: vec![],
        })
        .await
        .expect_err("an unpaid blob is refused");
    assert_eq!(unpaid.code(), tonic::Code::FailedPrecondition, "{unpaid:?}");

    // A paid blob, then a shard whose proof does not match.
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("blob");
    write_random(&src, 10_000, 3)?;
    let r = blob_ref(&put(&devnet, &src, &["--shards", "2+2"])?);
    let commitment = kaizen_cli_commitment(&r)?;
    // An index this node holds, so that only the proof is wrong.
    let quorum = devnet.kaizen_json(&["query", "da", "quorum", "--epoch", "0"])?;
    let me = devnet.da_node(0)["operator"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let position = quorum["quorum"]["members"]
        .as_array()
        .and_then(|m| m.iter().position(|x| x["operator"] == me.as_str()))
        .expect("node 0 is in the quorum");
    let c: [u8; 32] = commitment.as_slice().try_into()?;
    let index = (0..4)
        .find(|&i| kaizen_da_core::assignment::shard_holder(&c, i, 2) == Some(position))
        .expect("node 0 holds a shard") as u32;
    let bad = node
        .store_shard(StoreShardRequest {
            commitment: commitment.clone(),
            index,
            shard: vec![1; 5056],
            shard_path: vec![vec![0; 32], vec![0; 32]],
        })
        .await
        .expect_err("a shard with a wrong proof is refused");
    assert_eq!(bad.code(), tonic::Code::InvalidArgument, "{bad:?}");
    assert!(bad.message().contains("proof"), "{bad:?}");
    // Far over the node's request limit.
    let huge = node
        .store_shard(StoreShardRequest {
            commitment,
            index: 0,
            shard: vec![0; 300 << 20],
            shard_path: vec![],
        })
        .await
        .expect_err("an oversized request is refused");
    assert!(
        matches!(
            huge.code(),
            tonic::Code::ResourceExhausted | tonic::Code::InvalidArgument | tonic::Code::OutOfRange
        ),
        "{huge:?}"
    );

    // The chain refuses a certificate whose aggregate signature is forged, and a
    // registration whose proof of possession is someone else's.
    let home = devnet.home.path().to_path_buf();
    let ep = kaizen_cli::client::Endpoints {
        home: home.clone(),
        node: devnet.rpc(0),
        grpc: devnet.grpc(0),
        chain_id: devnet.info["chain_id"].as_str().map(str::to_string),
    };
    let (key, alice) = kaizen_cli::keys::Keyring::open(&home)?.signer("alice")?;
    let opts = kaizen_cli::tx::TxOptions {
        gas: kaizen_cli::tx::Gas::Fixed(2_000_000),
        fees: None,
        memo: String::new(),
        wait: true,
    };
    let pending = vec![9u8; 32];
    let pay = any(&da::MsgPayForBlob {
        payer: alice.to_string(),
        commitment: pending.clone(),
        size: 1000,
        original_shards: 2,
        recovery_shards: 2,
        codec: "rs16".into(),
        retention_blocks: 100,
        max_fee: "1000000".into(),
    });
    let paid = kaizen_cli::tx::broadcast(&ep, &key, &alice, vec![pay], &opts).await?;
    assert_eq!(paid.code, 0, "{}", paid.raw_log);
    let impostor = BlsKey::from_seed(&[42u8; 32])?;
    let forged = any(&da::MsgCertifyBlob {
        submitter: alice.to_string(),
        commitment: pending,
        signer_bitmap: vec![0b11],
        aggregate_signature: impostor.sign(b"anything").to_vec(),
    });
    let refused = kaizen_cli::tx::broadcast(&ep, &key, &alice, vec![forged], &opts)
        .await
        .expect_err("a forged certificate is refused");
    assert!(
        refused.to_string().contains("codespace da, code 12"),
        "{refused}"
    );
    let other = BlsKey::from_seed(&[43u8; 32])?;
    let rogue = any(&staking::MsgRegisterDaOperator {
        operator: alice.to_string(),
        bls_public_key: impostor.public_key().to_vec(),
        proof_of_possession: other.proof_of_possession().to_vec(),
        endpoint: "http://127.0.0.1:1".into(),
        bond: "10000000".into(),
    });
    let refused = kaizen_cli::tx::broadcast(&ep, &key, &alice, vec![rogue], &opts)
        .await
        .expect_err("a rogue key is refused");
    assert!(
        refused.to_string().contains("codespace staking, code 4"),
        "{refused}"
    );

    // Issue 15, item 1: a client pays for a blob and uploads only one shard to each
    // operator. Before, each answered its signature and the chain, crediting a signer
    // with every shard of its position, certified data nobody held; challenges then
    // jailed the honest operators. Now an operator signs only once it holds all of them.
    let data: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(7) >> 3) as u8)
        .collect();
    let encoded = encode_blob(&CpuCoder::default(), 0, &data, ErasureParams { k: 2, m: 2 })?;
    let paths = encoded.commitment.all_shard_paths();
    let c = encoded.blob_ref.commitment;
    let pay = any(&da::MsgPayForBlob {
        payer: alice.to_string(),
        commitment: c.to_vec(),
        size: data.len() as u64,
        original_shards: 2,
        recovery_shards: 2,
        codec: "rs16".into(),
        retention_blocks: 100,
        max_fee: "1000000".into(),
    });
    let paid = kaizen_cli::tx::broadcast(&ep, &key, &alice, vec![pay], &opts).await?;
    assert_eq!(paid.code, 0, "{}", paid.raw_log);
    let mut q = DaQueryClient::new(channel(&devnet.grpc(0)).await?);
    let blob = q
        .blob(da::QueryBlobRequest {
            commitment: c.to_vec(),
        })
        .await?
        .into_inner()
        .blob
        .expect("the blob is paid for");
    let quorum = q
        .quorum(da::QueryQuorumRequest {
            epoch: blob.epoch,
            current: false,
        })
        .await?
        .into_inner()
        .quorum
        .expect("the blob's epoch has a quorum");
    let n = quorum.members.len();
    let store = |i: usize| StoreShardRequest {
        commitment: c.to_vec(),
        index: i as u32,
        shard: encoded.shards[i].clone(),
        shard_path: paths[i].iter().map(|h| h.to_vec()).collect(),
    };
    for (position, member) in quorum.members.iter().enumerate() {
        let mine = kaizen_da_core::assignment::shards_of(&c, position, 4, n);
        assert!(
            mine.len() >= 2,
            "each of the two operators holds two shards"
        );
        let mut node = NodeClient::new(channel(&member.endpoint).await?);
        let r = node.store_shard(store(mine[0])).await?.into_inner();
        assert!(
            r.signature.is_empty(),
            "{} signed holding {} of its {} shards",
            member.operator,
            r.shards_held,
            r.shards_assigned
        );
        assert_eq!((r.shards_held, r.shards_assigned), (1, mine.len() as u32));
    }
    // Nothing to aggregate: the blob stays pending, nobody is challenged over it. The
    // operator given all its shards signs, and its signature verifies.
    let message = kaizen_da_core::assignment::availability_message(
        devnet.info["chain_id"].as_str().unwrap_or_default(),
        &c,
        blob.epoch,
        blob.paid_height,
    );
    let mine = kaizen_da_core::assignment::shards_of(&c, 0, 4, n);
    let mut node = NodeClient::new(channel(&quorum.members[0].endpoint).await?);
    let mut last = None;
    for &i in &mine[1..] {
        last = Some(node.store_shard(store(i)).await?.into_inner());
    }
    let last = last.expect("a second shard");
    kaizen_framework::bls::verify(&quorum.members[0].bls_public_key, &message, &last.signature)?;
    let after = q
        .blob(da::QueryBlobRequest {
            commitment: c.to_vec(),
        })
        .await?
        .into_inner()
        .blob
        .expect("the blob");
    assert_eq!(after.status, da::BlobStatus::Pending as i32);
    Ok(())
}

async fn channel(url: &str) -> anyhow::Result<tonic::transport::Channel> {
    Ok(tonic::transport::Channel::from_shared(url.to_string())?
        .connect()
        .await?)
}

fn kaizen_cli_commitment(blob_ref: &str) -> anyhow::Result<Vec<u8>> {
    let r: kaizen_da_core::BlobRef = blob_ref.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    Ok(r.commitment.to_vec())
}

/// Challenge `id`, if it exists.
async fn challenge(
    devnet: &Devnet,
    id: u64,
) -> anyhow::Result<Option<kaizen_proto::kaizen::da::v1::Challenge>> {
    let mut q = DaQueryClient::new(channel(&devnet.grpc(0)).await?);
    Ok(q.challenge(QueryChallengeRequest { id })
        .await
        .ok()
        .and_then(|r| r.into_inner().challenge))
}

#[tokio::test]
async fn answered_challenges_pay_missed_ones_do_not_repeated_misses_jail_and_expired_blobs_are_pruned(
) -> anyhow::Result<()> {
    let devnet = Devnet::up_with(1, 29200, &["--da-nodes", "4"])?;
    let dir = tempfile::tempdir()?;
    // Rewards come out of the fees the pool holds; top it up so that every answer is paid.
    let pool = kaizen_framework::Address::for_module("da_pool").to_string();
    devnet.kaizen_ok(&[
        "tx",
        "bank",
        "send",
        &pool,
        "10000000ukzn",
        "--from",
        "faucet",
    ])?;
    // The silent holder must have signed the kept blob's certificate: a member whose store
    // timed out (a loaded machine) is left out of it and then never challenged for it, and
    // the test would wait in vain for its misses. Such a put is repeated with new bytes.
    for attempt in 0..3u64 {
        let src = dir.path().join(format!("kept{attempt}"));
        write_random(&src, 200_000, 11 + 100 * attempt)?;
        let receipt = put(
            &devnet,
            &src,
            &["--shards", "4+4", "--retention-blocks", "5000"],
        )?;
        if receipt["signers"] == receipt["quorum"] {
            break;
        }
        eprintln!("kept blob certified by {receipt}; storing another");
    }
    let short_src = dir.path().join("short");
    write_random(&short_src, 5_000, 12)?;
    let short = blob_ref(&put(
        &devnet,
        &short_src,
        &["--shards", "4+4", "--retention-blocks", "10"],
    )?);

    // A holder goes silent; the others answer the challenges of the coming epochs.
    let silent = devnet.da_node(3)["operator"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    devnet.kaizen_ok(&["devnet", "stop-da-node", "3", "--kill"])?;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    loop {
        let op = devnet.kaizen_json(&["query", "staking", "da-operator", &silent])?;
        let mut id = 0;
        let mut answered = 0;
        let mut missed_by_silent = 0;
        while let Some(c) = challenge(&devnet, id).await? {
            let reward: u128 = c.reward.parse().unwrap_or(0);
            match c.status {
                2 => {
                    assert_ne!(c.operator, silent);
                    assert_eq!(reward, 1000, "an answer in time is paid");
                    answered += 1;
                }
                3 => {
                    assert_eq!(reward, 0, "a missed challenge pays nothing");
                    if c.operator == silent {
                        missed_by_silent += 1;
                    }
                }
                _ => {}
            }
            id += 1;
        }
        if op["operator"]["jailed"] == true && answered > 0 {
            assert!(
                missed_by_silent >= 3,
                "jailed after {missed_by_silent} misses"
            );
            break;
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!(
                "after 150 s: {answered} answered, {missed_by_silent} missed by the silent node, operator {op}"
            );
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    // The next epoch's quorum leaves the jailed operator out.
    let jailed_in: u64 = devnet.kaizen_json(&["query", "staking", "epoch"])?["epoch"]
        .as_str()
        .unwrap_or("0")
        .parse()?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    let quorum = loop {
        let q = devnet.kaizen_json(&["query", "da", "quorum"])?;
        let epoch: u64 = q["quorum"]["epoch"].as_str().unwrap_or("0").parse()?;
        if epoch > jailed_in {
            break q;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "no new epoch after {jailed_in}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    assert!(
        !quorum.to_string().contains(&silent),
        "a jailed operator is left out of the current quorum: {quorum}"
    );

    // The short-lived blob expired on chain and its shards are gone from the nodes.
    let status = devnet.kaizen_json(&["query", "da", "blob", &short])?;
    assert_eq!(status["blob"]["status"], "BLOB_STATUS_EXPIRED", "{status}");
    let commitment = kaizen_cli_commitment(&short)?;
    let endpoint = devnet.da_node(0)["endpoint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut node = NodeClient::new(channel(&endpoint).await?);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut all_gone = true;
        for index in 0..8 {
            if node
                .get_shard(GetShardRequest {
                    commitment: commitment.clone(),
                    index,
                })
                .await
                .is_ok()
            {
                all_gone = false;
            }
        }
        if all_gone {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "node 0 still serves shards of an expired blob"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}
