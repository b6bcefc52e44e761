#!/usr/bin/env bash
# Installs everything, builds both flavours and runs every test. Idempotent.
# Extra arguments go to ctest (e.g. scripts/test.sh -L ledger).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build-fips-provider.sh
./scripts/build.sh all
JOBS="${IMMUDB_TEST_JOBS:-2}"
echo "== standard build: every test (FIPS mode off and on)"
(cd build && ctest --output-on-failure -j "$JOBS" "$@")
echo "== FIPS build: every test (FIPS mode on)"
(cd build-fips && ctest --output-on-failure -j "$JOBS" "$@")

# --- Reliability stages (separate from the test runs above; see docs/reliability.md) ---
# ASan+UBSan unit/integration tests, every fuzzer 60 s, TSan concurrency tests. Skipped with
# IMMUDB_CI_SANITIZERS=0 / IMMUDB_CI_FUZZ=0, and when ctest arguments select a subset.
if [ $# -eq 0 ]; then
  ./scripts/ci-reliability.sh
fi
