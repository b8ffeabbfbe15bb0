//! The `kaizen-da` binary: `init` makes keys once, `start` serves until SIGTERM even
//! while the chain is unreachable.

// A test of a daemon: it may read clocks.
#![allow(clippy::disallowed_methods)]

use std::{
    os::unix::fs::PermissionsExt,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_kaizen-da");

/// Kills the child if the test fails before stopping it.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn init_writes_the_operator_keys_once_and_prints_what_genesis_needs() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let out = Command::new(BIN)
        .args(["init", "--home"])
        .arg(home.path())
        .args(["--moniker", "da0"])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert!(printed["address"]
        .as_str()
        .is_some_and(|a| a.starts_with("kaizen1")));
    let public_key = hex::decode(printed["bls_public_key"].as_str().unwrap_or_default())?;
    let pop = hex::decode(printed["proof_of_possession"].as_str().unwrap_or_default())?;
    assert_eq!((public_key.len(), pop.len()), (48, 96));
    assert_eq!(printed["moniker"], "da0");
    let mode = std::fs::metadata(home.path().join("bls_key.json"))?
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(home.path().join("keyring.json").exists());

    let again = Command::new(BIN)
        .args(["init", "--home"])
        .arg(home.path())
        .output()?;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
    Ok(())
}

#[test]
fn start_serves_while_the_chain_is_down_and_stops_cleanly_on_sigterm() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let init = Command::new(BIN)
        .args(["init", "--home"])
        .arg(home.path())
        .output()?;
    assert!(init.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    // Nothing listens on the chain's port: the watcher keeps retrying.
    let dead_chain = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(BIN)
        .args(["start", "--home"])
        .arg(home.path())
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--chain-grpc", &format!("http://127.0.0.1:{dead_chain}")])
        .args(["--chain-id", "kaizen-test", "--coder", "cpu"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let mut guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "kaizen-da did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1200));
    assert!(guard.0.try_wait()?.is_none(), "still running");
    let pid = i32::try_from(guard.0.id())?;
    // SAFETY: signalling the child this test started, by its pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = guard.0.try_wait()? {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "kaizen-da did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    Ok(())
}

/// Issue 15, item 6: the switch that makes a node serve corrupt shards exists only in the
/// end-to-end tests' build (feature `test-switches`); a build without it refuses the flag.
#[cfg(not(feature = "test-switches"))]
#[test]
fn a_build_without_test_switches_refuses_the_corrupt_shards_flag() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let out = Command::new(BIN)
        .args(["start", "--home"])
        .arg(home.path())
        .arg("--test-serve-corrupt-shards")
        .output()?;
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unexpected argument"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
