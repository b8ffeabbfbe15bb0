//! The CUDA erasure coder behind [`ErasureCoder`], and the runtime choice between it and
//! the CPU codec (`--coder auto|cpu|cuda`, DESIGN.md §5).
//!
//! `kaizen_cuda::GpuCoder` produces recovery shards byte-identical to [`CpuCoder`]
//! (`reed-solomon-simd`) and validates input the same way, so a blob's commitment does
//! not depend on which coder encoded it.

use std::{collections::BTreeMap, fmt, str::FromStr, sync::Arc};

use kaizen_cuda::{GpuCoder, GpuError};

use crate::codec::{CodecError, CpuCoder, ErasureCoder};

impl From<GpuError> for CodecError {
    fn from(e: GpuError) -> Self {
        match e {
            GpuError::UnsupportedShardCount { original, recovery } => {
                CodecError::UnsupportedShardCount { original, recovery }
            }
            GpuError::InvalidShardSize(s) => CodecError::InvalidShardSize(s),
            GpuError::DifferentShardSize { index, got, want } => {
                CodecError::DifferentShardSize { index, got, want }
            }
            GpuError::InvalidShardIndex { index, total } => {
                CodecError::InvalidShardIndex { index, total }
            }
            GpuError::NotEnoughShards { got, need } => CodecError::NotEnoughShards { got, need },
            other @ (GpuError::NoDevice(_)
            | GpuError::OutOfDeviceMemory { .. }
            | GpuError::Compile(_)
            | GpuError::Device(_)) => CodecError::Codec(format!("cuda: {other}")),
        }
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
        Ok(self.gpu.encode(originals, recovery_count)?)
    }

    fn reconstruct(
        &self,
        original_count: usize,
        recovery_count: usize,
        shards: &BTreeMap<usize, Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, CodecError> {
        Ok(self
            .gpu
            .reconstruct(original_count, recovery_count, shards)?)
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
        match kaizen_cuda::probe() {
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

    /// Bad input is refused with these errors by the CPU codec; the GPU coder runs the
    /// same checks (`kaizen_cuda::check_*`) before any device work.
    #[test]
    fn bad_input_is_refused_with_the_codecs_errors() {
        use CodecError::*;
        let cpu = CpuCoder::new(2);
        let s = [0u8; 128];
        let encodes: Vec<(Vec<&[u8]>, usize, CodecError)> = vec![
            (
                vec![&s[..64]],
                0,
                UnsupportedShardCount {
                    original: 1,
                    recovery: 0,
                },
            ),
            (vec![&s[..63]], 1, InvalidShardSize(63)),
            (vec![&s[..0]], 1, InvalidShardSize(0)),
            (
                vec![&s[..64], &s[..0]],
                1,
                DifferentShardSize {
                    index: 1,
                    got: 0,
                    want: 64,
                },
            ),
            (
                vec![&s[..64], &s[..64], &s[..128]],
                2,
                DifferentShardSize {
                    index: 2,
                    got: 128,
                    want: 64,
                },
            ),
            (
                vec![],
                1,
                UnsupportedShardCount {
                    original: 0,
                    recovery: 1,
                },
            ),
        ];
        for (orig, m, want) in encodes {
            assert_eq!(cpu.encode(&orig, m).err(), Some(want.clone()));
            let gpu_check = kaizen_cuda::check_encode(&orig, m).map_err(CodecError::from);
            assert_eq!(gpu_check.err(), Some(want));
        }
        type Case = (usize, usize, Vec<(usize, usize)>, CodecError);
        let cases: Vec<Case> = vec![
            (2, 2, vec![(0, 64)], NotEnoughShards { got: 1, need: 2 }),
            (
                2,
                2,
                vec![(0, 64), (9, 64)],
                InvalidShardIndex { index: 9, total: 4 },
            ),
            (
                2,
                2,
                vec![(0, 64), (1, 128)],
                DifferentShardSize {
                    index: 1,
                    got: 128,
                    want: 64,
                },
            ),
            (2, 2, vec![(0, 63), (1, 63)], InvalidShardSize(63)),
            (
                0,
                2,
                vec![(0, 64)],
                UnsupportedShardCount {
                    original: 0,
                    recovery: 2,
                },
            ),
            (2, 2, vec![], InvalidShardSize(0)),
        ];
        for (k, m, shards, want) in cases {
            let map: BTreeMap<usize, Vec<u8>> =
                shards.iter().map(|&(i, n)| (i, vec![0u8; n])).collect();
            assert_eq!(
                cpu.reconstruct(k, m, &map).err(),
                Some(want.clone()),
                "{k}+{m} {shards:?}"
            );
            let gpu_check = kaizen_cuda::check_reconstruct(k, m, &map).map_err(CodecError::from);
            assert_eq!(gpu_check.err(), Some(want), "{k}+{m} {shards:?}");
        }
    }
}
