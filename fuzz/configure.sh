#!/usr/bin/env bash
# Configures build-fuzz/ ($IMMUDB_FUZZ_DIR when set; clang-14, ASan + UBSan + libFuzzer coverage; the product's tree is a
# subdirectory, its tests registered in build-fuzz/immudb/) unless it is configured already.
# Used by fuzz/run.sh and scripts/sanitize.sh asan, which share this tree.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${IMMUDB_FUZZ_DIR:-build-fuzz}"
CC_BIN="${FUZZ_CC:-clang-14}"
CXX_BIN="${FUZZ_CXX:-clang++-14}"
if ! command -v "$CXX_BIN" >/dev/null; then
  echo "fuzz/configure.sh: $CXX_BIN not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  CC="$CC_BIN" CXX="$CXX_BIN" cmake -S fuzz -B "$BUILD" "${gen[@]}" >/dev/null
else
  cmake "$BUILD" >/dev/null
fi
