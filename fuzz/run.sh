#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, into build-fuzz/) and runs each one for
# a fixed time from its committed seed corpus, after replaying every committed regression
# input (fuzz/regressions/<fuzzer>/). Exits non-zero on the first crash, leak, sanitizer
# report or timeout; the failing input is saved as build-fuzz/artifacts/<fuzzer>/crash-*.
#
#   fuzz/run.sh [seconds per fuzzer, default 60] [fuzzer names...]   (default: all)
#   FUZZ_JOBS=2 fuzz/run.sh 600      # libFuzzer -fork=2 per fuzzer
# Working corpora grow in build-fuzz/corpus/<fuzzer>/ (seeded from fuzz/corpus/); the
# committed seeds stay small. Execution counts are printed per fuzzer at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER="${1:-60}"
shift || true
BUILD=build-fuzz
ALL=(store_records_fuzzer metadata_fuzzer proof_verify_fuzzer proof_tamper_fuzzer
     client_verify_fuzzer server_request_fuzzer config_fuzzer)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

CC_BIN="${FUZZ_CC:-clang-14}"
CXX_BIN="${FUZZ_CXX:-clang++-14}"
if ! command -v "$CXX_BIN" >/dev/null; then
  echo "fuzz/run.sh: $CXX_BIN not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  CC="$CC_BIN" CXX="$CXX_BIN" cmake -S fuzz -B "$BUILD" "${gen[@]}" >/dev/null
fi
# FUZZ_NO_BUILD=1 runs the fuzzers as they are (e.g. while the tree is being edited).
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || cmake --build "$BUILD" -j "${IMMUDB_BUILD_JOBS:-2}" --target "${TARGETS[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
summary=()
for f in "${TARGETS[@]}"; do
  bin="$BUILD/fuzz/$f"
  work="$BUILD/corpus/$f"
  art="$BUILD/artifacts/$f/"
  mkdir -p "$work" "$art"
  if [ -d "fuzz/regressions/$f" ] && [ -n "$(ls -A "fuzz/regressions/$f")" ]; then
    echo "== $f: replaying fuzz/regressions/$f"
    "$bin" -runs=0 "fuzz/regressions/$f"/* >/dev/null 2>"$art/regressions.log" ||
      { cat "$art/regressions.log" >&2; echo "$f: a regression input fails again" >&2; exit 1; }
  fi
  echo "== $f: ${SECONDS_PER}s"
  log="$art/fuzz.log"
  # -rss_limit_mb bounds a single input's memory; -timeout flags a single slow input (hang).
  par=()
  [ "${FUZZ_JOBS:-1}" -gt 1 ] && par=(-fork="$FUZZ_JOBS")
  if ! "$bin" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       "${par[@]}" -artifact_prefix="$art" -print_final_stats=1 "$work" "fuzz/corpus/$f" \
       >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "$f: FAILED, input saved in $art" >&2
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  summary+=("$(printf '%-24s %10s execs in %ss, coverage %s' "$f" "$execs" "$SECONDS_PER" "${cov:-?}")")
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
