//! The GPU erasure coder: `reed-solomon-simd`'s code (Leopard-style Reed-Solomon over
//! GF(2^16)) on an NVIDIA GPU, byte-identical to the CPU codec.
//!
//! - [`GpuCoder::encode`] / [`GpuCoder::reconstruct`]: the same semantics and errors as
//!   `kaizen_da_core::CpuCoder` (host slices in, `Vec`s out).
//! - [`EncodeBatch`] / [`DecodeBatch`]: many blobs of one shape, each slot with its own
//!   stream, reused pinned host buffers and device buffers, so that one blob's copies
//!   overlap another's kernels.
//!
//! The kernels (kernels.cu) are compiled with NVRTC once per coder; the codec's Mul16
//! and skew tables (taken from `reed-solomon-simd` itself) are uploaded once; a byte-wise
//! product table is derived from Mul16 on the device.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use cudarc::{
    driver::{
        sys, CudaContext, CudaFunction, CudaSlice, CudaStream, DriverError, LaunchConfig,
        PinnedHostSlice, PushKernelArg,
    },
    nvrtc::CompileOptions,
};
use kaizen_da_core::codec::{check_encode, check_reconstruct, check_shape, CodecError};
use reed_solomon_simd::engine::tables;

use crate::plan::{self, DecodePlan, Exec, Skip};

const KERNELS: &str = include_str!("kernels.cu");
const THREADS: u32 = 256;
/// Input bytes per column slice of the formal derivative (2 MiB measured 5% faster on an
/// H100 than 4-16 MiB: the slice stays in L2 while the output streams past it,
/// whole warps of units at the least); `KAIZEN_CUDA_DERIVATIVE_SLICE_KIB` overrides
/// it (for measurements).
const DERIVATIVE_SLICE_BYTES: usize = 2 << 20;

fn derivative_slice_bytes() -> usize {
    std::env::var("KAIZEN_CUDA_DERIVATIVE_SLICE_KIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&k| (64..=1 << 20).contains(&k))
        .map_or(DERIVATIVE_SLICE_BYTES, |k| k << 10)
}

/// Errors of the GPU coder. Bad input is refused before any device work with the
/// codec's own errors ([`GpuError::Input`], from `kaizen_da_core::codec::check_*`, the
/// checks the CPU coder runs), so both coders refuse the same inputs the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    #[error(transparent)]
    Input(#[from] CodecError),
    #[error("no usable GPU: {0}")]
    NoDevice(String),
    #[error("out of device memory ({bytes} bytes wanted)")]
    OutOfDeviceMemory { bytes: usize },
    #[error("compiling the CUDA kernels: {0}")]
    Compile(String),
    #[error("CUDA: {0}")]
    Device(String),
}

impl From<DriverError> for GpuError {
    fn from(e: DriverError) -> Self {
        if e.0 == sys::CUresult::CUDA_ERROR_OUT_OF_MEMORY {
            GpuError::OutOfDeviceMemory { bytes: 0 }
        } else {
            GpuError::Device(format!("{e:?}"))
        }
    }
}

/// Device memory one blob's encode takes (its work buffer), in bytes.
pub fn encode_work_bytes(k: usize, m: usize, shard_bytes: usize) -> usize {
    plan::encode_work_count(k, m).saturating_mul(shard_bytes)
}

/// Device memory one blob's decode takes (the `received` shards and two work buffers),
/// in bytes.
pub fn decode_work_bytes(k: usize, m: usize, received: usize, shard_bytes: usize) -> usize {
    (received + 2 * plan::decode_work_count(k, m)).saturating_mul(shard_bytes)
}

/// Largest shard the kernels address (8-byte units counted in 32 bits): 32 GiB. The CPU
/// codec has no such limit, so this is checked after its checks, as a device error.
pub const MAX_GPU_SHARD_BYTES: usize = (u32::MAX as usize) * 8;

fn check_device_shard(shard_bytes: usize) -> Result<(), GpuError> {
    if shard_bytes > MAX_GPU_SHARD_BYTES {
        return Err(GpuError::Device(format!(
            "shard size {shard_bytes} is over the GPU coder's {MAX_GPU_SHARD_BYTES} bytes"
        )));
    }
    Ok(())
}

struct Kernels {
    fft: [CudaFunction; 4],
    ifft: [CudaFunction; 4],
    xor_reduce: CudaFunction,
    broadcast: CudaFunction,
    derivative: CudaFunction,
    scatter_scale: CudaFunction,
    gather_scale: CudaFunction,
}

/// The GPU coder: one CUDA context, its compiled kernels and tables.
pub struct GpuCoder {
    ctx: Arc<CudaContext>,
    kernels: Kernels,
    /// Per log_m, the products of every low byte and every high byte (64 MiB).
    mul8: CudaSlice<u16>,
    skew: CudaSlice<u16>,
    /// Stands in for a decoder's skip table where there is none (the encoder).
    no_skip: CudaSlice<u32>,
    /// For [`GpuCoder::encode`] / [`GpuCoder::reconstruct`]; calls are serialized on it.
    stream: Mutex<Arc<CudaStream>>,
    sm_count: u32,
    derivative_slice_bytes: usize,
}

/// Blocks of 256 threads per SM the transform kernels are compiled for (a register cap:
/// 4 blocks = 64 registers a thread, measured slightly faster on an H100 than the
/// compiler's 80-96 registers at 2-3 blocks); `KAIZEN_CUDA_MIN_BLOCKS` overrides it.
fn min_blocks() -> u32 {
    std::env::var("KAIZEN_CUDA_MIN_BLOCKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| (1..=8).contains(&n))
        .unwrap_or(4)
}

fn alloc(stream: &Arc<CudaStream>, bytes: usize) -> Result<CudaSlice<u8>, GpuError> {
    // SAFETY: every byte is written (copy, memset or kernel) before it is read.
    unsafe { stream.alloc::<u8>(bytes.max(1)) }.map_err(|e| match GpuError::from(e) {
        GpuError::OutOfDeviceMemory { .. } => GpuError::OutOfDeviceMemory { bytes },
        other => other,
    })
}

fn pinned(ctx: &Arc<CudaContext>, bytes: usize) -> Result<PinnedHostSlice<u8>, GpuError> {
    // SAFETY: callers write the buffer before the device reads it.
    Ok(unsafe { ctx.alloc_pinned_with_flags::<u8>(bytes.max(1), 0) }?)
}

impl GpuCoder {
    /// Compiles the kernels for `ctx`'s device and uploads the tables.
    pub fn new(ctx: Arc<CudaContext>) -> Result<Self, GpuError> {
        let (major, minor) = ctx.compute_capability()?;
        let arch: &'static str = Box::leak(format!("compute_{major}{minor}").into_boxed_str());
        let opts = CompileOptions {
            arch: Some(arch),
            options: vec![
                "-default-device".into(),
                "-std=c++17".into(),
                format!("-DKZ_MIN_BLOCKS={}", min_blocks()),
            ],
            ..Default::default()
        };
        let ptx = cudarc::nvrtc::compile_ptx_with_opts(KERNELS, opts)
            .map_err(|e| GpuError::Compile(format!("{e:?}")))?;
        let module = ctx.load_module(ptx)?;
        let f = |name: &str| module.load_function(name);
        let kernels = Kernels {
            fft: [
                f("fft_pass_1")?,
                f("fft_pass_2")?,
                f("fft_pass_3")?,
                f("fft_pass_4")?,
            ],
            ifft: [
                f("ifft_pass_1")?,
                f("ifft_pass_2")?,
                f("ifft_pass_3")?,
                f("ifft_pass_4")?,
            ],
            xor_reduce: f("xor_reduce")?,
            broadcast: f("broadcast")?,
            derivative: f("formal_derivative")?,
            scatter_scale: f("scatter_scale")?,
            gather_scale: f("gather_scale")?,
        };
        // Every buffer here is used on the one stream that allocated it (batch slots each
        // have their own), shared tables are synchronized after upload, and batches wait
        // for their streams before they free anything (Drop below), so cudarc's per-use
        // event tracking across streams is not needed; it costs several driver calls per
        // launch, which shows with small blobs.
        // SAFETY: see above; slices created from now on skip the tracking.
        unsafe { ctx.disable_event_tracking() };
        let stream = ctx.new_stream()?;
        let mul16: Vec<u16> = tables::get_mul16()
            .iter()
            .flat_map(|lut| lut.iter().flat_map(|row| row.iter().copied()))
            .collect();
        let mul16 = stream.clone_htod(&mul16)?;
        let skew = stream.clone_htod(&tables::get_skew()[..])?;
        let mut mul8 = stream.alloc_zeros::<u16>(65536 * 512)?;
        let build = module.load_function("build_mul8")?;
        // SAFETY: argument types match `build_mul8`; it writes 65536 * 512 entries.
        unsafe {
            stream
                .launch_builder(&build)
                .arg(&mul16)
                .arg(&mut mul8)
                .launch(LaunchConfig {
                    grid_dim: (4096, 1, 1),
                    block_dim: (THREADS, 1, 1),
                    shared_mem_bytes: 0,
                })?;
        }
        stream.synchronize()?;
        ctx.check_err()?;
        drop(mul16);
        let no_skip = stream.alloc_zeros::<u32>(1)?;
        stream.synchronize()?;
        let sm_count = ctx
            .attribute(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?
            .max(1) as u32;
        Ok(Self {
            ctx,
            kernels,
            mul8,
            skew,
            no_skip,
            stream: Mutex::new(stream),
            sm_count,
            derivative_slice_bytes: derivative_slice_bytes(),
        })
    }

    /// Opens device 0 ([`crate::probe`]) and builds a coder on it.
    pub fn open() -> Result<Self, GpuError> {
        let (ctx, _) = crate::probe().map_err(GpuError::NoDevice)?;
        Self::new(ctx)
    }

    pub fn context(&self) -> &Arc<CudaContext> {
        &self.ctx
    }

    fn stream(&self) -> Result<Arc<CudaStream>, GpuError> {
        self.stream
            .lock()
            .map(|s| s.clone())
            .map_err(|_| GpuError::Device("coder stream lock poisoned".into()))
    }

    /// The `recovery_count` recovery shards of `originals`, byte-identical to the CPU codec.
    pub fn encode(
        &self,
        originals: &[&[u8]],
        recovery_count: usize,
    ) -> Result<Vec<Vec<u8>>, GpuError> {
        let k = originals.len();
        let m = recovery_count;
        let s = check_encode(originals, m)?;
        check_device_shard(s)?;
        let guard = self
            .stream
            .lock()
            .map_err(|_| GpuError::Device("coder stream lock poisoned".into()))?;
        let stream = &*guard;
        let wc = plan::encode_work_count(k, m);
        let mut work = alloc(stream, wc * s)?;
        let host: Vec<u8> = originals.iter().flat_map(|o| o.iter().copied()).collect();
        stream.memcpy_htod(&host, &mut work.slice_mut(0..k * s))?;
        if wc > k {
            stream.memset_zeros(&mut work.slice_mut(k * s..wc * s))?;
        }
        plan::run_encode(&mut self.exec(stream, &mut work, None, s), k, m)?;
        let out = stream.clone_dtoh(&work.slice(0..m * s))?;
        stream.synchronize()?;
        self.ctx.check_err()?;
        Ok(out.chunks_exact(s).map(<[u8]>::to_vec).collect())
    }

    /// The `original_count` originals from any `original_count` or more of the shards,
    /// keyed by index (`0..k` originals, `k..k+m` recovery), like the CPU codec.
    pub fn reconstruct(
        &self,
        original_count: usize,
        recovery_count: usize,
        shards: &BTreeMap<usize, Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, GpuError> {
        let (k, m) = (original_count, recovery_count);
        let s = check_reconstruct(k, m, shards)?;
        check_device_shard(s)?;
        if (0..k).all(|i| shards.contains_key(&i)) {
            return Ok((0..k).filter_map(|i| shards.get(&i).cloned()).collect());
        }
        let received: Vec<usize> = shards.keys().copied().collect();
        let plan = DecodePlan::new(k, m, &received);
        let stream = self.stream()?;
        let _serial = self
            .stream
            .lock()
            .map_err(|_| GpuError::Device("coder stream lock poisoned".into()))?;
        let tables = DecodeTables::upload(&stream, &plan)?;
        let host: Vec<u8> = shards.values().flat_map(|v| v.iter().copied()).collect();
        let mut input = alloc(&stream, received.len() * s)?;
        stream.memcpy_htod(&host, &mut input)?;
        let mut a = alloc(&stream, plan.work_count * s)?;
        let mut b = alloc(&stream, plan.work_count * s)?;
        let out_in_b = self.decode_on_device(&stream, &plan, &tables, &input, &mut a, &mut b, s)?;
        let out_buf = if out_in_b { &b } else { &a };
        let out = stream.clone_dtoh(&out_buf.slice(0..plan.missing.len() * s))?;
        stream.synchronize()?;
        self.ctx.check_err()?;
        let mut restored: BTreeMap<usize, &[u8]> = plan
            .missing
            .iter()
            .zip(out.chunks_exact(s))
            .map(|(&i, c)| (i, c))
            .collect();
        (0..k)
            .map(|i| {
                shards
                    .get(&i)
                    .cloned()
                    .or_else(|| restored.remove(&i).map(<[u8]>::to_vec))
                    .ok_or(GpuError::Input(CodecError::NotEnoughShards {
                        got: shards.len(),
                        need: k,
                    }))
            })
            .collect()
    }

    fn exec<'a>(
        &'a self,
        stream: &'a Arc<CudaStream>,
        work: &'a mut CudaSlice<u8>,
        scratch: Option<&'a mut CudaSlice<u8>>,
        shard_bytes: usize,
    ) -> DevExec<'a> {
        DevExec {
            tables: None,
            coder: self,
            stream,
            work,
            scratch,
            shard_bytes,
            swapped: false,
        }
    }

    fn grid(&self, total: u64) -> LaunchConfig {
        let blocks = total.div_ceil(u64::from(THREADS)).max(1);
        let cap = u64::from(self.sm_count) * 64;
        LaunchConfig {
            grid_dim: (blocks.min(cap) as u32, 1, 1),
            block_dim: (THREADS, 1, 1),
            shared_mem_bytes: 0,
        }
    }

    /// Enqueues the whole decode: `input` (received shards, ascending index) →
    /// missing originals at the start of `a` (returns false) or `b` (returns true).
    #[allow(clippy::too_many_arguments)]
    fn decode_on_device(
        &self,
        stream: &Arc<CudaStream>,
        plan: &DecodePlan,
        t: &DecodeTables,
        input: &CudaSlice<u8>,
        a: &mut CudaSlice<u8>,
        b: &mut CudaSlice<u8>,
        s: usize,
    ) -> Result<bool, GpuError> {
        let units = (s / 8) as u32;
        let sb = s as u64;
        let n = plan.work_count as u32;
        // SAFETY: argument types match the kernel's signature; every index stays inside
        // the buffers (map entries < received count, positions < work_count).
        unsafe {
            stream
                .launch_builder(&self.kernels.scatter_scale)
                .arg(input)
                .arg(&mut *a)
                .arg(&sb)
                .arg(&units)
                .arg(&n)
                .arg(&t.map)
                .arg(&t.factor)
                .arg(&self.mul8)
                .launch(self.grid(u64::from(n) * u64::from(units)))?;
        }
        let mut e = self.exec(stream, a, Some(b), s);
        e.tables = Some(t);
        plan::run_decode_core(&mut e, plan)?;
        let swapped = e.swapped;
        let (cur, other) = if swapped {
            (&*b, &mut *a)
        } else {
            (&*a, &mut *b)
        };
        let count = plan.missing.len() as u32;
        // SAFETY: as above; `pos` entries < work_count, output has `count` shards.
        unsafe {
            stream
                .launch_builder(&self.kernels.gather_scale)
                .arg(cur)
                .arg(other)
                .arg(&sb)
                .arg(&units)
                .arg(&count)
                .arg(&t.missing_pos)
                .arg(&t.missing_factor)
                .arg(&self.mul8)
                .launch(self.grid(u64::from(count) * u64::from(units)))?;
        }
        Ok(!swapped)
    }
}

/// A decode plan's per-position arrays, on the device.
struct DecodeTables {
    map: CudaSlice<u32>,
    factor: CudaSlice<u16>,
    missing_pos: CudaSlice<u32>,
    missing_factor: CudaSlice<u16>,
    received_prefix: CudaSlice<u32>,
    wanted_prefix: CudaSlice<u32>,
}

impl DecodeTables {
    fn upload(stream: &Arc<CudaStream>, plan: &DecodePlan) -> Result<Self, GpuError> {
        Ok(Self {
            map: stream.clone_htod(&plan.map)?,
            factor: stream.clone_htod(&plan.factor)?,
            missing_pos: stream.clone_htod(&plan.missing_pos)?,
            missing_factor: stream.clone_htod(&plan.missing_factor)?,
            received_prefix: stream.clone_htod(&plan.received_prefix)?,
            wanted_prefix: stream.clone_htod(&plan.wanted_prefix)?,
        })
    }
}

struct DevExec<'a> {
    coder: &'a GpuCoder,
    /// The decoder's tables (skip prefixes), if decoding.
    tables: Option<&'a DecodeTables>,
    stream: &'a Arc<CudaStream>,
    work: &'a mut CudaSlice<u8>,
    scratch: Option<&'a mut CudaSlice<u8>>,
    shard_bytes: usize,
    /// Whether the current data is in `scratch` (after an odd number of derivatives).
    swapped: bool,
}

impl DevExec<'_> {
    fn bufs(&mut self) -> (&mut CudaSlice<u8>, Option<&mut CudaSlice<u8>>) {
        match (&mut self.scratch, self.swapped) {
            (Some(s), true) => (&mut **s, Some(&mut *self.work)),
            (Some(s), false) => (&mut *self.work, Some(&mut **s)),
            (None, _) => (&mut *self.work, None),
        }
    }
}

impl Exec for DevExec<'_> {
    type Err = GpuError;

    fn transform(
        &mut self,
        skip: Skip,
        inverse: bool,
        log_size: u32,
        nblk: usize,
        trunc: usize,
        sd_base: usize,
        sd_step: usize,
    ) -> Result<(), GpuError> {
        let coder = self.coder;
        let (prefix, use_skip) = match (self.tables, skip) {
            (Some(t), Skip::Unreceived) => (&t.received_prefix, 1u32),
            (Some(t), Skip::Unwanted) => (&t.wanted_prefix, 1u32),
            _ => (&coder.no_skip, 0u32),
        };
        let stream = self.stream;
        let sb = self.shard_bytes as u64;
        let units = (self.shard_bytes / 8) as u32;
        let (nblk, trunc, sd_base, sd_step) =
            (nblk as u32, trunc as u32, sd_base as u32, sd_step as u32);
        let (work, _) = self.bufs();
        for (log_d, l) in plan::passes(log_size, inverse) {
            let f = if inverse {
                &coder.kernels.ifft[l as usize - 1]
            } else {
                &coder.kernels.fft[l as usize - 1]
            };
            let total = u64::from(nblk) * ((1u64 << log_size) >> l) * u64::from(units);
            // SAFETY: argument types match `fft_pass_L`/`ifft_pass_L`; the kernel touches
            // shards below nblk << log_size <= the buffer's shard count and skew entries
            // below the truncation bound, as the CPU codec does.
            unsafe {
                stream
                    .launch_builder(f)
                    .arg(&mut *work)
                    .arg(&sb)
                    .arg(&units)
                    .arg(&log_size)
                    .arg(&log_d)
                    .arg(&nblk)
                    .arg(&trunc)
                    .arg(&sd_base)
                    .arg(&sd_step)
                    .arg(&coder.skew)
                    .arg(&coder.mul8)
                    .arg(prefix)
                    .arg(&use_skip)
                    .launch(coder.grid(total))?;
            }
        }
        Ok(())
    }

    fn xor_reduce(&mut self, chunk: usize, nblk: usize) -> Result<(), GpuError> {
        let coder = self.coder;
        let stream = self.stream;
        let sb = self.shard_bytes as u64;
        let units = (self.shard_bytes / 8) as u32;
        let (chunk, nblk) = (chunk as u32, nblk as u32);
        let (work, _) = self.bufs();
        // SAFETY: argument types match `xor_reduce`; shards < chunk * nblk.
        unsafe {
            stream
                .launch_builder(&coder.kernels.xor_reduce)
                .arg(&mut *work)
                .arg(&sb)
                .arg(&units)
                .arg(&chunk)
                .arg(&nblk)
                .launch(coder.grid(u64::from(chunk) * u64::from(units)))?;
        }
        Ok(())
    }

    fn broadcast(&mut self, chunk: usize, nblk: usize) -> Result<(), GpuError> {
        let coder = self.coder;
        let stream = self.stream;
        let words = (chunk * self.shard_bytes / 16) as u64;
        let nblk = nblk as u32;
        let (work, _) = self.bufs();
        // SAFETY: argument types match `broadcast`; writes below nblk * chunk shards.
        unsafe {
            stream
                .launch_builder(&coder.kernels.broadcast)
                .arg(&mut *work)
                .arg(&words)
                .arg(&nblk)
                .launch(coder.grid(words * u64::from(nblk - 1)))?;
        }
        Ok(())
    }

    fn derivative(&mut self, log_n: u32) -> Result<(), GpuError> {
        let coder = self.coder;
        let stream = self.stream;
        let sb = self.shard_bytes as u64;
        let units = (self.shard_bytes / 8) as u32;
        let (cur, other) = self.bufs();
        let other =
            other.ok_or_else(|| GpuError::Device("derivative needs a scratch buffer".into()))?;
        // Column slices of about `derivative_slice_bytes` of input in all (whole warps of
        // units), so that a slice's shards stay in L2 while it is read.
        let slice_units = ((coder.derivative_slice_bytes / 8) >> log_n)
            .max(32)
            .min(units as usize) as u32;
        // SAFETY: argument types match `formal_derivative`; both buffers hold 2^log_n
        // shards.
        unsafe {
            stream
                .launch_builder(&coder.kernels.derivative)
                .arg(&*cur)
                .arg(other)
                .arg(&sb)
                .arg(&units)
                .arg(&log_n)
                .arg(&slice_units)
                .launch(coder.grid((1u64 << log_n) * u64::from(units)))?;
        }
        self.swapped = !self.swapped;
        Ok(())
    }
}

/// One in-flight blob's buffers.
struct Slot {
    stream: Arc<CudaStream>,
    host_in: PinnedHostSlice<u8>,
    host_out: PinnedHostSlice<u8>,
    input: Option<CudaSlice<u8>>,
    a: CudaSlice<u8>,
    b: Option<CudaSlice<u8>>,
    /// Bytes of `host_out` that hold a result.
    out_len: usize,
    /// The blob whose results this slot holds once its stream is done, and for decode,
    /// whether they are in `b`.
    pending: Option<(usize, bool)>,
}

/// Encodes many blobs of one shape (`k` originals of `shard_bytes`, `m` recovery) with
/// `depth` blobs in flight, each on its own stream, through reused pinned buffers.
pub struct EncodeBatch<'c> {
    coder: &'c GpuCoder,
    k: usize,
    m: usize,
    s: usize,
    work_count: usize,
    slots: Vec<Slot>,
}

impl GpuCoder {
    /// A batch encoder; allocates `depth` slots of pinned and device memory.
    pub fn encode_batch(
        &self,
        k: usize,
        m: usize,
        shard_bytes: usize,
        depth: usize,
    ) -> Result<EncodeBatch<'_>, GpuError> {
        check_shape(k, m, shard_bytes)?;
        check_device_shard(shard_bytes)?;
        let s = shard_bytes;
        let work_count = plan::encode_work_count(k, m);
        let mut slots = Vec::new();
        for _ in 0..depth.max(1) {
            let stream = self.ctx.new_stream()?;
            let a = alloc(&stream, work_count * s)?;
            slots.push(Slot {
                host_in: pinned(&self.ctx, k * s)?,
                host_out: pinned(&self.ctx, m * s)?,
                input: None,
                a,
                b: None,
                out_len: m * s,
                pending: None,
                stream,
            });
        }
        Ok(EncodeBatch {
            coder: self,
            k,
            m,
            s,
            work_count,
            slots,
        })
    }
}

impl EncodeBatch<'_> {
    fn enqueue(&mut self, i: usize) -> Result<(), GpuError> {
        let (k, m, s, wc) = (self.k, self.m, self.s, self.work_count);
        let coder = self.coder;
        let depth = self.slots.len();
        let slot = &mut self.slots[i % depth];
        let stream = slot.stream.clone();
        stream.memcpy_htod(&slot.host_in, &mut slot.a.slice_mut(0..k * s))?;
        if wc > k {
            stream.memset_zeros(&mut slot.a.slice_mut(k * s..wc * s))?;
        }
        plan::run_encode(&mut coder.exec(&stream, &mut slot.a, None, s), k, m)?;
        stream.memcpy_dtoh(&slot.a.slice(0..m * s), &mut slot.host_out)?;
        slot.pending = Some((i, false));
        Ok(())
    }

    fn finish(
        slot: &mut Slot,
        coder: &GpuCoder,
        take: &mut impl FnMut(usize, &[u8]),
    ) -> Result<(), GpuError> {
        if let Some((j, _)) = slot.pending.take() {
            slot.stream.synchronize()?;
            coder.ctx.check_err()?;
            let out = slot.host_out.as_slice()?;
            take(j, &out[..slot.out_len.min(out.len())]);
        }
        Ok(())
    }

    /// Encodes `count` blobs: `fill(i, buf)` writes blob `i`'s originals, shard after
    /// shard (`k * shard_bytes` bytes of pinned memory); `take(i, buf)` gets its recovery
    /// shards the same way (`m * shard_bytes`). Results come in order.
    pub fn run(
        &mut self,
        count: usize,
        mut fill: impl FnMut(usize, &mut [u8]),
        mut take: impl FnMut(usize, &[u8]),
    ) -> Result<(), GpuError> {
        let depth = self.slots.len();
        for i in 0..count {
            let coder = self.coder;
            let slot = &mut self.slots[i % depth];
            Self::finish(slot, coder, &mut take)?;
            fill(i, slot.host_in.as_mut_slice()?);
            self.enqueue(i)?;
        }
        for i in count..count + depth {
            let coder = self.coder;
            Self::finish(&mut self.slots[i % depth], coder, &mut take)?;
        }
        Ok(())
    }

    /// Kernel-only timing: re-encodes what slot 0's device buffer holds (no host copies),
    /// `reps` times; seconds per encode, measured with CUDA events.
    pub fn time_device_only(&mut self, reps: usize) -> Result<Vec<f64>, GpuError> {
        let (k, m, s, wc) = (self.k, self.m, self.s, self.work_count);
        let coder = self.coder;
        let slot = &mut self.slots[0];
        let stream = slot.stream.clone();
        let start = coder
            .ctx
            .new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT))?;
        let end = coder
            .ctx
            .new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT))?;
        let mut out = Vec::new();
        for _ in 0..reps {
            start.record(&stream)?;
            if wc > k {
                stream.memset_zeros(&mut slot.a.slice_mut(k * s..wc * s))?;
            }
            plan::run_encode(&mut coder.exec(&stream, &mut slot.a, None, s), k, m)?;
            end.record(&stream)?;
            end.synchronize()?;
            coder.ctx.check_err()?;
            out.push(f64::from(start.elapsed_ms(&end)?) / 1e3);
        }
        Ok(out)
    }
}

/// Decodes many blobs of one shape that all lack the same shards (one erasure pattern),
/// `depth` in flight, each on its own stream, through reused pinned buffers.
pub struct DecodeBatch<'c> {
    coder: &'c GpuCoder,
    s: usize,
    plan: DecodePlan,
    received: usize,
    tables: DecodeTables,
    slots: Vec<Slot>,
}

impl GpuCoder {
    /// A batch decoder for blobs of `k + m` shards of `shard_bytes` of which exactly the
    /// shards `received` (ascending indexes) are present; at least one original must be
    /// missing (otherwise there is nothing to decode).
    pub fn decode_batch(
        &self,
        k: usize,
        m: usize,
        shard_bytes: usize,
        received: &[usize],
        depth: usize,
    ) -> Result<DecodeBatch<'_>, GpuError> {
        check_shape(k, m, shard_bytes)?;
        check_device_shard(shard_bytes)?;
        let mut last = None;
        for &index in received {
            if index >= k + m || last.is_some_and(|l| index <= l) {
                return Err(CodecError::InvalidShardIndex {
                    index,
                    total: k + m,
                }
                .into());
            }
            last = Some(index);
        }
        if received.len() < k {
            return Err(CodecError::NotEnoughShards {
                got: received.len(),
                need: k,
            }
            .into());
        }
        let s = shard_bytes;
        let plan = DecodePlan::new(k, m, received);
        let first = self.ctx.new_stream()?;
        let tables = DecodeTables::upload(&first, &plan)?;
        first.synchronize()?;
        let mut slots = Vec::new();
        for _ in 0..depth.max(1) {
            let stream = self.ctx.new_stream()?;
            let input = Some(alloc(&stream, received.len() * s)?);
            let a = alloc(&stream, plan.work_count * s)?;
            let b = Some(alloc(&stream, plan.work_count * s)?);
            slots.push(Slot {
                host_in: pinned(&self.ctx, received.len() * s)?,
                host_out: pinned(&self.ctx, plan.missing.len().max(1) * s)?,
                input,
                a,
                b,
                out_len: plan.missing.len() * s,
                pending: None,
                stream,
            });
        }
        Ok(DecodeBatch {
            coder: self,
            s,
            received: received.len(),
            plan,
            tables,
            slots,
        })
    }
}

impl DecodeBatch<'_> {
    /// The missing originals' indexes, in the order `run` hands them out.
    pub fn missing(&self) -> &[usize] {
        &self.plan.missing
    }

    fn device(&mut self, slot: usize) -> Result<bool, GpuError> {
        let s = self.s;
        let coder = self.coder;
        let slot = &mut self.slots[slot];
        let stream = slot.stream.clone();
        let (Some(input), Some(b)) = (slot.input.as_ref(), slot.b.as_mut()) else {
            return Err(GpuError::Device("decode slot without buffers".into()));
        };
        coder.decode_on_device(&stream, &self.plan, &self.tables, input, &mut slot.a, b, s)
    }

    /// Decodes `count` blobs: `fill(i, buf)` writes blob `i`'s received shards in
    /// ascending index order (`received.len() * shard_bytes` bytes of pinned memory);
    /// `take(i, buf)` gets its missing originals in the order of [`Self::missing`].
    pub fn run(
        &mut self,
        count: usize,
        mut fill: impl FnMut(usize, &mut [u8]),
        mut take: impl FnMut(usize, &[u8]),
    ) -> Result<(), GpuError> {
        let depth = self.slots.len();
        let s = self.s;
        let out_bytes = self.plan.missing.len() * s;
        let in_bytes = self.received * s;
        for i in 0..count {
            let coder = self.coder;
            let slot = &mut self.slots[i % depth];
            EncodeBatch::finish(slot, coder, &mut take)?;
            fill(i, slot.host_in.as_mut_slice()?);
            let stream = slot.stream.clone();
            if let Some(input) = slot.input.as_mut() {
                stream.memcpy_htod(&slot.host_in, &mut input.slice_mut(0..in_bytes))?;
            }
            let in_b = self.device(i % depth)?;
            let slot = &mut self.slots[i % depth];
            let src = if in_b { slot.b.as_ref() } else { Some(&slot.a) };
            if let Some(src) = src {
                stream.memcpy_dtoh(&src.slice(0..out_bytes), &mut slot.host_out)?;
            }
            slot.pending = Some((i, in_b));
        }
        for i in count..count + depth {
            let coder = self.coder;
            EncodeBatch::finish(&mut self.slots[i % depth], coder, &mut take)?;
        }
        Ok(())
    }

    /// Kernel-only timing: decodes what slot 0's device input holds, `reps` times;
    /// seconds per decode, measured with CUDA events.
    pub fn time_device_only(&mut self, reps: usize) -> Result<Vec<f64>, GpuError> {
        let stream = self.slots[0].stream.clone();
        let start = self
            .coder
            .ctx
            .new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT))?;
        let end = self
            .coder
            .ctx
            .new_event(Some(sys::CUevent_flags::CU_EVENT_DEFAULT))?;
        let mut out = Vec::new();
        for _ in 0..reps {
            start.record(&stream)?;
            self.device(0)?;
            end.record(&stream)?;
            end.synchronize()?;
            self.coder.ctx.check_err()?;
            out.push(f64::from(start.elapsed_ms(&end)?) / 1e3);
        }
        Ok(out)
    }
}

impl Drop for EncodeBatch<'_> {
    fn drop(&mut self) {
        for slot in &self.slots {
            let _ = slot.stream.synchronize();
        }
    }
}

impl Drop for DecodeBatch<'_> {
    fn drop(&mut self) {
        for slot in &self.slots {
            let _ = slot.stream.synchronize();
        }
    }
}
