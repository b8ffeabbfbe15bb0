#!/usr/bin/env bash
# Builds RocksDB (the copy bundled in librocksdb-sys, as pinned by Cargo.lock) once per
# machine and caches librocksdb.a + libsnappy.a, so that every later build, debug or
# release, links them instead of compiling RocksDB again (~10-20 minutes on 2 cores).
#
# Source this file: it exports ROCKSDB_LIB_DIR, ROCKSDB_STATIC, SNAPPY_LIB_DIR,
# SNAPPY_STATIC for cargo. Returns non-zero if the build fails.
_kz_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_kz_ver="$(awk '/^name = "librocksdb-sys"/{getline; gsub(/[" ]/,""); sub(/^version=/,""); print}' "$_kz_root/Cargo.lock")"
if [ -z "$_kz_ver" ]; then
  echo "rocksdb.sh: librocksdb-sys is not in Cargo.lock" >&2
  return 1 2>/dev/null || exit 1
fi
_kz_cache="${KAIZEN_CACHE:-$HOME/.cache/kaizen}"
_kz_lib="$_kz_cache/rocksdb-$_kz_ver/lib"
if [ ! -f "$_kz_lib/librocksdb.a" ] || [ ! -f "$_kz_lib/libsnappy.a" ]; then
  echo "rocksdb.sh: building librocksdb-sys $_kz_ver once (cached in $_kz_lib)" >&2
  if ! (
    cd "$_kz_root" &&
    unset ROCKSDB_LIB_DIR ROCKSDB_STATIC SNAPPY_LIB_DIR SNAPPY_STATIC &&
    CARGO_TARGET_DIR="$_kz_cache/rocksdb-build" cargo build --locked --release -p librocksdb-sys &&
    out="$(ls -td "$_kz_cache"/rocksdb-build/release/build/librocksdb-sys-*/out | head -n1)" &&
    mkdir -p "$_kz_lib" &&
    cp "$out/librocksdb.a" "$out/libsnappy.a" "$_kz_lib/"
  ); then
    echo "rocksdb.sh: building RocksDB failed" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
export ROCKSDB_LIB_DIR="$_kz_lib" ROCKSDB_STATIC=1 SNAPPY_LIB_DIR="$_kz_lib" SNAPPY_STATIC=1
