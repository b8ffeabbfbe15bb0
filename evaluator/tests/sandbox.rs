//! The evaluation sandbox (`kaizen_evaluator::sandbox::run`) driven through the real
//! `kaizen-evaluator` binary, and through small shell scripts standing in for it where a
//! test needs a child that misbehaves or reports what it sees: every path to a verdict
//! (score, memory cap, deadline kill, CPU limit, death without a verdict) with its exact
//! code, and the isolation (environment, working directory, resource limits, namespaces,
//! key files).

// Tests time the sandbox with the wall clock.
#![allow(clippy::disallowed_methods)]

mod common;

use std::{
    io::Write,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use common::demo;
use kaizen_evaluator::{
    sandbox::{self, EvalFiles, SandboxLimits, Verdict},
    Limits, MetricSpec,
};
use sha2::{Digest, Sha256};

const EXE: &str = env!("CARGO_BIN_EXE_kaizen-evaluator");

fn demo_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../demo")
        .join(name)
}

fn demo_files(metric: &str) -> EvalFiles {
    EvalFiles {
        model: demo_path("baseline.onnx"),
        test_set: demo_path("breast_cancer_test.npz"),
        metric: metric.into(),
        wasm: None,
        wasm_fuel: None,
        max_model_cost: None,
    }
}

fn limits(timeout_ms: u64, memory_mib: u64) -> SandboxLimits {
    SandboxLimits {
        timeout: Duration::from_millis(timeout_ms),
        memory_bytes: memory_mib << 20,
    }
}

/// Runs the sandbox, retrying a spawn that fails with ETXTBSY: a script just written by
/// this test may still be open for writing in a child another test is forking.
fn run(exe: &Path, files: &EvalFiles, limits: SandboxLimits) -> Verdict {
    for _ in 0..100 {
        match sandbox::run(exe, files, limits) {
            Ok(v) => return v,
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("the sandbox could not start {}: {e}", exe.display()),
        }
    }
    panic!("{} stayed busy", exe.display())
}

/// An executable `/bin/sh` script standing in for `kaizen-evaluator` (it gets the same
/// arguments: `eval --model M --test-set T --metric ... --timeout-ms N`).
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "#!/bin/sh\n{body}").unwrap();
    f.sync_all().unwrap();
    drop(f);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A script that reports the output of `command` as the error of a failed verdict (code
/// 1), newlines, quotes and backslashes turned into spaces.
fn reporter(dir: &Path, command: &str) -> PathBuf {
    script(
        dir,
        "report.sh",
        &format!(
            "out=$( ( {command} ) 2>&1 | tr '\\n\"\\\\' '   ')\n\
             printf '{{\"failure_code\":1,\"error\":\"%s\"}}\\n' \"$out\""
        ),
    )
}

/// What a reporter script saw (the error of its code-1 verdict).
fn report(command: &str, limits: SandboxLimits) -> String {
    let dir = tempfile::tempdir().unwrap();
    let exe = reporter(dir.path(), command);
    let v = run(&exe, &demo_files("recall:1"), limits);
    assert_eq!(v.failure_code, 1, "the reporter script failed: {v:?}");
    v.error
}

/// Whether this kernel lets an unprivileged process make a user namespace.
fn user_namespaces_work() -> bool {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new("/bin/true");
    // SAFETY: unshare is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::unshare(libc::CLONE_NEWUSER) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.status().map(|s| s.success()).unwrap_or(false)
}

/// Whether this kernel has Landlock (its ABI version query answers).
fn landlock_works() -> bool {
    // SAFETY: the version query reads no memory.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32,
        )
    };
    v >= 1
}

/// Whether the running kernel is at least `major.minor`.
fn kernel_at_least(major: u32, minor: u32) -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor)
}

/// The soft and hard values of one line of `/proc/self/limits`, as printed by `cat`.
fn proc_limit(limits: &str, name: &str) -> (String, String) {
    let at = limits
        .find(name)
        .unwrap_or_else(|| panic!("{name:?} not in {limits:?}"));
    let mut words = limits[at + name.len()..].split_whitespace();
    (
        words.next().unwrap().to_string(),
        words.next().unwrap().to_string(),
    )
}

#[test]
fn a_normal_evaluation_in_the_sandbox_scores_exactly_as_in_process() {
    let expected = kaizen_evaluator::evaluate(
        &demo("baseline.onnx"),
        &demo("breast_cancer_test.npz"),
        &"recall:1".parse::<MetricSpec>().unwrap(),
        None,
        &Limits::default(),
    )
    .unwrap();
    let v = run(
        Path::new(EXE),
        &demo_files("recall:1"),
        limits(60_000, 4096),
    );
    assert_eq!(v.failure_code, 0, "{v:?}");
    assert_eq!(v.score_ppm, 812_500);
    assert_eq!(v.score_ppm, expected.score_ppm);
    assert_eq!(
        v.predictions_digest,
        hex::encode(expected.predictions_digest)
    );

    // Relative paths are made absolute: the child runs in another directory. (Cargo runs
    // the tests in the package's directory.)
    let files = EvalFiles {
        model: PathBuf::from("../demo/baseline.onnx"),
        test_set: PathBuf::from("../demo/breast_cancer_test.npz"),
        metric: "recall:1".into(),
        wasm: None,
        wasm_fuel: None,
        max_model_cost: None,
    };
    assert!(files.model.exists() && files.test_set.exists());
    let again = run(Path::new(EXE), &files, limits(60_000, 4096));
    assert_eq!(again, v);
}

/// The memory cap (`RLIMIT_AS`): a test set whose 240 MB array does not fit a 192 MiB cap
/// makes the child's allocation fail, and Rust aborts on a failed allocation (SIGABRT):
/// the child dies without a verdict, code 7. A cap too small for the program itself to
/// be mapped kills it at exec (SIGSEGV): code 7 as well, not an error to retry.
#[test]
fn the_memory_cap_kills_a_child_that_allocates_past_it_code_7() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 2_000_000usize;
    let cols = 32usize; // the model takes 30: refused once loaded
    let path = dir.path().join("huge.npz");
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut w = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        w.start_file("x.npy", opts).unwrap();
        w.write_all(&kaizen_evaluator::dataset::write_npy(
            &[rows, cols],
            "<f4",
            &[],
        ))
        .unwrap();
        let zeros = vec![0u8; 1 << 20];
        let mut left = rows * cols * 4;
        while left > 0 {
            let n = left.min(zeros.len());
            w.write_all(&zeros[..n]).unwrap();
            left -= n;
        }
        w.start_file("y.npy", opts).unwrap();
        w.write_all(&common::i64_npy(&vec![0; rows])).unwrap();
        w.finish().unwrap();
    }
    let files = EvalFiles {
        test_set: path,
        ..demo_files("recall:1")
    };
    let v = run(Path::new(EXE), &files, limits(60_000, 192));
    assert_eq!(v.failure_code, kaizen_evaluator::sandbox::DIED, "{v:?}");
    assert!(v.error.contains("SIGABRT"), "{v:?}");
    // Under a cap it fits, the same evaluation gets as far as refusing the shape (code 2).
    let v = run(Path::new(EXE), &files, limits(60_000, 4096));
    assert_eq!(v.failure_code, 2, "{v:?}");
    assert!(v.error.contains("wrong input shape"), "{v:?}");

    let v = run(Path::new(EXE), &demo_files("recall:1"), limits(60_000, 16));
    assert_eq!(v.failure_code, kaizen_evaluator::sandbox::DIED, "{v:?}");
    assert!(v.error.contains("without a verdict"), "{v:?}");
}

/// The wall-clock deadline: a child still running at timeout + 2 s is killed, with every
/// process it started (its process group): code 4.
#[test]
fn a_child_past_its_deadline_is_killed_with_its_process_group_code_4() {
    let dir = tempfile::tempdir().unwrap();
    // A grandchild that would outlive the child, and a child that never answers.
    let exe = script(dir.path(), "sleepy.sh", "sleep 31.4159 &\nsleep 30");
    let started = Instant::now();
    let v = run(&exe, &demo_files("recall:1"), limits(200, 1024));
    let took = started.elapsed();
    assert_eq!(v, Verdict::failed(4, "killed after 200 ms"));
    assert!(
        took >= Duration::from_millis(2200) && took < Duration::from_secs(10),
        "{took:?}"
    );
    // No process is left behind (both were in the child's process group).
    std::thread::sleep(Duration::from_millis(200));
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        assert!(
            !cmdline.contains("31.4159"),
            "{} survived: {cmdline}",
            entry.path().display()
        );
    }
}

/// The real evaluator stuck in a metric: a WASM metric that divides forever (its fuel,
/// 10^9 instructions, lasts about 14 s on a 2-core test machine) is stopped at the
/// deadline (timeout 300 ms + 2 s) or at the CPU limit (1 + 2 s), whichever comes first
/// on this machine: code 4.
#[test]
fn the_real_evaluator_stuck_in_a_metric_is_stopped_code_4() {
    // The child evaluates with the library's default limits; with much less fuel the
    // metric would run dry (code 5) before the deadline and this test would need another
    // way to keep the child busy.
    assert!(
        Limits::default().wasm.fuel >= 1_000_000_000,
        "the child's WASM fuel no longer outlasts the sandbox deadline"
    );
    let module = wat::parse_str(
        r#"(module
          (memory (export "memory") 1)
          (global $next (mut i32) (i32.const 0))
          (func (export "alloc") (param $len i32) (result i32)
            (local $ptr i32)
            (local.set $ptr (global.get $next))
            (global.set $next (i32.add (global.get $next) (local.get $len)))
            (block $ok
              (br_if $ok (i32.le_u (global.get $next)
                                   (i32.mul (memory.size) (i32.const 65536))))
              (drop (memory.grow
                (i32.add (i32.shr_u (local.get $len) (i32.const 16)) (i32.const 1)))))
            (local.get $ptr))
          (func (export "score") (param i32 i32 i32 i32) (result i64)
            (local $x i64)
            (local.set $x (i64.const -1))
            (loop $forever
              (local.set $x (i64.div_u (i64.or (local.get $x) (i64.const 0x7fff000000000000))
                                       (i64.const 3)))
              (local.set $x (i64.div_u (i64.or (local.get $x) (i64.const 0x7fff000000000000))
                                       (i64.const 7)))
              (br $forever))
            (i64.const 0)))"#,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("divide_forever.wasm");
    std::fs::write(&wasm, &module).unwrap();
    let files = EvalFiles {
        metric: format!("wasm:{}", hex::encode(Sha256::digest(&module))),
        wasm: Some(wasm),
        ..demo_files("")
    };
    let started = Instant::now();
    let v = run(Path::new(EXE), &files, limits(300, 4096));
    let took = started.elapsed();
    assert_eq!(v.failure_code, 4, "{v:?}");
    assert!(
        v.error == "killed after 300 ms" || v.error.starts_with("stopped at its CPU limit of 3 s"),
        "{v:?}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// The CPU limit: a child that the kernel stops with SIGXCPU (here one that sends it to
/// itself, as the kernel does at the soft limit) is a timeout, code 4, not a crash.
#[test]
fn a_child_stopped_by_its_cpu_limit_is_code_4() {
    let dir = tempfile::tempdir().unwrap();
    let exe = script(dir.path(), "xcpu.sh", "kill -XCPU $$\nsleep 30");
    let v = run(&exe, &demo_files("recall:1"), limits(1000, 1024));
    assert_eq!(v.failure_code, 4, "{v:?}");
    assert!(
        v.error.starts_with("stopped at its CPU limit of 3 s"),
        "{v:?}"
    );

    // And for real: a busy loop under a 1 s timeout reaches its CPU limit (3 s) or the
    // deadline (3 s), whichever the machine's load makes first.
    let exe = script(dir.path(), "busy.sh", "while :; do :; done");
    let v = run(&exe, &demo_files("recall:1"), limits(1000, 1024));
    assert_eq!(v.failure_code, 4, "{v:?}");
}

/// A child that exits, crashes or answers garbage without a verdict line: code 7.
#[test]
fn a_child_that_dies_without_a_verdict_is_code_7() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("silent.sh", "exit 0", "exit status: 0"),
        (
            "garbage.sh",
            "echo 'this is not a verdict'",
            "exit status: 0",
        ),
        ("half.sh", "printf '{\"score_ppm\":1'", "exit status: 0"),
        ("failing.sh", "exit 3", "exit status: 3"),
        ("segv.sh", "kill -SEGV $$", "SIGSEGV"),
        // More than the 64 KiB that are read, and no verdict in it: the pipe is closed
        // after 64 KiB, so the writer dies of SIGPIPE (128 + 13).
        (
            "flood.sh",
            "yes garbage | head -c 1000000",
            "exit status: 141",
        ),
    ];
    for (name, body, status) in cases {
        let exe = script(dir.path(), name, body);
        let v = run(&exe, &demo_files("recall:1"), limits(10_000, 1024));
        assert_eq!(
            v.failure_code,
            kaizen_evaluator::sandbox::DIED,
            "{name}: {v:?}"
        );
        assert!(v.error.contains("without a verdict"), "{name}: {v:?}");
        assert!(v.error.contains(status), "{name}: {v:?}");
    }
    // A verdict line is honoured whatever came before it.
    let exe = script(
        dir.path(),
        "late.sh",
        "echo noise\nyes | head -c 10000\necho '{\"failure_code\":8,\"error\":\"x\"}'",
    );
    let v = run(&exe, &demo_files("recall:1"), limits(10_000, 1024));
    assert_eq!(v, Verdict::failed(8, "x"));
}

/// No environment but `TOKIO_WORKER_THREADS=1` (nothing of the daemon's: its HOME, PATH,
/// or a canary set here), and a fresh 0700 working directory of its own, removed after.
#[test]
fn the_child_gets_an_empty_environment_and_a_private_working_directory() {
    // std serialises this with the environment reads of concurrent spawns.
    std::env::set_var("KAIZEN_SANDBOX_CANARY", "tweet");
    let seen = report(
        "env; echo CWD=$(pwd); echo MODE=$(stat -c %a .); echo LS=$(ls -A | wc -l)",
        limits(10_000, 1024),
    );
    let words: Vec<&str> = seen.split_whitespace().collect();
    let vars: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.starts_with("CWD=") && !w.starts_with("MODE=") && !w.starts_with("LS="))
        .collect();
    assert!(vars.contains(&"TOKIO_WORKER_THREADS=1"), "{seen}");
    assert!(!seen.contains("KAIZEN_SANDBOX_CANARY"), "{seen}");
    assert!(!seen.contains("tweet"), "{seen}");
    for var in &vars {
        // Only what the shell itself sets may appear beside it.
        let name = var.split('=').next().unwrap();
        assert!(
            ["TOKIO_WORKER_THREADS", "PWD", "OLDPWD", "SHLVL", "_"].contains(&name),
            "{var} leaked into the child: {seen}"
        );
    }
    let cwd = words
        .iter()
        .find_map(|w| w.strip_prefix("CWD="))
        .unwrap_or_else(|| panic!("{seen}"));
    let cwd = Path::new(cwd);
    assert_ne!(cwd, std::env::current_dir().unwrap());
    assert!(cwd.starts_with(std::env::temp_dir()), "{seen}");
    assert!(
        cwd.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("kaizen-eval-"),
        "{seen}"
    );
    assert!(words.contains(&"MODE=700"), "{seen}");
    assert!(words.contains(&"LS=0"), "{seen}");
    assert!(!cwd.exists(), "{} was not removed", cwd.display());
}

/// The resource limits as the child sees them in `/proc/self/limits`.
#[test]
fn the_child_runs_under_cpu_file_descriptor_core_and_file_size_limits() {
    let seen = report("cat /proc/self/limits", limits(1500, 1024));
    // CPU: the timeout rounded up (2 s) plus the 2 s grace; the hard limit a second more.
    assert_eq!(
        proc_limit(&seen, "Max cpu time"),
        ("4".into(), "5".into()),
        "{seen}"
    );
    assert_eq!(
        proc_limit(&seen, "Max open files"),
        ("64".into(), "64".into()),
        "{seen}"
    );
    assert_eq!(
        proc_limit(&seen, "Max core file size"),
        ("0".into(), "0".into()),
        "{seen}"
    );
    assert_eq!(
        proc_limit(&seen, "Max file size"),
        ("0".into(), "0".into()),
        "{seen}"
    );
    let mem = (1024u64 << 20).to_string();
    assert_eq!(
        proc_limit(&seen, "Max address space"),
        (mem.clone(), mem),
        "{seen}"
    );
    if user_namespaces_work() && kernel_at_least(5, 14) {
        // Counted in the child's own user namespace (Linux 5.14+).
        assert_eq!(
            proc_limit(&seen, "Max processes"),
            ("8".into(), "8".into()),
            "{seen}"
        );
    } else {
        eprintln!("no user namespaces (or Linux < 5.14) here: RLIMIT_NPROC is left as it is");
    }
}

/// Where the kernel allows it, the child runs in a new user and network namespace: no
/// network, no privilege over the daemon's processes.
#[test]
fn the_child_runs_in_its_own_user_and_network_namespace_where_the_kernel_allows() {
    let seen = report(
        "readlink /proc/self/ns/user; readlink /proc/self/ns/net; cat /proc/net/dev",
        limits(10_000, 1024),
    );
    let ours = |ns: &str| {
        std::fs::read_link(format!("/proc/self/ns/{ns}"))
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    if user_namespaces_work() {
        assert!(!seen.contains(&ours("user")), "{seen}");
        assert!(!seen.contains(&ours("net")), "{seen}");
        // Only a loopback device.
        let devices: Vec<&str> = seen
            .split_whitespace()
            .filter(|w| w.ends_with(':'))
            .collect();
        assert_eq!(devices, ["lo:"], "{seen}");
    } else {
        eprintln!("no user namespaces here; the child shares the daemon's: {seen}");
        assert!(seen.contains(&ours("user")), "{seen}");
    }
}

/// With Landlock, the child reads the files it evaluates and nothing else of the user's:
/// not a 0600 keyring in the daemon's home, not the home's listing, not the daemon's
/// environment through /proc.
#[test]
fn the_child_cannot_read_the_daemons_key_files() {
    let home = tempfile::tempdir().unwrap();
    let keyring = home.path().join("keyring.json");
    std::fs::write(&keyring, "mnemonic: secret-canary-words").unwrap();
    std::fs::set_permissions(&keyring, std::fs::Permissions::from_mode(0o600)).unwrap();
    let model_len = std::fs::metadata(demo_path("baseline.onnx")).unwrap().len();
    let command = format!(
        "cat {keyring}; ls {home}; cat /proc/{daemon}/environ; echo MODEL=$(wc -c < \"$3\")",
        keyring = keyring.display(),
        home = home.path().display(),
        daemon = std::process::id(),
    );
    let seen = report(&command, limits(10_000, 1024));
    // The evaluation files stay readable.
    assert!(seen.contains(&format!("MODEL={model_len}")), "{seen}");
    if landlock_works() {
        assert!(!seen.contains("secret-canary-words"), "{seen}");
        assert!(!seen.contains("keyring.json "), "{seen}");
        assert!(!seen.contains("CARGO"), "{seen}");
    } else {
        eprintln!("no Landlock here: the child can read what the user can: {seen}");
    }
}

/// Issue 15, item 3: the demo's looping WASM metric under a job's fuel (the chain's
/// default, 10⁸) runs dry (code 5, the same on every machine) long before the daemon's
/// wall clock could decide anything; its time is printed, for a slow machine's margin.
#[test]
fn the_looping_metric_runs_out_of_the_jobs_fuel_well_before_the_wall_clock() {
    let module = std::fs::read(demo_path("loop_forever.wasm")).unwrap();
    let files = EvalFiles {
        metric: format!("wasm:{}", hex::encode(Sha256::digest(&module))),
        wasm: Some(demo_path("loop_forever.wasm")),
        wasm_fuel: Some(100_000_000),
        ..demo_files("")
    };
    let started = Instant::now();
    let v = run(Path::new(EXE), &files, limits(60_000, 4096));
    let took = started.elapsed();
    println!("10^8 fuel of loop_forever.wasm: {took:?}");
    assert_eq!(v.failure_code, 5, "{v:?}");
    assert!(v.error.contains("fuel"), "{v:?}");
}
