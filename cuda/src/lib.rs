//! Kaizen's CUDA support (DESIGN.md §5), loaded at run time: the crate builds and runs on
//! machines without CUDA, where [`probe`] says why no device is usable.
//!
//! - [`probe`]: device probing (and `cuda-copy-limits`, the physical copy limits).
//! - [`GpuCoder`]: the GPU erasure coder, byte-identical to `reed-solomon-simd` (the CPU
//!   codec of `kaizen_da_core::CpuCoder`), with batched, stream-overlapped variants
//!   ([`EncodeBatch`], [`DecodeBatch`]). It runs the DA core's input checks first, so it
//!   refuses bad input with the same [`kaizen_da_core::CodecError`] as the CPU coder.
//! - [`CudaCoder`]: the DA core's [`kaizen_da_core::ErasureCoder`] on the GPU, and
//!   [`choose_coder`] / [`select_coder`], the `--coder auto|cpu|cuda` choice between it
//!   and the CPU coder.

use std::{panic::AssertUnwindSafe, sync::Arc};

mod choice;
mod coder;
mod plan;

pub use choice::{choose_coder, select_coder, CoderChoice, CudaCoder};
pub use coder::{
    decode_work_bytes, encode_work_bytes, DecodeBatch, EncodeBatch, GpuCoder, GpuError,
};

pub use cudarc::driver::CudaContext;

/// A usable CUDA device.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub ordinal: usize,
    pub name: String,
    pub count: i32,
}

/// Opens device 0, or says why it cannot. cudarc panics (rather than erring) when the
/// driver library is missing, so the calls run behind `catch_unwind`.
pub fn probe() -> Result<(Arc<CudaContext>, DeviceInfo), String> {
    // The expected panic (no driver) is reported as an error below; keep the default hook
    // from printing it and a backtrace to stderr meanwhile. Probing happens at start-up.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let attempt = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let count = CudaContext::device_count().map_err(|e| format!("cuDeviceGetCount: {e}"))?;
        if count < 1 {
            return Err("the CUDA driver reports no device".to_string());
        }
        let ctx = CudaContext::new(0).map_err(|e| format!("opening device 0: {e}"))?;
        let name = ctx.name().map_err(|e| format!("device name: {e}"))?;
        Ok((
            ctx,
            DeviceInfo {
                ordinal: 0,
                name,
                count,
            },
        ))
    }));
    std::panic::set_hook(hook);
    match attempt {
        Ok(r) => r,
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("no usable CUDA driver: {text}"))
        }
    }
}
