//! `kaizen.da.v1.MsgPayForBlob`: pay for a blob's storage; the current epoch's quorum
//! will hold its shards.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_bank::BankWrite;
use kaizen_da_core::{blob::shard_bytes, blob::CODEC_RS16, codec::check_shape};
use kaizen_framework::{
    parse_amount, Address, Coins, HandlerError, MeteredStateWrite, MsgHandler, TxCtx, NATIVE_DENOM,
};
use kaizen_proto::kaizen::da::v1::{Blob, BlobStatus, MsgPayForBlob};

use crate::{
    error::DaError,
    events::EventBlobPaid,
    genesis::blob_fee,
    state_key,
    view::{DaRead, DaWrite},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayForBlob {
    pub payer: Address,
    pub commitment: [u8; 32],
    pub size: u64,
    pub original_shards: u32,
    pub recovery_shards: u32,
    pub retention_blocks: u64,
    pub max_fee: u128,
}

impl TryFrom<&MsgPayForBlob> for PayForBlob {
    type Error = HandlerError;
    fn try_from(msg: &MsgPayForBlob) -> Result<Self, HandlerError> {
        let commitment: [u8; 32] = msg.commitment.as_slice().try_into().map_err(|_| {
            DaError::InvalidBlob(format!(
                "commitment has {} bytes, want 32",
                msg.commitment.len()
            ))
        })?;
        if msg.codec != CODEC_RS16 {
            return Err(DaError::InvalidBlob(format!(
                "codec {:?} is not supported (only {CODEC_RS16:?})",
                msg.codec
            ))
            .into());
        }
        Ok(Self {
            payer: msg.payer.parse()?,
            commitment,
            size: msg.size,
            original_shards: msg.original_shards,
            recovery_shards: msg.recovery_shards,
            retention_blocks: msg.retention_blocks,
            max_fee: parse_amount(&msg.max_fee)?,
        })
    }
}

#[async_trait]
impl MsgHandler for PayForBlob {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.payer])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.size == 0 || self.size > kaizen_da_core::blob::MAX_BLOB_BYTES {
            return Err(DaError::InvalidBlob(format!(
                "size {} is outside 1..={}",
                self.size,
                kaizen_da_core::blob::MAX_BLOB_BYTES
            ))
            .into());
        }
        let (k, m) = (self.original_shards as usize, self.recovery_shards as usize);
        check_shape(k, m, shard_bytes(self.size, k.max(1)))
            .map_err(|e| DaError::InvalidBlob(e.to_string()))?;
        if self.retention_blocks == 0 {
            return Err(DaError::InvalidBlob("retention_blocks must be positive".into()).into());
        }
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        let gas = ctx.gas;
        let params = state.da_params(gas).await?;
        if self.size > params.max_blob_bytes {
            return Err(DaError::InvalidBlob(format!(
                "size {} is above the chain's max_blob_bytes {}",
                self.size, params.max_blob_bytes
            ))
            .into());
        }
        let total = u64::from(self.original_shards) + u64::from(self.recovery_shards);
        if total > u64::from(params.max_shards) {
            return Err(DaError::InvalidBlob(format!(
                "{total} shards is above the chain's max_shards {}",
                params.max_shards
            ))
            .into());
        }
        if !(params.min_retention_blocks..=params.max_retention_blocks)
            .contains(&self.retention_blocks)
        {
            return Err(DaError::InvalidBlob(format!(
                "retention {} blocks is outside {}..={}",
                self.retention_blocks, params.min_retention_blocks, params.max_retention_blocks
            ))
            .into());
        }
        let hex_commitment = hex::encode(self.commitment);
        if let Some(existing) = state.blob(gas, &self.commitment).await? {
            // An expired blob may be paid for again; so may a payment nobody certified
            // in its window, which no certificate can revive. A front-runner who pays
            // for someone else's commitment (with a shape no certificate will match)
            // thus holds it for one certify window per payment, not for its retention.
            // Its expiry entry goes stale (`process_expiries` checks the height).
            let dead = existing.status == BlobStatus::Expired as i32
                || (existing.status == BlobStatus::Pending as i32
                    && ctx.height > existing.certify_deadline_height);
            if !dead {
                return Err(DaError::BlobExists(hex_commitment).into());
            }
        }
        let fee = blob_fee(&params, self.size, self.retention_blocks)
            .ok_or_else(|| DaError::InvalidBlob("fee overflows".into()))?;
        if fee > self.max_fee {
            return Err(DaError::FeeAboveMax {
                fee,
                max: self.max_fee,
            }
            .into());
        }
        let epoch = state.current_epoch(gas, ctx.height).await?;
        let quorum = state.quorum(gas, epoch).await?;
        if quorum.is_none_or(|q| q.members.is_empty()) {
            return Err(DaError::NoQuorum(epoch).into());
        }
        state
            .send(
                gas,
                &self.payer,
                &crate::da_pool(),
                &Coins::single(NATIVE_DENOM, fee),
            )
            .await?;
        let expires = ctx.height.saturating_add(self.retention_blocks);
        let blob = Blob {
            commitment: self.commitment.to_vec(),
            size: self.size,
            original_shards: self.original_shards,
            recovery_shards: self.recovery_shards,
            shard_bytes: shard_bytes(self.size, self.original_shards as usize) as u64,
            codec: CODEC_RS16.into(),
            payer: self.payer.to_string(),
            fee: fee.to_string(),
            epoch,
            paid_height: ctx.height,
            certify_deadline_height: ctx.height.saturating_add(params.certify_window_blocks),
            expires_height: expires,
            status: BlobStatus::Pending as i32,
            certified_height: 0,
            signer_bitmap: Vec::new(),
            partition: 0,
        };
        state.put_blob(gas, &blob)?;
        state.put_raw_metered(gas, state_key::expiry(expires, &self.commitment), vec![])?;
        state.emit(
            gas,
            &EventBlobPaid {
                commitment: hex_commitment,
                payer: blob.payer.clone(),
                size: self.size,
                fee: blob.fee.clone(),
                epoch,
                expires_height: expires,
            },
        )
    }
}
