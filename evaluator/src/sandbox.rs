//! One evaluation in a child process, so that nothing a model does can stall or exhaust
//! the daemon, nor reach what the daemon holds: the child runs `kaizen-evaluator eval ...`
//! and is killed at its deadline. tract's model loading and graph optimisation cannot be
//! interrupted from inside, and a hostile graph can ask for huge intermediate tensors; the
//! process boundary bounds both.
//!
//! The child gets:
//! - an empty environment (only `TOKIO_WORKER_THREADS=1`, so that its runtime starts one
//!   worker thread instead of one per core) and, as its working directory, a fresh private
//!   (0700) temporary directory that is removed afterwards; the files to evaluate are
//!   passed as absolute paths;
//! - resource limits: `RLIMIT_AS` (the memory cap), `RLIMIT_CPU` (the timeout rounded up
//!   plus the same 2 s grace as the wall clock), `RLIMIT_NOFILE` 64, `RLIMIT_FSIZE` 0 (it
//!   writes no file), `RLIMIT_CORE` 0 and, where it is counted per user namespace (Linux
//!   5.14 and later, inside the namespace below), `RLIMIT_NPROC` 8;
//! - where the kernel allows it, a new user and network namespace (no network; no
//!   privilege over the daemon's processes), tried in the child and skipped on failure;
//! - where the kernel has Landlock, a file-system allowlist: it may read and execute the
//!   system directories (`/usr`, `/lib*`, `/bin`, `/sbin`), read `/proc`, a few devices,
//!   its working directory and the files it evaluates, and execute `exe`; everything else
//!   (the daemon's home with its keyring, other users' files) is refused, TCP is refused
//!   (ABI 4) and it cannot signal processes outside its sandbox (ABI 6);
//! - its own process group, killed as a whole, and `PR_SET_PDEATHSIG` (it dies with the
//!   daemon's thread that waits for it).
//!
//! Verdicts: the child's own result (score or failure code); killed at the deadline or
//! stopped by its CPU limit → code 4 (timeout); any other death (out of memory, abort,
//! signal, no or an unreadable verdict line) → code 12 ([`DIED`]), a local code: the
//! child's own code 7 (inference failed) is the model's, the same on every machine.

// Off-chain: the sandbox's deadline is wall-clock time.
#![allow(clippy::disallowed_methods)]

use std::{
    io::Read,
    os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd},
    path::{Path, PathBuf},
    process::{Command, ExitStatus, Stdio},
    sync::{atomic::AtomicU64, mpsc, OnceLock},
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
    /// The job's deterministic limits (`EvalLimits`): fuel of the WASM metric and the
    /// model's static cost; `None` keeps the library's defaults.
    pub wasm_fuel: Option<u64>,
    pub max_model_cost: Option<u64>,
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
        let mut limits = crate::Limits::default().with_timeout(timeout);
        if let Some(fuel) = files.wasm_fuel {
            limits.wasm.fuel = fuel;
        }
        if let Some(cost) = files.max_model_cost {
            limits.model.max_cost = cost;
        }
        crate::evaluate(&model, &test_set, &metric, wasm.as_deref(), &limits)
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

/// Grace beyond the timeout, on the wall clock and on the CPU clock, for start-up and the
/// metric (which runs after the child's own inference deadline).
const GRACE: Duration = Duration::from_secs(2);
/// Open files the child may hold: its stdio, its runtime's epoll and eventfd, the files it
/// reads (about a dozen in practice).
const MAX_OPEN_FILES: u64 = 64;
/// Tasks (processes and threads) of the child's user in its own user namespace: its main
/// thread and one runtime worker, with room.
const MAX_TASKS: u64 = 8;
/// The most of the child's stdout that is read: a verdict is one short line.
const MAX_OUTPUT: u64 = 64 * 1024;

/// Runs `exe eval ...` for `files` under `limits` and returns the verdict. `Err` only
/// when the child could not be started at all (the daemon retries later).
pub fn run(exe: &Path, files: &EvalFiles, limits: SandboxLimits) -> std::io::Result<Verdict> {
    // The child runs elsewhere: relative paths would now point into its working directory.
    let exe = if exe.components().count() > 1 {
        std::path::absolute(exe)?
    } else {
        exe.to_path_buf() // a bare name, looked up in the default PATH
    };
    let model = std::path::absolute(&files.model)?;
    let test_set = std::path::absolute(&files.test_set)?;
    let wasm = files.wasm.as_deref().map(std::path::absolute).transpose()?;
    let workdir = PrivateDir::new()?;

    let mut cmd = Command::new(&exe);
    cmd.arg("eval")
        .arg("--model")
        .arg(&model)
        .arg("--test-set")
        .arg(&test_set)
        .arg("--metric")
        .arg(&files.metric)
        .arg("--timeout-ms")
        .arg(limits.timeout.as_millis().to_string());
    if let Some(w) = &wasm {
        cmd.arg("--wasm").arg(w);
    }
    if let Some(fuel) = files.wasm_fuel {
        cmd.arg("--wasm-fuel").arg(fuel.to_string());
    }
    if let Some(cost) = files.max_model_cost {
        cmd.arg("--max-model-cost").arg(cost.to_string());
    }
    cmd.env_clear()
        .env("TOKIO_WORKER_THREADS", "1")
        .current_dir(&workdir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());

    let cpu_secs = cpu_seconds(limits.timeout);
    let rlimits = [
        (
            libc::RLIMIT_AS,
            clamp(libc::RLIMIT_AS, limits.memory_bytes, 0),
        ),
        (libc::RLIMIT_CPU, clamp(libc::RLIMIT_CPU, cpu_secs, 1)),
        (
            libc::RLIMIT_NOFILE,
            clamp(libc::RLIMIT_NOFILE, MAX_OPEN_FILES, 0),
        ),
        (libc::RLIMIT_FSIZE, clamp(libc::RLIMIT_FSIZE, 0, 0)),
        (libc::RLIMIT_CORE, clamp(libc::RLIMIT_CORE, 0, 0)),
    ];
    let nproc = nproc_counted_per_namespace().then(|| clamp(libc::RLIMIT_NPROC, MAX_TASKS, 0));
    let mut readable: Vec<&Path> = vec![&model, &test_set];
    readable.extend(wasm.as_deref());
    let ruleset = landlock::ruleset(&exe, &readable, &workdir.0);
    log_isolation_once(ruleset.is_some());
    let ruleset_fd: Option<RawFd> = ruleset.as_ref().map(|fd| fd.as_raw_fd());
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: between fork and exec the closure makes only async-signal-safe system calls
    // (unshare, prctl, getppid, setrlimit, landlock_restrict_self) on values computed before
    // the fork; it allocates nothing and takes no lock.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0).pre_exec(move || {
            // A user namespace first: RLIMIT_NPROC, set below, then counts only the tasks
            // of this namespace (and the namespace's ceiling is the daemon's own limit).
            let userns = libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) == 0
                || libc::unshare(libc::CLONE_NEWUSER) == 0;
            // Die with the daemon's waiting thread; it may already be gone.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            for (resource, lim) in &rlimits {
                if libc::setrlimit(*resource, lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let (true, Some(lim)) = (userns, &nproc) {
                if libc::setrlimit(libc::RLIMIT_NPROC, lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(fd) = ruleset_fd {
                // Best effort, like the namespaces: the ruleset was built in the parent.
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 {
                    libc::syscall(libc::SYS_landlock_restrict_self, fd, 0);
                }
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    drop(ruleset);
    let pid = child.id() as libc::pid_t;

    // Read stdout while the child runs, so that one that writes much neither blocks nor
    // is mistaken for a slow one; the pipe is closed after MAX_OUTPUT bytes.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    if let Some(stdout) = child.stdout.take() {
        let reader = std::thread::Builder::new()
            .name("sandbox-stdout".into())
            .spawn(move || {
                let mut out = Vec::new();
                let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut out);
                let _ = tx.send(out);
            });
        if let Err(e) = reader {
            kill_group(pid);
            let _ = reap(pid);
            return Err(e);
        }
    }

    // The child's own deadline plus a grace for start-up and the metric.
    let deadline = Instant::now() + limits.timeout + GRACE;
    let mut killed = false;
    loop {
        match exited(pid) {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                kill_group(pid);
                let _ = reap(pid);
                return Err(e);
            }
        }
        if Instant::now() >= deadline {
            kill_group(pid);
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Whatever the child left in its process group goes with it. Its pid, the group's id,
    // cannot be reused before the child is reaped, just below.
    kill_group(pid);
    let (status, cpu_used) = reap(pid)?;
    let out = rx
        .recv_timeout(Duration::from_millis(500))
        .unwrap_or_default();
    drop(workdir);

    if killed {
        return Ok(Verdict::failed(
            4,
            format!("killed after {} ms", limits.timeout.as_millis()),
        ));
    }
    if stopped_by_cpu_limit(status, cpu_used, cpu_secs) {
        return Ok(Verdict::failed(
            4,
            format!("stopped at its CPU limit of {cpu_secs} s ({status})"),
        ));
    }
    let out = String::from_utf8_lossy(&out);
    if let Some(line) = out.lines().rev().find(|l| !l.trim().is_empty()) {
        if let Ok(v) = serde_json::from_str::<ChildVerdict>(line) {
            return Ok(v.into());
        }
    }
    Ok(Verdict::failed(
        DIED,
        format!("the evaluation process died ({status}) without a verdict"),
    ))
}

/// The code of an evaluation process that died without a verdict (out of this machine's
/// memory cap, a signal): local to the machine, never attested (the daemon abstains).
pub const DIED: u32 = 12;

/// The child's CPU budget in seconds: the timeout rounded up plus [`GRACE`]. A child that
/// computes on one thread reaches the wall-clock deadline first; this bounds one that
/// computes on several, or outlives a daemon that can no longer kill it.
fn cpu_seconds(timeout: Duration) -> u64 {
    let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
    secs.saturating_add(GRACE.as_secs())
}

/// SIGXCPU at the soft CPU limit, or SIGKILL at the hard one (a second later, should the
/// child ignore SIGXCPU).
fn stopped_by_cpu_limit(status: ExitStatus, cpu_used: Duration, cpu_secs: u64) -> bool {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(libc::SIGXCPU) => true,
        Some(libc::SIGKILL) => cpu_used >= Duration::from_secs(cpu_secs),
        _ => false,
    }
}

/// `want` as the soft limit and `want + extra_hard` as the hard one, both no higher than
/// the daemon's own hard limit (raising it would need a privilege).
fn clamp(resource: libc::__rlimit_resource_t, want: u64, extra_hard: u64) -> libc::rlimit {
    let mut cur = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: getrlimit writes the struct it is given.
    unsafe { libc::getrlimit(resource, &mut cur) };
    let max = cur.rlim_max;
    let soft = (want as libc::rlim_t).min(max);
    let hard = (want.saturating_add(extra_hard) as libc::rlim_t).min(max);
    libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    }
}

/// Whether the kernel counts RLIMIT_NPROC per user namespace (Linux 5.14, "ucounts"), so
/// that a small limit in the child's own namespace does not depend on how many other
/// processes the daemon's user runs. On older kernels it is left unset.
fn nproc_counted_per_namespace() -> bool {
    static KNOWN: OnceLock<bool> = OnceLock::new();
    *KNOWN.get_or_init(|| {
        // SAFETY: uname fills the struct it is given.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut u) } != 0 {
            return false;
        }
        let release: String = u
            .release
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8 as char)
            .collect();
        let mut parts = release
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let major = parts.next().unwrap_or(0);
        let minor = parts.next().unwrap_or(0);
        (major, minor) >= (5, 14)
    })
}

fn log_isolation_once(landlock: bool) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if landlock {
            tracing::info!(
                abi = landlock::abi().unwrap_or(0),
                "evaluation sandbox: Landlock restricts the evaluation process to its files"
            );
        } else {
            tracing::warn!(
                "evaluation sandbox: Landlock is unavailable; the evaluation process can open \
                 any file this user can (run the daemon under its own user)"
            );
        }
    });
}

/// Whether the child has exited (or was killed), without reaping it.
fn exited(pid: libc::pid_t) -> std::io::Result<bool> {
    loop {
        // SAFETY: waitid writes the siginfo it is given; it is zeroed first, so si_pid
        // stays 0 when no child has changed state.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        if r == 0 {
            return Ok(unsafe { info.si_pid() } != 0);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Reaps the child: its exit status and the CPU time it used.
fn reap(pid: libc::pid_t) -> std::io::Result<(ExitStatus, Duration)> {
    use std::os::unix::process::ExitStatusExt;
    loop {
        let mut status = 0;
        // SAFETY: wait4 writes the status and the rusage it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            let tv = |t: libc::timeval| {
                Duration::from_secs(t.tv_sec.max(0) as u64)
                    + Duration::from_micros(t.tv_usec.max(0) as u64)
            };
            let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
            return Ok((ExitStatus::from_raw(status), cpu));
        }
        let e = std::io::Error::last_os_error();
        if r != -1 || e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// SIGKILL to the child's process group (its pid; see `process_group(0)`).
fn kill_group(pid: libc::pid_t) {
    // SAFETY: a plain system call; the group exists while the child is not reaped.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
}

/// A fresh 0700 directory under the system's temporary directory, removed on drop.
struct PrivateDir(PathBuf);

impl PrivateDir {
    fn new() -> std::io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let path = base.join(format!(
                "kaizen-eval-{}-{seq}-{nanos:08x}",
                std::process::id()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(Self(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && seq < 1 << 20 => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Landlock (Linux 5.13+): an unprivileged file-system allowlist, built in the parent and
/// enforced by the child on itself before exec. The constants are the kernel's
/// (`include/uapi/linux/landlock.h`).
mod landlock {
    use super::*;

    const CREATE_RULESET_VERSION: u32 = 1;
    const RULE_PATH_BENEATH: libc::c_int = 1;

    const EXECUTE: u64 = 1 << 0;
    const WRITE_FILE: u64 = 1 << 1;
    const READ_FILE: u64 = 1 << 2;
    const READ_DIR: u64 = 1 << 3;
    /// ABI 1: every file-system right up to MAKE_SYM.
    const FS_V1: u64 = (1 << 13) - 1;
    const REFER: u64 = 1 << 13; // ABI 2
    const TRUNCATE: u64 = 1 << 14; // ABI 3
    const IOCTL_DEV: u64 = 1 << 15; // ABI 5
    /// The rights that apply to a file (not a directory).
    const FILE_RIGHTS: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;
    const NET_BIND_TCP: u64 = 1 << 0; // ABI 4
    const NET_CONNECT_TCP: u64 = 1 << 1;
    const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0; // ABI 6
    const SCOPE_SIGNAL: u64 = 1 << 1;

    #[repr(C)]
    struct RulesetAttr {
        handled_access_fs: u64,
        handled_access_net: u64,
        scoped: u64,
    }

    #[repr(C, packed)]
    struct PathBeneathAttr {
        allowed_access: u64,
        parent_fd: i32,
    }

    /// What the child may do beneath system paths (those absent here are skipped).
    const SYSTEM: &[(&str, u64)] = &[
        ("/usr", READ_FILE | READ_DIR | EXECUTE),
        ("/lib", READ_FILE | READ_DIR | EXECUTE),
        ("/lib32", READ_FILE | READ_DIR | EXECUTE),
        ("/lib64", READ_FILE | READ_DIR | EXECUTE),
        ("/libx32", READ_FILE | READ_DIR | EXECUTE),
        ("/bin", READ_FILE | READ_DIR | EXECUTE),
        ("/sbin", READ_FILE | READ_DIR | EXECUTE),
        ("/nix/store", READ_FILE | READ_DIR | EXECUTE),
        ("/etc/ld.so.cache", READ_FILE),
        ("/etc/ld.so.preload", READ_FILE),
        ("/proc", READ_FILE | READ_DIR),
        ("/dev/null", READ_FILE | WRITE_FILE),
        ("/dev/zero", READ_FILE),
        ("/dev/urandom", READ_FILE),
        ("/dev/random", READ_FILE),
    ];

    /// The kernel's Landlock ABI version, if it has Landlock.
    pub(super) fn abi() -> Option<i64> {
        static ABI: OnceLock<Option<i64>> = OnceLock::new();
        *ABI.get_or_init(|| {
            // SAFETY: the version query reads no memory (null attribute, size 0).
            let v = unsafe {
                libc::syscall(
                    libc::SYS_landlock_create_ruleset,
                    std::ptr::null::<RulesetAttr>(),
                    0usize,
                    CREATE_RULESET_VERSION,
                )
            };
            (v >= 1).then_some(v as i64)
        })
    }

    /// A ruleset that lets the child execute `exe`, read `readable` and its working
    /// directory `workdir`, and use the system paths; `None` where the kernel has no
    /// Landlock or a rule for one of the child's own files cannot be added (the child then
    /// runs without it rather than fail an honest evaluation).
    pub(super) fn ruleset(exe: &Path, readable: &[&Path], workdir: &Path) -> Option<OwnedFd> {
        let abi = abi()?;
        let mut fs = FS_V1;
        if abi >= 2 {
            fs |= REFER;
        }
        if abi >= 3 {
            fs |= TRUNCATE;
        }
        if abi >= 5 {
            fs |= IOCTL_DEV;
        }
        let attr = RulesetAttr {
            handled_access_fs: fs,
            handled_access_net: if abi >= 4 {
                NET_BIND_TCP | NET_CONNECT_TCP
            } else {
                0
            },
            scoped: if abi >= 6 {
                SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
            } else {
                0
            },
        };
        // SAFETY: the kernel reads `attr` (its size given); older kernels accept the
        // larger struct because the fields they do not know are zero.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                &attr as *const RulesetAttr,
                std::mem::size_of::<RulesetAttr>(),
                0u32,
            )
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: a new descriptor (O_CLOEXEC) that nothing else owns.
        let ruleset = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
        for (path, access) in SYSTEM {
            let _ = add(&ruleset, Path::new(path), *access & fs);
        }
        // A bare name is found in the default PATH (/bin, /usr/bin), allowed above.
        if exe.components().count() > 1 {
            add(&ruleset, exe, (READ_FILE | EXECUTE) & fs)?;
        }
        for path in readable {
            add(&ruleset, path, READ_FILE & fs)?;
        }
        add(&ruleset, workdir, (READ_FILE | READ_DIR) & fs)?;
        Some(ruleset)
    }

    /// Allows `access` beneath `path` (only the file rights if it is not a directory).
    fn add(ruleset: &OwnedFd, path: &Path, access: u64) -> Option<()> {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
        // SAFETY: `c` is a NUL-terminated path; O_PATH opens nothing for reading.
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
        if fd < 0 {
            return None;
        }
        // SAFETY: a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: fstat writes the struct it is given; an O_PATH descriptor may be stat'ed.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstat(fd.as_raw_fd(), &mut st) } != 0 {
            return None;
        }
        let is_dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
        let allowed = if is_dir { access } else { access & FILE_RIGHTS };
        let rule = PathBeneathAttr {
            allowed_access: allowed,
            parent_fd: fd.as_raw_fd(),
        };
        // SAFETY: the kernel reads `rule`; both descriptors are open.
        let r = unsafe {
            libc::syscall(
                libc::SYS_landlock_add_rule,
                ruleset.as_raw_fd(),
                RULE_PATH_BENEATH,
                &rule as *const PathBeneathAttr,
                0u32,
            )
        };
        (r == 0).then_some(())
    }
}
