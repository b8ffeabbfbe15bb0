#!/usr/bin/env bash
# The demo: sets up a fresh machine (first run only), builds the release binaries, starts
# a 4-validator devnet with 4 DA nodes and 3 evaluators on loopback in ./.devnet, and
# runs the story: transfers between demo accounts with the kaizen CLI, a blob stored on
# the DA network and read back, then a bounty on scikit-learn's breast-cancer data set
# (recall of the malignant class): the sponsor posts it with a baseline model, one
# submission misses the target and earns nothing, a better one beats it and is paid, and
# the final balances of sponsor, winner and evaluators are printed and reconciled. The
# devnet stays up afterwards; `target/release/kaizen --home .devnet devnet down` stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=setup.sh
. "$root/scripts/setup.sh"
cargo build --locked --release -p kaizen-app -p kaizen-cli -p kaizen-da -p kaizen-evaluator
bin="$CARGO_TARGET_DIR/release"
home="${KAIZEN_DEMO_HOME:-$root/.devnet}"
kaizen() { "$bin/kaizen" --home "$home" "$@"; }

if [ -f "$home/devnet.json" ]; then kaizen devnet down >/dev/null 2>&1 || true; fi
echo "== starting a 4-validator devnet with 4 DA nodes and 3 evaluators in $home"
kaizen devnet up --validators 4 --da-nodes 4 --evaluators 3 --accounts sponsor,alice,bob,carol

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

# ---- The bounty ----------------------------------------------------------------------
# `--output json` prints the proto messages (the gRPC response of a query, the TxResponse
# of a transaction) in the Cosmos JSON: uint64 as strings, enums by their full names.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
balance() { kaizen query bank balances "$1" --output json | json "next((int(c['amount']) for c in d['balances'] if c['denom']=='ukzn'), 0)"; }
evaluators=$(python3 -c "import json; print(' '.join(e['address'] for e in json.load(open('$home/devnet.json'))['evaluators']))")
declare -A before
for who in sponsor alice bob $evaluators; do before[$who]=$(balance "$who"); done

echo "== sponsor posts a bounty: beat the baseline's malignant recall by 5 points"
echo "   (test set and baseline uploaded to DA; 10,000,000 ukzn escrowed; committee of 3, quorum 2)"
created=$(kaizen tx bounty create --from sponsor --title "breast-cancer: malignant recall" \
  --test-set-file demo/breast_cancer_test.npz --baseline-file demo/baseline.onnx \
  --metric recall:1 --min-improvement-ppm 50000 --reward 10000000ukzn \
  --submitter-share-ppm 800000 --royalty-ppm 20000 --mode first-to-beat \
  --deadline-blocks 3000 --committee 3 --quorum 2 --submission-fee 30000 --output json)
bounty=$(echo "$created" | json "d['bounty_id']")
echo "bounty $bounty created; the evaluators score the baseline"
for _ in $(seq 1 240); do
  status=$(kaizen query bounty show "$bounty" --output json | json "d['bounty']['status']")
  [ "$status" = "BOUNTY_STATUS_EVALUATING_BASELINE" ] || break
  sleep 0.5
done
kaizen query bounty show "$bounty"
echo
echo "== alice submits a slightly better model (commit, upload, reveal, verdict)"
kaizen bounty submit demo/submission_weak.onnx --bounty "$bounty" --from alice || true
echo
echo "== bob submits a clearly better model"
kaizen bounty submit demo/submission_strong.onnx --bounty "$bounty" --from bob
echo
kaizen query bounty leaderboard "$bounty"
echo
model=$(kaizen query bounty show "$bounty" --output json | json "d['bounty']['winning_model_id']")
kaizen query bounty model "$model"
echo
echo "== balances (ukzn): before -> after"
total=0
for who in sponsor alice bob $evaluators; do
  after=$(balance "$who")
  delta=$((after - before[$who]))
  total=$((total + delta))
  printf '  %-45s %15s -> %15s  (%+d)\n' "$who" "${before[$who]}" "$after" "$delta"
done
echo "== where the sponsor's 10,000,000 ukzn went"
python3 - "$home" "$bounty" "$bin/kaizen" <<'PY'
import json, subprocess, sys
home, bounty, kaizen = sys.argv[1:]
q = lambda *a: json.loads(subprocess.check_output([kaizen, "--home", home, *a, "--output", "json"]))
b = q("query", "bounty", "show", bounty)["bounty"]
sub = next(s for s in q("query", "bounty", "submissions", bounty)["submissions"] if s["id"] == b["winning_submission_id"])
job = q("query", "attest", "job", sub["job_id"])["job"]
reward = int(b["reward"])
verifiers = reward - reward * b["submitter_share_ppm"] // 1_000_000
agreeing = job["agreeing"]
each = verifiers // len(agreeing)
winner = reward - each * len(agreeing)
print(f"  winner {sub['submitter']}: {winner}")
for a in agreeing:
    print(f"  verifier {a}: {each}")
print(f"  total paid: {winner + each * len(agreeing)} = reward {reward}: {'OK' if winner + each * len(agreeing) == reward else 'MISMATCH'}")
print(f"  each evaluator also earned the evaluation fee ({b['submission_fee']} ukzn per job) of the jobs it agreed on;")
print(f"  the sponsor paid the reward, the baseline's evaluation fee and DA and transaction fees.")
PY
echo
echo "The devnet keeps running. Try: $bin/kaizen --home $home query account alice"
echo "Stop it with:                 $bin/kaizen --home $home devnet down"
