//! Metered access to state: every read and write a handler makes is paid for in gas.
//! Stored values are protobuf messages.

use async_trait::async_trait;
use cnidarium::{StateRead, StateWrite};

use crate::{error::HandlerError, event::TypedEvent, gas::GasMeter, queue::queue_height};

#[async_trait]
pub trait MeteredStateRead: StateRead {
    async fn get_raw_metered(
        &self,
        gas: &GasMeter,
        key: &str,
    ) -> Result<Option<Vec<u8>>, HandlerError> {
        let schedule = *gas.schedule();
        gas.consume(schedule.read_flat, "read")?;
        let value = self.get_raw(key).await.map_err(HandlerError::internal)?;
        if let Some(v) = &value {
            gas.consume_bytes(0, schedule.read_byte, v.len(), "read")?;
        }
        Ok(value)
    }

    async fn get_proto_metered<T: prost::Message + Default>(
        &self,
        gas: &GasMeter,
        key: &str,
    ) -> Result<Option<T>, HandlerError> {
        match self.get_raw_metered(gas, key).await? {
            None => Ok(None),
            Some(bytes) => T::decode(bytes.as_slice())
                .map(Some)
                .map_err(|e| HandlerError::internal(format!("stored value at {key}: {e}"))),
        }
    }
}

impl<S: StateRead + ?Sized> MeteredStateRead for S {}

pub trait MeteredStateWrite: StateWrite {
    fn put_raw_metered(
        &mut self,
        gas: &GasMeter,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), HandlerError> {
        let schedule = *gas.schedule();
        gas.consume_bytes(
            schedule.write_flat,
            schedule.write_byte,
            key.len().saturating_add(value.len()),
            "write",
        )?;
        self.put_raw(key, value);
        Ok(())
    }

    fn put_proto_metered<T: prost::Message>(
        &mut self,
        gas: &GasMeter,
        key: String,
        value: &T,
    ) -> Result<(), HandlerError> {
        self.put_raw_metered(gas, key, value.encode_to_vec())
    }

    fn delete_metered(&mut self, gas: &GasMeter, key: String) -> Result<(), HandlerError> {
        gas.consume(gas.schedule().delete, "delete")?;
        self.delete(key);
        Ok(())
    }

    fn emit<E: TypedEvent>(&mut self, gas: &GasMeter, event: &E) -> Result<(), HandlerError> {
        gas.consume(gas.schedule().event, "event")?;
        self.record(crate::event::to_abci(event));
        Ok(())
    }
}

impl<S: StateWrite + ?Sized> MeteredStateWrite for S {}

/// The entries of the height-keyed queue under `prefix` that are due at `upto` or
/// before, oldest first, at most `limit`: how block hooks bound their work per block.
pub async fn due_queue_keys<S: StateRead + ?Sized>(
    state: &S,
    prefix: &str,
    upto: u64,
    limit: usize,
) -> Result<Vec<String>, HandlerError> {
    use futures::StreamExt;
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let mut stream = Box::pin(state.prefix_keys(prefix));
    while let Some(key) = stream.next().await {
        let key = key.map_err(HandlerError::internal)?;
        match queue_height(&key, prefix) {
            Some(h) if h <= upto => out.push(key),
            _ => break,
        }
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}
