#!/usr/bin/env bash
# The reliability stages of CI, run by scripts/test.sh after the standard and FIPS test runs:
#   1. ASan + UBSan: the unit and integration tests of the labels crypto, ledger, store,
#      index, db, server, client, cli (not external, crash, reliability, fips duplicates),
#      built by clang in the fuzzers' tree build-fuzz/ (scripts/sanitize.sh asan).
#   2. Fuzzing: every libFuzzer target IMMUDB_CI_FUZZ_SECONDS (60) s, two at a time, after
#      replaying fuzz/regressions/ (fuzz/run.sh; same tree, so the libraries are built once).
#   3. TSan: the concurrency tests (scripts/sanitize.sh tsan, build-tsan/).
# Any sanitizer report, failed test or fuzzer finding fails the script.
# Local knobs: IMMUDB_CI_SANITIZERS=0 skips 1 and 3, IMMUDB_CI_FUZZ=0 skips 2.
# Measured stage times (cold and warm) are in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SAN="${IMMUDB_CI_SANITIZERS:-1}"
FUZZ="${IMMUDB_CI_FUZZ:-1}"
times=()
stage() {  # name, command...
  local name="$1"; shift
  echo "== reliability stage: $name"
  local t0=$SECONDS
  "$@"
  times+=("$(printf '%-22s %5d s' "$name" $((SECONDS - t0)))")
}
if [ "$SAN" != 0 ]; then
  stage "asan+ubsan tests" scripts/sanitize.sh asan
fi
if [ "$FUZZ" != 0 ]; then
  stage "fuzz (2 at a time)" env FUZZ_PARALLEL=2 fuzz/run.sh "${IMMUDB_CI_FUZZ_SECONDS:-60}"
fi
if [ "$SAN" != 0 ]; then
  stage "tsan tests" scripts/sanitize.sh tsan
fi
echo "== reliability stages done"
[ ${#times[@]} -gt 0 ] && printf '%s\n' "${times[@]}"
exit 0
