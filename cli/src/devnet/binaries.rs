//! The programs a devnet runs: `cometbft` (installed with `go install` when missing),
//! and `kaizend`, `kaizen-da`, `kaizen-evaluator` next to this binary or on PATH.

use std::{path::PathBuf, process::Command};

use anyhow::{bail, Context};

use super::COMETBFT_VERSION;

/// `cometbft` on PATH, in `$(go env GOPATH)/bin`, or installed there with `go install`.
pub fn find_cometbft() -> anyhow::Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("cometbft"))
                .collect()
        })
        .unwrap_or_default();
    let gopath = Command::new("go")
        .args(["env", "GOPATH"])
        .output()
        .ok()
        .and_then(|o| {
            let s = String::from_utf8_lossy(&o.stdout).trim().to_string();
            (!s.is_empty()).then(|| PathBuf::from(s).join("bin"))
        });
    if let Some(g) = &gopath {
        candidates.push(g.join("cometbft"));
    }
    let want = COMETBFT_VERSION.trim_start_matches('v');
    for c in &candidates {
        if let Ok(out) = Command::new(c).arg("version").output() {
            if String::from_utf8_lossy(&out.stdout).trim() == want {
                return Ok(c.clone());
            }
        }
    }
    let gobin =
        gopath.context("cometbft is not installed and `go` is not available to install it")?;
    eprintln!("installing cometbft {COMETBFT_VERSION} with go install ...");
    let status = Command::new("go")
        .args([
            "install",
            &format!("github.com/cometbft/cometbft/cmd/cometbft@{COMETBFT_VERSION}"),
        ])
        .env("GOFLAGS", "-mod=mod")
        .status()?;
    anyhow::ensure!(
        status.success(),
        "go install cometbft@{COMETBFT_VERSION} failed"
    );
    Ok(gobin.join("cometbft"))
}

/// A sibling binary: next to this one, or on PATH.
fn find_binary(name: &str, build_hint: &str) -> anyhow::Result<PathBuf> {
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            let p = dir.join(name);
            if p.exists() {
                return Ok(p);
            }
        }
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.exists())
        })
        .with_context(|| format!("{name} not found next to kaizen or on PATH ({build_hint})"))
}

/// `kaizend` next to this binary, or on PATH.
pub fn find_kaizend() -> anyhow::Result<PathBuf> {
    find_binary("kaizend", "cargo build --release -p kaizen-app")
}

/// `kaizen-da` next to this binary, or on PATH.
pub fn find_kaizen_da() -> anyhow::Result<PathBuf> {
    find_binary("kaizen-da", "cargo build --release -p kaizen-da")
}

/// `kaizen-evaluator` next to this binary, or on PATH.
pub fn find_kaizen_evaluator() -> anyhow::Result<PathBuf> {
    find_binary(
        "kaizen-evaluator",
        "cargo build --release -p kaizen-evaluator",
    )
}

pub(super) fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
