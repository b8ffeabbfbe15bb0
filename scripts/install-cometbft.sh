#!/usr/bin/env bash
# Installs the pinned CometBFT with `go install` into $(go env GOPATH)/bin, unless that
# exact version is already there. Prints the binary's path.
set -euo pipefail
COMETBFT_VERSION="${COMETBFT_VERSION:-v0.38.26}"
gobin="$(go env GOPATH)/bin"
bin="$gobin/cometbft"
if [ -x "$bin" ] && [ "v$("$bin" version 2>/dev/null)" = "$COMETBFT_VERSION" ]; then
  echo "$bin"
  exit 0
fi
echo "install-cometbft: go install github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION" >&2
GOFLAGS=-mod=mod go install "github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION" >&2
"$bin" version >&2
echo "$bin"
