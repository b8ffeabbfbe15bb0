//! A mock-consensus node: drives [`App`] through the same ABCI v0.38 requests CometBFT
//! sends, block by block, in process. Tests and benchmarks use it; end-to-end tests use
//! a real `cometbft` instead.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cosmrs::{
    crypto::secp256k1::SigningKey,
    proto::{
        cosmos::{
            auth::v1beta1::{BaseAccount, QueryAccountRequest, QueryAccountResponse},
            bank::v1beta1::{MsgSend, QueryBalanceRequest, QueryBalanceResponse},
            base::v1beta1::Coin as ProtoCoin,
            tx::v1beta1::TxRaw,
        },
        Any,
    },
    tx::{Body, Fee, SignDoc, SignerInfo},
};
use kaizen_bank::genesis::{Balance, Coin};
use kaizen_framework::{Address, NATIVE_DENOM};
use prost::{Message, Name};
use sha2::{Digest, Sha256};
use tendermint_proto::{
    google::protobuf::Timestamp,
    v0_38::abci::{
        response_process_proposal::ProposalStatus, ExecTxResult, RequestCheckTx,
        RequestFinalizeBlock, RequestInfo, RequestInitChain, RequestPrepareProposal,
        RequestProcessProposal, RequestQuery, ResponseCheckTx, ResponseInfo,
    },
    v0_38::types::{BlockParams, ConsensusParams},
};

use crate::{
    genesis::{AppGenesis, GenesisSections},
    App,
};

/// The chain id tests use: network `kaizen-test`, partition 0.
pub const TEST_CHAIN_ID: &str = "kaizen-test-p0";
/// Block gas cap the harness sets in `InitChain`.
pub const TEST_BLOCK_MAX_GAS: i64 = 1_000_000_000;

/// A secp256k1 key derived from a name, so tests are reproducible.
pub struct TestKey {
    pub name: String,
    pub signing_key: SigningKey,
    pub address: Address,
}

impl TestKey {
    pub fn new(name: &str) -> Self {
        let seed = Sha256::digest(format!("kaizen-test-key/{name}").as_bytes());
        let signing_key =
            SigningKey::from_slice(&seed).expect("a SHA-256 digest is a valid secp256k1 scalar");
        let pk = signing_key.public_key().to_bytes();
        let address = Address::from_secp256k1_pubkey(&pk).expect("a fresh key has an address");
        Self {
            name: name.to_string(),
            signing_key,
            address,
        }
    }
}

/// The same name derives the same key.
impl Clone for TestKey {
    fn clone(&self) -> Self {
        Self::new(&self.name)
    }
}

/// A genesis that funds each `(key, ukzn)` pair, every parameter at its default
/// (edit them through [`crate::genesis::GenesisSections`]).
pub fn genesis_with_balances(balances: &[(&Address, u128)]) -> AppGenesis {
    let mut genesis = crate::genesis::default_genesis(0);
    genesis.bank_mut().balances = balances
        .iter()
        .map(|(addr, amount)| Balance {
            address: addr.to_string(),
            coins: vec![Coin {
                denom: NATIVE_DENOM.into(),
                amount: amount.to_string(),
            }],
        })
        .collect();
    genesis
}

/// `MsgSend` as an `Any`.
pub fn msg_send(from: &Address, to: &Address, amount: u128) -> Any {
    Any {
        type_url: MsgSend::type_url(),
        value: MsgSend {
            from_address: from.to_string(),
            to_address: to.to_string(),
            amount: vec![ProtoCoin {
                denom: NATIVE_DENOM.into(),
                amount: amount.to_string(),
            }],
        }
        .encode_to_vec(),
    }
}

/// Builds and signs a transaction (`SIGN_MODE_DIRECT`), with every field settable so
/// tests can build wrong ones too.
#[derive(Clone)]
pub struct TxBuilder {
    pub msgs: Vec<Any>,
    pub memo: String,
    pub timeout_height: u32,
    pub gas_limit: u64,
    pub fee: u128,
    pub chain_id: String,
    pub account_number: u64,
    pub sequence: u64,
}

impl TxBuilder {
    pub fn new(msgs: Vec<Any>, account_number: u64, sequence: u64) -> Self {
        Self {
            msgs,
            memo: String::new(),
            timeout_height: 0,
            gas_limit: 200_000,
            fee: 200,
            chain_id: TEST_CHAIN_ID.into(),
            account_number,
            sequence,
        }
    }

    /// The signed `TxRaw`, before encoding.
    pub fn sign_raw(&self, key: &TestKey) -> anyhow::Result<TxRaw> {
        let body = Body::new(self.msgs.clone(), self.memo.clone(), self.timeout_height);
        let fee = if self.fee == 0 {
            Fee {
                amount: Vec::new(),
                gas_limit: self.gas_limit,
                payer: None,
                granter: None,
            }
        } else {
            Fee::from_amount_and_gas(
                cosmrs::Coin {
                    denom: NATIVE_DENOM
                        .parse()
                        .map_err(|e| anyhow::anyhow!("denom: {e}"))?,
                    amount: self.fee,
                },
                self.gas_limit,
            )
        };
        let auth_info =
            SignerInfo::single_direct(Some(key.signing_key.public_key()), self.sequence)
                .auth_info(fee);
        let chain_id = self.chain_id.parse().context("chain id")?;
        let raw = SignDoc::new(&body, &auth_info, &chain_id, self.account_number)
            .and_then(|doc| doc.sign(&key.signing_key))
            .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
        Ok(raw.into())
    }

    pub fn sign(&self, key: &TestKey) -> anyhow::Result<Vec<u8>> {
        Ok(self.sign_raw(key)?.encode_to_vec())
    }
}

/// What one block did.
#[derive(Debug, Clone)]
pub struct BlockOutcome {
    pub height: u64,
    pub app_hash: Vec<u8>,
    pub tx_results: Vec<ExecTxResult>,
    /// Events of the block hooks (begin and end block).
    pub events: Vec<tendermint_proto::v0_38::abci::Event>,
}

/// An app driven by a mock consensus engine.
pub struct TestNode {
    pub app: App,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

/// Header time of block `height`: a fixed origin plus one second per block, so that a
/// block replayed after a restart carries the same time as the first run.
pub fn block_time(height: u64) -> Timestamp {
    Timestamp {
        seconds: 1_700_000_000 + i64::try_from(height).unwrap_or(0),
        nanos: 0,
    }
}

impl TestNode {
    /// A fresh node in a temporary directory, after `InitChain` with `genesis`.
    pub async fn start(genesis: &AppGenesis) -> anyhow::Result<Self> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().to_path_buf();
        let mut node = Self::open(&dir).await?;
        node._tmp = Some(tmp);
        node.init_chain(genesis).await?;
        Ok(node)
    }

    /// Opens the store in `dir` (which the caller keeps), without `InitChain`.
    pub async fn open(dir: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            app: App::open(dir).await?,
            dir: dir.to_path_buf(),
            _tmp: None,
        })
    }

    /// Closes the store so that `dir` can be opened again.
    pub async fn close(self) {
        self.app.close().await;
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub async fn init_chain(&mut self, genesis: &AppGenesis) -> anyhow::Result<Vec<u8>> {
        let resp = self
            .app
            .init_chain(&RequestInitChain {
                time: Some(block_time(0)),
                chain_id: TEST_CHAIN_ID.into(),
                consensus_params: Some(ConsensusParams {
                    block: Some(BlockParams {
                        max_bytes: 4 << 20,
                        max_gas: TEST_BLOCK_MAX_GAS,
                    }),
                    ..Default::default()
                }),
                validators: Vec::new(),
                app_state_bytes: serde_json::to_vec(genesis)?.into(),
                initial_height: 1,
            })
            .await?;
        Ok(resp.app_hash.to_vec())
    }

    pub async fn info(&self) -> anyhow::Result<ResponseInfo> {
        self.app.info(&RequestInfo::default()).await
    }

    pub fn height(&self) -> u64 {
        self.app.last_committed_height()
    }

    pub async fn check_tx(&mut self, tx: &[u8]) -> anyhow::Result<ResponseCheckTx> {
        self.app
            .check_tx(&RequestCheckTx {
                tx: tx.to_vec().into(),
                r#type: 0,
            })
            .await
    }

    pub async fn recheck_tx(&mut self, tx: &[u8]) -> anyhow::Result<ResponseCheckTx> {
        self.app
            .check_tx(&RequestCheckTx {
                tx: tx.to_vec().into(),
                r#type: 1,
            })
            .await
    }

    pub async fn prepare(
        &mut self,
        txs: Vec<Vec<u8>>,
        max_tx_bytes: i64,
    ) -> anyhow::Result<Vec<Vec<u8>>> {
        let resp = self
            .app
            .prepare_proposal(&RequestPrepareProposal {
                max_tx_bytes,
                txs: txs.into_iter().map(Into::into).collect(),
                height: i64::try_from(self.height() + 1)?,
                ..Default::default()
            })
            .await?;
        Ok(resp.txs.into_iter().map(|b| b.to_vec()).collect())
    }

    pub async fn process(&mut self, txs: &[Vec<u8>]) -> anyhow::Result<bool> {
        let resp = self
            .app
            .process_proposal(&RequestProcessProposal {
                txs: txs.iter().cloned().map(Into::into).collect(),
                height: i64::try_from(self.height() + 1)?,
                ..Default::default()
            })
            .await?;
        Ok(resp.status == ProposalStatus::Accept as i32)
    }

    /// `FinalizeBlock` for the next height, without `Commit`.
    pub async fn finalize(&mut self, txs: Vec<Vec<u8>>) -> anyhow::Result<BlockOutcome> {
        let height = self.height() + 1;
        let resp = self
            .app
            .finalize_block(&RequestFinalizeBlock {
                txs: txs.into_iter().map(Into::into).collect(),
                height: i64::try_from(height)?,
                time: Some(block_time(height)),
                ..Default::default()
            })
            .await?;
        Ok(BlockOutcome {
            height,
            app_hash: resp.app_hash.to_vec(),
            tx_results: resp.tx_results,
            events: resp.events,
        })
    }

    pub async fn commit(&mut self) -> anyhow::Result<()> {
        self.app.commit().await?;
        Ok(())
    }

    /// A decided block: `FinalizeBlock` then `Commit`, as CometBFT delivers it.
    pub async fn block(&mut self, txs: Vec<Vec<u8>>) -> anyhow::Result<BlockOutcome> {
        let outcome = self.finalize(txs).await?;
        self.commit().await?;
        Ok(outcome)
    }

    /// A query through ABCI, decoded; on failure `(codespace, code, log)`.
    pub async fn query<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Resp, (String, u32, String)> {
        let resp = self
            .app
            .query(&RequestQuery {
                data: req.encode_to_vec().into(),
                path: path.into(),
                height: 0,
                prove: false,
            })
            .await;
        if resp.code != 0 {
            return Err((resp.codespace, resp.code, resp.log));
        }
        Resp::decode(resp.value).map_err(|e| (String::new(), 0, e.to_string()))
    }

    pub async fn balance(&self, address: &Address) -> u128 {
        let resp: Result<QueryBalanceResponse, _> = self
            .query(
                "/cosmos.bank.v1beta1.Query/Balance",
                &QueryBalanceRequest {
                    address: address.to_string(),
                    denom: NATIVE_DENOM.into(),
                },
            )
            .await;
        resp.ok()
            .and_then(|r| r.balance)
            .and_then(|c| c.amount.parse().ok())
            .unwrap_or(0)
    }

    pub async fn account(&self, address: &Address) -> Option<BaseAccount> {
        let resp: QueryAccountResponse = self
            .query(
                "/cosmos.auth.v1beta1.Query/Account",
                &QueryAccountRequest {
                    address: address.to_string(),
                },
            )
            .await
            .ok()?;
        BaseAccount::decode(resp.account?.value.as_slice()).ok()
    }

    /// A transaction builder for `key`'s next transaction, with its account number and
    /// sequence from committed state.
    pub async fn tx_for(&self, key: &TestKey, msgs: Vec<Any>) -> anyhow::Result<TxBuilder> {
        let account = self
            .account(&key.address)
            .await
            .with_context(|| format!("{} has no account", key.name))?;
        Ok(TxBuilder::new(
            msgs,
            account.account_number,
            account.sequence,
        ))
    }

    /// A signed `MsgSend` of `amount` ukzn from `from` to `to`, as `from`'s next tx.
    pub async fn signed_send(
        &self,
        from: &TestKey,
        to: &Address,
        amount: u128,
    ) -> anyhow::Result<Vec<u8>> {
        self.tx_for(from, vec![msg_send(&from.address, to, amount)])
            .await?
            .sign(from)
    }
}
