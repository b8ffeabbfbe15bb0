#!/usr/bin/env bash
# Regenerates proto/cosmos_descriptors.bin: the descriptors of the Cosmos SDK services
# kaizend serves (auth, bank, params and consensus queries, tx service, tendermint service), for gRPC
# reflection. The .proto sources come from the pinned Go modules below.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && go mod init descriptors >/dev/null 2>&1)
dir() { (cd "$tmp" && go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); }
sdk="$(dir github.com/cosmos/cosmos-sdk@v0.50.13)"
gogo="$(dir github.com/cosmos/gogoproto@v1.7.0)"
cproto="$(dir github.com/cosmos/cosmos-proto@v1.0.0-beta.5)"
comet="$(dir github.com/cometbft/cometbft@v0.38.26)"
gw="$(dir github.com/grpc-ecosystem/grpc-gateway@v1.16.0)"
cd "$root"
cargo run -q -p kaizen-proto --example gen_cosmos_descriptors -- proto/cosmos_descriptors.bin \
  "$sdk/proto" "$gogo" "$cproto/proto" "$comet/proto" "$gw/third_party/googleapis"
