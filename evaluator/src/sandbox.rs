//! One evaluation in a child process, so that nothing a model does can stall or exhaust
//! the daemon: the child runs `kaizen-evaluator eval ...` under an address-space limit
//! (`RLIMIT_AS`) and is killed at its deadline. tract's model loading and graph
//! optimisation cannot be interrupted from inside, and a hostile graph can ask for huge
//! intermediate tensors; the process boundary bounds both.
//!
//! Verdicts: the child's own result (score or failure code); killed at the deadline →
//! code 4 (timeout); any other death (out of memory, abort, signal) → code 7 (inference
//! failed).

// Off-chain: the sandbox's deadline is wall-clock time.
#![allow(clippy::disallowed_methods)]

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};

use crate::EvalFailure;

/// What the child is asked to evaluate (files on local disk).
#[derive(Debug, Clone)]
pub struct EvalFiles {
    pub model: PathBuf,
    pub test_set: PathBuf,
    /// The metric in the evaluator's text form (`recall:1`, `wasm:<sha256>`...).
    pub metric: String,
    pub wasm: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy)]
pub struct SandboxLimits {
    /// Wall clock for the whole child, loading included.
    pub timeout: Duration,
    /// Address-space cap of the child, in bytes.
    pub memory_bytes: u64,
}

/// The child's answer on stdout, one JSON line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChildVerdict {
    Scored {
        score_ppm: u64,
        predictions_digest: String,
        n: u64,
    },
    Failed {
        failure_code: u32,
        error: String,
    },
}

/// A verdict the daemon attests: a score with its digest, or a failure code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub score_ppm: u64,
    /// Hex of the 32-byte digest; empty for a failure.
    pub predictions_digest: String,
    pub failure_code: u32,
    /// Why it failed (local only, never attested).
    #[serde(default)]
    pub error: String,
}

impl Verdict {
    pub fn failed(code: u32, error: impl Into<String>) -> Self {
        Self {
            score_ppm: 0,
            predictions_digest: String::new(),
            failure_code: code,
            error: error.into(),
        }
    }
}

impl From<ChildVerdict> for Verdict {
    fn from(c: ChildVerdict) -> Self {
        match c {
            ChildVerdict::Scored {
                score_ppm,
                predictions_digest,
                ..
            } => Verdict {
                score_ppm,
                predictions_digest,
                failure_code: 0,
                error: String::new(),
            },
            ChildVerdict::Failed {
                failure_code,
                error,
            } => Verdict::failed(failure_code, error),
        }
    }
}

/// The child's side: evaluates and prints one [`ChildVerdict`] line.
pub fn child_main(files: &EvalFiles, timeout: Duration) -> ChildVerdict {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let run = || -> Result<crate::Evaluation, EvalFailure> {
        let model = read(&files.model).map_err(EvalFailure::MalformedModel)?;
        let test_set = read(&files.test_set).map_err(EvalFailure::BadTestSet)?;
        let metric: crate::MetricSpec = files
            .metric
            .parse()
            .map_err(|e| EvalFailure::MetricFailed(format!("{e}")))?;
        let wasm = match &files.wasm {
            Some(p) => Some(read(p).map_err(EvalFailure::MetricModuleMismatch)?),
            None => None,
        };
        crate::evaluate(
            &model,
            &test_set,
            &metric,
            wasm.as_deref(),
            &crate::Limits::default().with_timeout(timeout),
        )
    };
    match run() {
        Ok(e) => ChildVerdict::Scored {
            score_ppm: e.score_ppm,
            predictions_digest: hex::encode(e.predictions_digest),
            n: e.n,
        },
        Err(f) => ChildVerdict::Failed {
            failure_code: f.code(),
            error: f.to_string(),
        },
    }
}

/// Runs `exe eval ...` for `files` under `limits` and returns the verdict. `Err` only
/// when the child could not be started at all (the daemon retries later).
pub fn run(exe: &Path, files: &EvalFiles, limits: SandboxLimits) -> std::io::Result<Verdict> {
    let mut cmd = Command::new(exe);
    cmd.arg("eval")
        .arg("--model")
        .arg(&files.model)
        .arg("--test-set")
        .arg(&files.test_set)
        .arg("--metric")
        .arg(&files.metric)
        .arg("--timeout-ms")
        .arg(limits.timeout.as_millis().to_string());
    if let Some(w) = &files.wasm {
        cmd.arg("--wasm").arg(w);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let memory = limits.memory_bytes;
    // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: memory as libc::rlim_t,
                rlim_max: memory as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    // The child's own deadline plus a grace for start-up and the metric.
    let deadline = Instant::now() + limits.timeout + Duration::from_secs(2);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let Some(status) = status else {
        return Ok(Verdict::failed(
            4,
            format!("killed after {} ms", limits.timeout.as_millis()),
        ));
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        // Bounded: a verdict is one short line.
        let _ = stdout.by_ref().take(64 * 1024).read_to_string(&mut out);
    }
    if let Some(line) = out.lines().rev().find(|l| !l.trim().is_empty()) {
        if let Ok(v) = serde_json::from_str::<ChildVerdict>(line) {
            return Ok(v.into());
        }
    }
    Ok(Verdict::failed(
        7,
        format!("the evaluation process died ({status}) without a verdict"),
    ))
}
