#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, into build-fuzz/) and runs each one for
# a fixed time from its committed seed corpus, after replaying every committed regression
# input (fuzz/regressions/<fuzzer>/). Exits non-zero on the first crash, leak, sanitizer
# report or timeout; the failing input is saved as build-fuzz/artifacts/<fuzzer>/crash-*.
#
#   fuzz/run.sh [seconds per fuzzer, default 60] [fuzzer names...]   (default: all)
#   FUZZ_JOBS=2 fuzz/run.sh 600      # libFuzzer -fork=2 per fuzzer
#   FUZZ_PARALLEL=2 fuzz/run.sh 60   # two fuzzers at a time (what CI runs)
# Working corpora grow in build-fuzz/corpus/<fuzzer>/ (seeded from fuzz/corpus/); the
# committed seeds stay small. Execution counts are printed per fuzzer at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER="${1:-60}"
shift || true
BUILD="${IMMUDB_FUZZ_DIR:-build-fuzz}"
ALL=(store_records_fuzzer metadata_fuzzer proof_verify_fuzzer proof_tamper_fuzzer
     client_verify_fuzzer server_request_fuzzer config_fuzzer)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

fuzz/configure.sh
# FUZZ_NO_BUILD=1 runs the fuzzers as they are (e.g. while the tree is being edited).
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || cmake --build "$BUILD" -j "${IMMUDB_BUILD_JOBS:-2}" --target "${TARGETS[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Replays the regressions of fuzzer $1, then fuzzes it; writes its summary line to
# $BUILD/artifacts/$1/summary. Returns non-zero on any finding.
fuzz_one() {
  local f="$1"
  local bin="$BUILD/fuzz/$f"
  local work="$BUILD/corpus/$f"
  local art="$BUILD/artifacts/$f/"
  mkdir -p "$work" "$art"
  rm -f "$art/summary"
  if [ -d "fuzz/regressions/$f" ] && [ -n "$(ls -A "fuzz/regressions/$f")" ]; then
    echo "== $f: replaying fuzz/regressions/$f"
    "$bin" -runs=0 "fuzz/regressions/$f"/* >/dev/null 2>"$art/regressions.log" ||
      { cat "$art/regressions.log" >&2; echo "$f: a regression input fails again" >&2; return 1; }
  fi
  echo "== $f: ${SECONDS_PER}s"
  local log="$art/fuzz.log"
  # -rss_limit_mb bounds a single input's memory; -timeout flags a single slow input (hang).
  local par=()
  [ "${FUZZ_JOBS:-1}" -gt 1 ] && par=(-fork="$FUZZ_JOBS")
  if ! "$bin" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       "${par[@]}" -artifact_prefix="$art" -print_final_stats=1 "$work" "fuzz/corpus/$f" \
       >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "$f: FAILED, input saved in $art" >&2
    return 1
  fi
  local execs cov
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  printf '%-24s %10s execs in %ss, coverage %s\n' "$f" "$execs" "$SECONDS_PER" "${cov:-?}" \
    >"$art/summary"
}

PARALLEL="${FUZZ_PARALLEL:-1}"
failed=0
running=0
for f in "${TARGETS[@]}"; do
  if [ "$PARALLEL" -le 1 ]; then
    fuzz_one "$f" || exit 1
    continue
  fi
  fuzz_one "$f" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
echo "== fuzz summary"
for f in "${TARGETS[@]}"; do
  cat "$BUILD/artifacts/$f/summary" 2>/dev/null || echo "$f: no result"
done
[ "$failed" = 0 ] || { echo "fuzz/run.sh: a fuzzer found a failure (see above)" >&2; exit 1; }
