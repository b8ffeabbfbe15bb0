#!/usr/bin/env bash
# The test command: sets up the machine (first run only), then checks formatting and
# lints, and runs every test of the workspace, the end-to-end tests against a real
# CometBFT included.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=setup.sh
. "$root/scripts/setup.sh"

cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
# The test-only switches (a byzantine evaluator, a DA node serving corrupt shards) exist
# only in the tests' build of the daemons: lint that build too.
test_switches="kaizen-evaluator/test-switches,kaizen-da/test-switches"
cargo clippy --locked -p kaizen-evaluator -p kaizen-da --bins --features "$test_switches" -- -D warnings
# The layers (docs/architecture.md). A workspace build turns every module's `component`
# feature on, so build the pure side on its own, and check who links what.
cargo check --locked --lib -p kaizen-framework -p kaizen-auth -p kaizen-bank -p kaizen-staking \
  -p kaizen-da-module -p kaizen-attest -p kaizen-bounty -p kaizen-da-core
cargo check --locked --bins -p kaizen-evaluator -p kaizen-cli
for crate in kaizen-evaluator kaizen-cli kaizen-client kaizen-da-client kaizen-da; do
  if cargo tree --locked -p "$crate" -e normal | grep -q cnidarium; then
    echo "layers: $crate links the state machine (cnidarium)" >&2
    exit 1
  fi
done
if cargo tree --locked -p kaizen-app -e normal | grep -qE 'cudarc|kaizen-cuda |kaizen-da v'; then
  echo "layers: kaizen-app links the GPU coder or the DA node" >&2
  exit 1
fi
cargo build --locked --workspace --bins
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Unit, module, app (mock consensus) and end-to-end (real CometBFT) tests; doc-tests
# hold no tests here.
set +e
cargo test --locked --workspace --exclude kaizen-testnet --lib --bins --tests --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The end-to-end tests each run a devnet of several cometbft + kaizend processes; one at a
# time, so that a 2-core machine is not running three 4-validator networks at once. They
# start the binaries of this build, with the test-only switches (built last, so that the
# daemons in target/debug are these).
cargo build --locked --workspace --bins --features "$test_switches"
cargo test --locked -p kaizen-testnet --tests --no-fail-fast -- --test-threads=1 2>&1 | tee -a "$log"
e2e=${PIPESTATUS[0]}
[ "$status" -ne 0 ] || status=$e2e
set -e
# The GPU differential tests pass without a GPU by skipping; say so, and why, in the log.
echo
echo "CUDA differential tests on this machine:"
cargo test --locked -p kaizen-cuda --test differential -- --nocapture 2>&1 | grep -E "skipped|^GPU:" | cut -c1-150 || true
passed=$(grep -oE '([0-9]+) passed' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '([0-9]+) failed' "$log" | awk '{s+=$1} END {print s+0}')
echo
echo "tests: $passed passed, $failed failed"
exit "$status"
