#!/usr/bin/env bash
# Installs what building and testing Kaizen needs on a fresh Debian/Ubuntu machine:
# libclang (bindgen for RocksDB), the Rust components, the pinned CometBFT, and a
# cached RocksDB build. Safe to run again: each step is skipped when already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
for pkg in libclang-dev clang; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "setup: apt-get install ${need_apt[*]}" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

bash "$root/scripts/install-cometbft.sh"

# shellcheck source=rocksdb.sh
. "$root/scripts/rocksdb.sh"

# Builds reuse one target directory outside the clone; the pinned cometbft is on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kaizen/target}"
PATH="$(go env GOPATH)/bin:$PATH"
export PATH
