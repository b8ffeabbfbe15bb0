//! A chain of `auth`, `bank`, `staking` and `da` on a temporary store: genesis (with
//! four DA operators in epoch 0's quorum) committed as version 0, then handlers run the
//! way the app's transaction pipeline runs them (stateless checks, then
//! `check_and_execute` on a fork that is applied on success and dropped on failure).

use cnidarium::StateDelta;
use kaizen_auth::Auth;
use kaizen_bank::{
    genesis::{self as bank_genesis, Coin},
    Bank, BankRead,
};
use kaizen_da_core::{
    assignment::availability_message,
    blob::{encode_blob, EncodedBlob},
    CpuCoder, ErasureParams,
};
use kaizen_da_module::{genesis as da_genesis, CertifyBlob, DaRead, DataAvailability, PayForBlob};
use kaizen_framework::{
    bls::{aggregate_signatures, BlsKey},
    Address, BlockCtx, Component, GasMeter, NATIVE_DENOM,
};
use kaizen_proto::kaizen::da::v1::{Blob, Quorum};
use kaizen_staking::{genesis as staking_genesis, Staking};
use tendermint::abci::Event;

pub use kaizen_framework::testing::{events_of, TestStore, CHAIN_ID};
/// The gas limit of every test transaction: far above what any one message uses.
pub const GAS_LIMIT: u64 = 100_000_000;

/// The account that pays for blobs.
pub fn alice() -> Address {
    Address::from_bytes([0xa1; 20])
}

/// An address genesis gives nothing.
pub fn nobody() -> Address {
    Address::from_bytes([0x0d; 20])
}

pub const ALICE_UKZN: u128 = 10_000_000;
/// How many DA operators genesis registers, each with [`OPERATOR_BOND`].
pub const OPERATORS: usize = 4;
pub const OPERATOR_BOND: u128 = 1_000;
/// Share of its bond a quorum member loses per epoch without its randomness output.
pub const RANDOMNESS_MISS_SLASH_PPM: u32 = 10_000;
pub const EPOCH_BLOCKS: u64 = 10;
pub const MIN_RETENTION: u64 = 5;
pub const MAX_BLOB_BYTES: u64 = 1 << 20;
pub const MAX_SHARDS: u32 = 64;
pub const CERTIFY_WINDOW: u64 = 50;
pub const CHALLENGE_WINDOW: u64 = 3;
pub const CHALLENGE_REWARD: u128 = 1_000;

/// Genesis DA operator `i`: its address and BLS key.
pub fn operator(i: usize) -> (Address, BlsKey) {
    let address = Address::from_bytes([0x10 + i as u8; 20]);
    let key =
        BlsKey::from_seed(format!("da handler tests, the BLS key of operator {i}").as_bytes())
            .expect("a BLS key");
    (address, key)
}

/// The one place the test genesis is written.
fn test_genesis() -> (
    <Auth as Component>::Genesis,
    <Bank as Component>::Genesis,
    <Staking as Component>::Genesis,
    <DataAvailability as Component>::Genesis,
) {
    let funded = |who: Address, amount: u128| bank_genesis::Balance {
        address: who.to_string(),
        coins: vec![Coin {
            denom: NATIVE_DENOM.into(),
            amount: amount.to_string(),
        }],
    };
    let mut balances = vec![funded(alice(), ALICE_UKZN)];
    let mut da_operators = Vec::new();
    for i in 0..OPERATORS {
        let (address, key) = operator(i);
        balances.push(funded(address, 10 * OPERATOR_BOND));
        da_operators.push(staking_genesis::GenesisDaOperator {
            address: address.to_string(),
            bls_public_key: key.public_key().to_vec(),
            proof_of_possession: key.proof_of_possession().to_vec(),
            endpoint: format!("http://127.0.0.1:{}", 7100 + i),
            bond: OPERATOR_BOND.to_string(),
        });
    }
    let staking = staking_genesis::GenesisState {
        params: Some(staking_genesis::Params {
            // Below the bond: withheld randomness slashes a little, never out of quorums.
            min_da_bond: (OPERATOR_BOND / 2).to_string(),
            epoch_blocks: EPOCH_BLOCKS,
            max_consecutive_misses: 2,
            jail_blocks: 20,
            max_da_operators: 16,
            min_evaluator_bond: "1000".into(),
            max_evaluators: 16,
        }),
        da_operators,
        ..Default::default()
    };
    let da = da_genesis::GenesisState {
        params: Some(da_genesis::Params {
            base_fee: "1000".into(),
            byte_block_fee_micro: "1".into(),
            max_blob_bytes: MAX_BLOB_BYTES,
            max_shards: MAX_SHARDS,
            min_retention_blocks: MIN_RETENTION,
            max_retention_blocks: 10_000,
            certify_window_blocks: CERTIFY_WINDOW,
            certify_bond_ppm: 666_667,
            max_quorum_size: 16,
            challenges_per_epoch: 16,
            challenge_window_blocks: CHALLENGE_WINDOW,
            challenge_reward: CHALLENGE_REWARD.to_string(),
            max_queue_items_per_block: 64,
            randomness_miss_slash_ppm: RANDOMNESS_MISS_SLASH_PPM,
        }),
    };
    (
        Default::default(),
        bank_genesis::GenesisState { balances },
        staking,
        da,
    )
}

/// A blob of `size` bytes coded into 4 + 4 shards.
pub fn blob_of(size: usize, seed: u8) -> EncodedBlob {
    let data: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    encode_blob(
        &CpuCoder::single_threaded(),
        0,
        &data,
        ErasureParams { k: 4, m: 4 },
    )
    .expect("encodes")
}

/// The module's chain on a [`TestStore`] (which it derefs to: `state`, `height`, `ok`,
/// `refused`...).
pub struct TestChain {
    pub store: TestStore,
}

impl std::ops::Deref for TestChain {
    type Target = TestStore;
    fn deref(&self) -> &TestStore {
        &self.store
    }
}

impl std::ops::DerefMut for TestChain {
    fn deref_mut(&mut self) -> &mut TestStore {
        &mut self.store
    }
}

impl TestChain {
    /// Opens a temporary store as the app does, writes genesis and commits it.
    pub async fn new() -> Self {
        let mut store = TestStore::open(GAS_LIMIT).await;
        let (auth, bank, staking, da) = test_genesis();
        let genesis = &mut store.state;
        Auth::init_chain(genesis, &auth)
            .await
            .expect("auth genesis");
        Bank::init_chain(genesis, &bank)
            .await
            .expect("bank genesis");
        Staking::init_chain(genesis, &staking)
            .await
            .expect("staking genesis");
        DataAvailability::init_chain(genesis, &da)
            .await
            .expect("da genesis");
        store.commit_genesis().await;
        Self { store }
    }

    /// Moves to `height` and runs the begin-block hooks there in the app's order
    /// (`staking` draws an epoch's seed before `da` installs its quorum and challenges);
    /// returns their events.
    pub async fn begin_block(&mut self, height: u64) -> Vec<Event> {
        self.height = height;
        let block = BlockCtx {
            chain_id: CHAIN_ID.into(),
            height,
            time: tendermint::Time::unix_epoch(),
        };
        let mut hooks = StateDelta::new(&mut self.state);
        Staking::begin_block(&mut hooks, &block)
            .await
            .expect("staking begin-block");
        DataAvailability::begin_block(&mut hooks, &block)
            .await
            .expect("da begin-block");
        hooks.apply().1
    }

    pub async fn balance(&self, who: &Address, denom: &str) -> u128 {
        self.state
            .balance(&GasMeter::unlimited(), who, denom)
            .await
            .expect("balance")
    }
}

/// A payment for `blob` by [`alice`], kept `retention` blocks, with room in its max fee.
pub fn pay(blob: &EncodedBlob, retention: u64) -> PayForBlob {
    PayForBlob {
        payer: alice(),
        commitment: blob.blob_ref.commitment,
        size: blob.blob_ref.size,
        original_shards: blob.blob_ref.k as u32,
        recovery_shards: blob.blob_ref.m as u32,
        retention_blocks: retention,
        max_fee: 1_000_000,
    }
}

impl TestChain {
    pub async fn blob(&self, commitment: &[u8]) -> Option<Blob> {
        self.state
            .blob(&GasMeter::unlimited(), commitment)
            .await
            .expect("blob")
    }

    pub async fn quorum(&self, epoch: u64) -> Quorum {
        self.state
            .quorum(&GasMeter::unlimited(), epoch)
            .await
            .expect("quorum")
            .expect("the epoch has a quorum")
    }

    /// A certificate of the paid blob `commitment` by the quorum members at `positions`,
    /// each signing with its own key.
    pub async fn certificate(&self, commitment: [u8; 32], positions: &[usize]) -> CertifyBlob {
        let blob = self.blob(&commitment).await.expect("the blob is paid for");
        let quorum = self.quorum(blob.epoch).await;
        let message = availability_message(CHAIN_ID, &commitment, blob.epoch, blob.paid_height);
        let mut bitmap = vec![0u8; quorum.members.len().div_ceil(8)];
        let mut signatures = Vec::new();
        for &p in positions {
            bitmap[p / 8] |= 1 << (p % 8);
            signatures.push(member_key(&quorum, p).sign(&message));
        }
        let refs: Vec<&[u8]> = signatures.iter().map(|s| s.as_slice()).collect();
        CertifyBlob {
            submitter: alice(),
            commitment,
            signer_bitmap: bitmap,
            aggregate_signature: aggregate_signatures(&refs).expect("aggregates").to_vec(),
        }
    }
}

/// The BLS key of quorum member `position`.
pub fn member_key(quorum: &Quorum, position: usize) -> BlsKey {
    (0..OPERATORS)
        .map(operator)
        .find(|(address, _)| address.to_string() == quorum.members[position].operator)
        .expect("the member is a genesis operator")
        .1
}
