//! The protos pass `buf lint` (rules in `proto/buf.yaml`). buf comes from the npm
//! registry (`@bufbuild/buf`), installed into a scratch directory by the test.

use std::process::Command;

const BUF_VERSION: &str = "1.75.0";

#[test]
fn kaizen_protos_pass_buf_lint() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let install = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(dir.path())
        .arg(format!("@bufbuild/buf@{BUF_VERSION}"))
        .output()
        .expect("npm runs");
    assert!(
        install.status.success(),
        "npm install @bufbuild/buf: {}",
        String::from_utf8_lossy(&install.stderr)
    );
    let buf = dir.path().join("node_modules/.bin/buf");
    let out = Command::new(buf)
        .arg("lint")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("buf runs");
    assert!(
        out.status.success(),
        "buf lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
