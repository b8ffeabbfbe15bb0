//! `kaizen.da.v1.MsgCertifyBlob`: one BLS aggregate signature and a signer bitmap mark a
//! blob available.

use async_trait::async_trait;
use cnidarium::StateWrite;
use kaizen_da_core::assignment::{availability_message, shard_count_of};
use kaizen_framework::{
    bls, parse_amount, Address, HandlerError, MeteredStateWrite, MsgHandler, TxCtx,
};
use kaizen_proto::kaizen::da::v1::{BlobStatus, MsgCertifyBlob};

use crate::{
    error::DaError,
    events::EventBlobCertified,
    view::{DaRead, DaWrite},
};

/// Largest bitmap accepted before reading state: 1024 members.
const MAX_BITMAP_BYTES: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertifyBlob {
    pub submitter: Address,
    pub commitment: [u8; 32],
    pub signer_bitmap: Vec<u8>,
    pub aggregate_signature: Vec<u8>,
}

impl TryFrom<&MsgCertifyBlob> for CertifyBlob {
    type Error = HandlerError;
    fn try_from(msg: &MsgCertifyBlob) -> Result<Self, HandlerError> {
        let commitment: [u8; 32] = msg.commitment.as_slice().try_into().map_err(|_| {
            DaError::InvalidBlob(format!(
                "commitment has {} bytes, want 32",
                msg.commitment.len()
            ))
        })?;
        Ok(Self {
            submitter: msg.submitter.parse()?,
            commitment,
            signer_bitmap: msg.signer_bitmap.clone(),
            aggregate_signature: msg.aggregate_signature.clone(),
        })
    }
}

/// Positions whose bit is set (bit i = byte i/8, bit i%8, least significant first).
pub fn bitmap_positions(bitmap: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    for (byte_index, byte) in bitmap.iter().enumerate() {
        for bit in 0..8 {
            if byte & (1 << bit) != 0 {
                out.push(byte_index * 8 + bit);
            }
        }
    }
    out
}

#[async_trait]
impl MsgHandler for CertifyBlob {
    fn signers(&self) -> Result<Vec<Address>, HandlerError> {
        Ok(vec![self.submitter])
    }

    fn check_stateless(&self) -> Result<(), HandlerError> {
        if self.signer_bitmap.is_empty() || self.signer_bitmap.len() > MAX_BITMAP_BYTES {
            return Err(DaError::InvalidBitmap(format!(
                "{} bytes, want 1..={MAX_BITMAP_BYTES}",
                self.signer_bitmap.len()
            ))
            .into());
        }
        if self.aggregate_signature.len() != bls::SIGNATURE_BYTES {
            return Err(DaError::BadAggregateSignature.into());
        }
        Ok(())
    }

    async fn check_and_execute<S: StateWrite>(
        &self,
        state: &mut S,
        ctx: &TxCtx<'_>,
    ) -> Result<(), HandlerError> {
        // The signatures are the authority over availability; who may carry them is
        // limited to the blob's payer and its quorum's members, so that making a node
        // verify an aggregate (a pairing, in CheckTx where a refusal costs nothing)
        // takes a paid blob or a bonded seat. Every cheap check comes before the pairing.
        let gas = ctx.gas;
        let hex_commitment = hex::encode(self.commitment);
        let mut blob = state
            .blob(gas, &self.commitment)
            .await?
            .ok_or_else(|| DaError::BlobNotFound(hex_commitment.clone()))?;
        match BlobStatus::try_from(blob.status) {
            Ok(BlobStatus::Pending) => {}
            Ok(BlobStatus::Available) => {
                return Err(DaError::AlreadyCertified(hex_commitment).into())
            }
            _ => return Err(DaError::BlobNotFound(hex_commitment).into()),
        }
        if ctx.height > blob.certify_deadline_height {
            return Err(DaError::CertifyTooLate {
                commitment: hex_commitment,
                deadline: blob.certify_deadline_height,
            }
            .into());
        }
        let params = state.da_params(gas).await?;
        let quorum = state
            .quorum(gas, blob.epoch)
            .await?
            .ok_or(DaError::NoQuorum(blob.epoch))?;
        let submitter = self.submitter.to_string();
        if blob.payer != submitter && !quorum.members.iter().any(|m| m.operator == submitter) {
            return Err(DaError::NotCertifier {
                submitter,
                commitment: hex_commitment,
            }
            .into());
        }
        let n = quorum.members.len();
        if self.signer_bitmap.len() != n.div_ceil(8) {
            return Err(DaError::InvalidBitmap(format!(
                "{} bytes for a quorum of {n}, want {}",
                self.signer_bitmap.len(),
                n.div_ceil(8)
            ))
            .into());
        }
        let positions = bitmap_positions(&self.signer_bitmap);
        if positions.is_empty() {
            return Err(DaError::InvalidBitmap("no signers".into()).into());
        }
        if let Some(beyond) = positions.iter().find(|&&p| p >= n) {
            return Err(DaError::InvalidBitmap(format!(
                "bit {beyond} names no member of a quorum of {n}"
            ))
            .into());
        }
        let total = blob.original_shards as usize + blob.recovery_shards as usize;
        let mut held: u64 = 0;
        let mut bond: u128 = 0;
        for &p in &positions {
            held = held.saturating_add(shard_count_of(&self.commitment, p, total, n) as u64);
            bond = bond
                .checked_add(parse_amount(&quorum.members[p].bond)?)
                .ok_or_else(|| HandlerError::internal("bond overflows"))?;
        }
        if held < u64::from(blob.original_shards) {
            return Err(DaError::NotEnoughShards {
                held,
                needed: u64::from(blob.original_shards),
            }
            .into());
        }
        let needed = parse_amount(&quorum.total_bond)?
            .checked_mul(u128::from(params.certify_bond_ppm))
            .ok_or_else(|| HandlerError::internal("bond threshold overflows"))?
            .div_ceil(1_000_000);
        if bond < needed {
            return Err(DaError::NotEnoughBond { held: bond, needed }.into());
        }
        let schedule = *gas.schedule();
        gas.consume(
            schedule.bls_pairing.saturating_add(
                schedule
                    .bls_key_aggregate
                    .saturating_mul(positions.len() as u64),
            ),
            "bls aggregate verify",
        )?;
        let keys: Vec<&[u8]> = positions
            .iter()
            .map(|&p| quorum.members[p].bls_public_key.as_slice())
            .collect();
        let message =
            availability_message(ctx.chain_id, &self.commitment, blob.epoch, blob.paid_height);
        bls::verify_aggregate(&keys, &message, &self.aggregate_signature)
            .map_err(|_| DaError::BadAggregateSignature)?;

        blob.status = BlobStatus::Available as i32;
        blob.certified_height = ctx.height;
        blob.signer_bitmap = self.signer_bitmap.clone();
        state.put_blob(gas, &blob)?;
        state.live_insert(gas, &self.commitment).await?;
        state.emit(
            gas,
            &EventBlobCertified {
                commitment: hex_commitment,
                signers: positions.len() as u32,
                shards_held: held as u32,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_bits_are_least_significant_first() {
        assert_eq!(
            bitmap_positions(&[0b0000_0101, 0b1000_0000]),
            vec![0, 2, 15]
        );
        assert!(bitmap_positions(&[0, 0]).is_empty());
    }
}
