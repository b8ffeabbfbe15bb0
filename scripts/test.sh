#!/usr/bin/env bash
# The test command: sets up the machine (first run only), then checks formatting and
# lints, and runs every test of the workspace, the end-to-end tests against a real
# CometBFT included.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=setup.sh
. "$root/scripts/setup.sh"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kaizen/target}"
export PATH="$(go env GOPATH)/bin:$PATH"

cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo test --locked --workspace --no-fail-fast
