#!/usr/bin/env bash
# Sanitizer builds and runs.
#   asan: every selected test built with -fsanitize=address,undefined and run by CTest.
#         By default the clang tree of the fuzzers (build-fuzz/, see fuzz/CMakeLists.txt) is
#         used, so the instrumented libraries are compiled once for fuzzing and testing;
#         SANITIZE_ASAN_GCC=1 uses a gcc tree in build-asan/ instead.
#   tsan: build-tsan/ (gcc, -fsanitize=thread), the concurrency tests (store group commit,
#         index reads during writes, db preconditions / ExecAll from many threads, the
#         catalog opening a database without its lock, the client's trusted-state locks).
# Usage: scripts/sanitize.sh [asan|tsan|all] [ctest label regex] [ctest name regex]
#   scripts/sanitize.sh asan                    # labels crypto|ledger|store|index|db|server|client|cli
#   scripts/sanitize.sh asan 'ledger|store'     # only these labels (only their tests are built)
#   scripts/sanitize.sh tsan                    # the concurrency tests (TSAN_TESTS below)
# Selected tests never include the labels external, crash, reliability (long or third-party)
# nor the `fips` duplicates (same binary, FIPS mode on; SANITIZE_FIPS=1 keeps them).
# Any sanitizer report fails the test that produced it (halt_on_error / abort_on_error), and
# any failed test fails this script. Timings on the 2-core dev machine: docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
LABELS="${2:-}"
NAMES="${3:-}"
JOBS="${IMMUDB_BUILD_JOBS:-2}"
TEST_JOBS="${IMMUDB_TEST_JOBS:-2}"
ASAN_LABELS_DEFAULT='crypto|ledger|store|index|db|server|client|cli'
TSAN_TESTS='^(store_test|index_test|db_kv_test|db_kv_pipelined_test|db_index_pipeline_test|db_refs_test|db_catalog_test|client_verification_test)$'
EXCLUDE='external|crash|reliability'
[ "${SANITIZE_FIPS:-0}" = 1 ] || EXCLUDE="$EXCLUDE|fips"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

# Builds only the tests CTest selects in test_dir (plus the programs they start) in
# build_dir, then runs them.
build_and_run() {  # build_dir, ctest dir, label regex, name regex
  local dir="$1" tdir="$2" labels="$3" names="$4"
  local sel=(-L "$labels" -LE "$EXCLUDE")
  [ -n "$names" ] && sel+=(-R "$names")
  # Test binaries are named like their tests (n and n_fips share one binary, and so do
  # db_kv_test and db_kv_pipelined_test).
  mapfile -t targets < <(cd "$tdir" && ctest -N "${sel[@]}" | sed -n 's/^ *Test *#[0-9]*: //p' |
                         sed -E 's/(_tls)?_fips$//; s/_pipelined_test$/_test/' | sort -u)
  if [ ${#targets[@]} -eq 0 ]; then
    echo "sanitize: no tests match labels '$labels' names '$names'" >&2
    return 1
  fi
  # Server, client and CLI tests start the programs.
  local extra=()
  if printf '%s\n' "${targets[@]}" | grep -qE '^(server|client|cli|audit|immubench)'; then
    for p in immudb immuclient immuadmin immubench pty_driver; do
      ninja -C "$dir" -t query "$p" >/dev/null 2>&1 && extra+=("$p")
    done
  fi
  # A ctest name that is not a target (e.g. a shell-script test) is built through its
  # programs only.
  local real=()
  for t in "${targets[@]}"; do
    if ninja -C "$dir" -t query "$t" >/dev/null 2>&1; then real+=("$t"); fi
  done
  local t0=$SECONDS
  cmake --build "$dir" -j "$JOBS" --target "${real[@]}" "${extra[@]}"
  local t1=$SECONDS
  (cd "$tdir" && ctest --output-on-failure -j "$TEST_JOBS" "${sel[@]}")
  echo "sanitize: $dir build $((t1 - t0)) s, tests $((SECONDS - t1)) s (labels '$labels' names '$names')"
}

configure_gcc() {  # dir, flags
  local dir="$1" flags="$2"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
      -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" >/dev/null
  else
    cmake "$dir" >/dev/null
  fi
}

SAN_COMMON="-fno-omit-frame-pointer -g"
case "$what" in
  asan|all)
    export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    if [ "${SANITIZE_ASAN_GCC:-0}" = 1 ]; then
      configure_gcc build-asan "-fsanitize=address,undefined -fno-sanitize-recover=undefined $SAN_COMMON"
      build_and_run build-asan build-asan "${LABELS:-$ASAN_LABELS_DEFAULT}" "$NAMES"
    else
      fuzz/configure.sh
      fdir="${IMMUDB_FUZZ_DIR:-build-fuzz}"
      build_and_run "$fdir" "$fdir/immudb" "${LABELS:-$ASAN_LABELS_DEFAULT}" "$NAMES"
    fi
    ;;&
  tsan|all)
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp}"
    configure_gcc build-tsan "-fsanitize=thread $SAN_COMMON"
    build_and_run build-tsan build-tsan "${LABELS:-.}" "${NAMES:-$TSAN_TESTS}"
    ;;
  asan|tsan|all) ;;
  *) echo "usage: $0 [asan|tsan|all] [ctest label regex] [ctest name regex]" >&2; exit 2 ;;
esac
