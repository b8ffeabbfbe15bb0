//! Issue 15, item 6: `--test-byzantine` exists only in the end-to-end tests' build of
//! `kaizen-evaluator` (feature `test-switches`); a build without it refuses the flag.

#[cfg(not(feature = "test-switches"))]
#[test]
fn a_build_without_test_switches_refuses_the_byzantine_flag() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kaizen-evaluator"))
        .args(["start", "--home"])
        .arg(home.path())
        .arg("--test-byzantine")
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "clap's usage error: {stderr}");
    assert!(stderr.contains("unexpected argument"), "{stderr}");
    Ok(())
}
