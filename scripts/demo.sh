#!/usr/bin/env bash
# The demo: sets up a fresh machine (first run only), builds the release binaries, starts
# a 4-validator devnet with 4 DA nodes on loopback in ./.devnet, and runs the story so
# far: transfers between demo accounts with the kaizen CLI, their balances, and a blob
# stored on the DA network and read back. The devnet stays up
# afterwards; `target/release/kaizen --home .devnet devnet down` stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=setup.sh
. "$root/scripts/setup.sh"
cargo build --locked --release -p kaizen-app -p kaizen-cli -p kaizen-da
bin="$CARGO_TARGET_DIR/release"
home="${KAIZEN_DEMO_HOME:-$root/.devnet}"
kaizen() { "$bin/kaizen" --home "$home" "$@"; }

if [ -f "$home/devnet.json" ]; then kaizen devnet down >/dev/null 2>&1 || true; fi
echo "== starting a 4-validator devnet with 4 DA nodes in $home"
kaizen devnet up --validators 4 --da-nodes 4

echo
echo "== alice sends 1,000,000 ukzn to bob (gas estimated by simulation)"
kaizen tx bank send bob 1000000ukzn --from alice
echo
echo "== bob sends 250,000 ukzn to carol with a fixed gas limit and fee"
kaizen tx bank send carol 250000ukzn --from bob --gas 100000 --fees 100ukzn
echo
echo "== a send beyond the balance is refused before it reaches a block"
kaizen tx bank send alice 999999999999999ukzn --from carol --gas 100000 || true
echo
for who in alice bob carol; do
  echo "== balance of $who: $(kaizen query bank balances "$who" | tr '\n' ' ')"
done
echo
echo "== alice stores 8 MiB on the DA network: encode, pay, disperse, certify"
blob_dir="$(mktemp -d)"
trap 'rm -rf "$blob_dir"' EXIT
head -c 8388608 /dev/urandom >"$blob_dir/data.bin"
ref="$(kaizen da put "$blob_dir/data.bin" --from alice --output json | sed -n 's/.*"blob_ref": *"\([^"]*\)".*/\1/p' | head -n1)"
echo "BlobRef: $ref"
kaizen query da blob "$ref"
echo
echo "== read it back from any k shards and compare"
kaizen da get "$ref" -o "$blob_dir/back.bin"
cmp "$blob_dir/data.bin" "$blob_dir/back.bin" && echo "identical: $(stat -c %s "$blob_dir/back.bin") bytes"
echo
kaizen devnet status
echo
echo "The devnet keeps running. Try: $bin/kaizen --home $home query account alice"
echo "Stop it with:                 $bin/kaizen --home $home devnet down"
