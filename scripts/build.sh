#!/usr/bin/env bash
# Configures and builds both flavours: build/ (standard) and build-fips/ (-DIMMUDB_FIPS=ON).
# Usage: scripts/build.sh [standard|fips|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
JOBS="${IMMUDB_BUILD_JOBS:-$(nproc)}"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

build_one() {  # dir, extra cmake args...
  local dir="$1"; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  fi
  cmake --build "$dir" -j "$JOBS"
}

case "$what" in
  standard) build_one build ;;
  fips) build_one build-fips -DIMMUDB_FIPS=ON ;;
  all) build_one build; build_one build-fips -DIMMUDB_FIPS=ON ;;
  *) echo "usage: $0 [standard|fips|all]" >&2; exit 2 ;;
esac
