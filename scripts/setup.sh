#!/usr/bin/env bash
# Installs what building and testing Kaizen needs on a fresh Debian/Ubuntu machine:
# libclang (bindgen for RocksDB), the Rust components, the pinned CometBFT, a cached
# RocksDB build, and cosmpy for the end-to-end tests. Safe to run again: each step is
# skipped when already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
for pkg in libclang-dev clang python3-venv; do
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

# The cosmpy end-to-end test runs an unmodified Python client from PyPI, kept in a venv.
cosmpy_venv="$HOME/.cache/kaizen/cosmpy-venv"
if ! "$cosmpy_venv/bin/python" -c 'import cosmpy' >/dev/null 2>&1; then
  echo "setup: cosmpy into $cosmpy_venv" >&2
  python3 -m venv "$cosmpy_venv"
  "$cosmpy_venv/bin/pip" install -q --disable-pip-version-check \
    -r "$root/testnet/clients/cosmpy/requirements.txt"
fi

# Builds reuse one target directory outside the clone; the pinned cometbft is on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kaizen/target}"
PATH="$(go env GOPATH)/bin:$PATH"
export PATH
