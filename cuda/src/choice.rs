//! The CUDA erasure coder behind [`ErasureCoder`], and the runtime choice between it and
//! the CPU codec (`--coder auto|cpu|cuda`, DESIGN.md §5).
//!
//! [`GpuCoder`] produces recovery shards byte-identical to [`CpuCoder`]
//! (`reed-solomon-simd`) and validates input the same way, so a blob's commitment does
//! not depend on which coder encoded it.

use std::{collections::BTreeMap, fmt, str::FromStr, sync::Arc};

use kaizen_da_core::codec::{CodecError, CpuCoder, ErasureCoder};

use crate::{GpuCoder, GpuError};

/// The coder interface reports the input errors as they are, and a device failure as a
/// failure of the coder.
fn codec_error(e: GpuError) -> CodecError {
    match e {
        GpuError::Input(e) => e,
        other => CodecError::Codec(format!("cuda: {other}")),
    }
}

/// [`ErasureCoder`] on an NVIDIA GPU.
pub struct CudaCoder {
    gpu: GpuCoder,
}

impl CudaCoder {
    /// Opens device 0 and compiles the kernels; [`GpuError::NoDevice`] where no GPU is
    /// usable.
    pub fn open() -> Result<Self, GpuError> {
        GpuCoder::open().map(|gpu| Self { gpu })
    }

    pub fn gpu(&self) -> &GpuCoder {
        &self.gpu
    }
}

impl ErasureCoder for CudaCoder {
    fn name(&self) -> &'static str {
        "cuda"
    }

    fn encode(
        &self,
        originals: &[&[u8]],
        recovery_count: usize,
    ) -> Result<Vec<Vec<u8>>, CodecError> {
        self.gpu
            .encode(originals, recovery_count)
            .map_err(codec_error)
    }

    fn reconstruct(
        &self,
        original_count: usize,
        recovery_count: usize,
        shards: &BTreeMap<usize, Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, CodecError> {
        self.gpu
            .reconstruct(original_count, recovery_count, shards)
            .map_err(codec_error)
    }
}

/// Which erasure coder to use: `auto` (the GPU where one is usable, else the CPU), `cpu`
/// or `cuda` (fails where no GPU is usable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoderChoice {
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl FromStr for CoderChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda),
            other => Err(format!(
                "unknown coder {other:?}: expected auto, cpu or cuda"
            )),
        }
    }
}

impl fmt::Display for CoderChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        })
    }
}

/// The coder for `choice` and why it was chosen (for logs and messages), or why
/// `--coder cuda` cannot be honoured.
pub fn choose_coder(choice: CoderChoice) -> Result<(Arc<dyn ErasureCoder>, String), String> {
    match choice {
        CoderChoice::Cpu => Ok((Arc::new(CpuCoder::default()), "--coder cpu".into())),
        CoderChoice::Cuda => match CudaCoder::open() {
            Ok(c) => Ok((Arc::new(c), "--coder cuda".into())),
            Err(e) => Err(format!("--coder cuda: {e}")),
        },
        CoderChoice::Auto => match CudaCoder::open() {
            Ok(c) => Ok((Arc::new(c), "auto: a usable GPU was found".into())),
            Err(GpuError::NoDevice(why)) => Ok((
                Arc::new(CpuCoder::default()),
                format!("auto: no usable GPU ({why})"),
            )),
            // A device exists but the coder could not be built on it: say so loudly,
            // and still encode (on the CPU, byte-identical).
            Err(e) => Ok((
                Arc::new(CpuCoder::default()),
                format!("auto: a GPU is present but the CUDA coder failed ({e}); using the CPU"),
            )),
        },
    }
}

/// The coder for `choice`; says in the logs which one and why.
pub fn select_coder(choice: CoderChoice) -> Result<Arc<dyn ErasureCoder>, String> {
    let (coder, reason) = choose_coder(choice)?;
    if reason.contains("failed") {
        tracing::warn!(coder = coder.name(), reason = %reason, "erasure coder");
    } else {
        tracing::info!(coder = coder.name(), reason = %reason, "erasure coder");
    }
    Ok(coder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coder_choice_parses() {
        assert_eq!("auto".parse::<CoderChoice>(), Ok(CoderChoice::Auto));
        assert_eq!("cpu".parse::<CoderChoice>(), Ok(CoderChoice::Cpu));
        assert_eq!("cuda".parse::<CoderChoice>(), Ok(CoderChoice::Cuda));
        assert!("gpu".parse::<CoderChoice>().is_err());
        assert_eq!(CoderChoice::Cuda.to_string(), "cuda");
    }

    #[test]
    fn auto_and_cpu_always_give_a_coder() {
        assert_eq!(select_coder(CoderChoice::Cpu).unwrap().name(), "cpu");
        let auto = select_coder(CoderChoice::Auto).unwrap();
        match crate::probe() {
            Ok(_) => assert_eq!(auto.name(), "cuda"),
            Err(why) => {
                assert_eq!(auto.name(), "cpu");
                let (_, reason) = choose_coder(CoderChoice::Auto).unwrap();
                assert!(reason.starts_with("auto: no usable GPU"), "{reason}");
                let err = select_coder(CoderChoice::Cuda).err().unwrap();
                assert!(err.starts_with("--coder cuda: no usable GPU"), "{err}");
                println!("no GPU here ({why}): auto chose the CPU codec");
            }
        }
    }
}
