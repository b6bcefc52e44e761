#!/usr/bin/env bash
# Sanitizer builds and runs.
#   asan: build-asan/, every test built with -fsanitize=address,undefined (gcc), run by CTest.
#   tsan: build-tsan/, -fsanitize=thread, the concurrency-heavy layers (store group commit,
#         index, db, server, client).
# Usage: scripts/sanitize.sh [asan|tsan|all] [ctest label regex]
#   scripts/sanitize.sh asan                    # labels: everything but external and crash
#   scripts/sanitize.sh asan 'ledger|store'     # only these labels (only their tests are built)
#   scripts/sanitize.sh tsan                    # labels store|index|db|server|client
# Any sanitizer report fails the test that produced it (halt_on_error / abort_on_error).
# Timings on the 2-core dev machine are in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
LABELS="${2:-}"
JOBS="${IMMUDB_BUILD_JOBS:-2}"
TEST_JOBS="${IMMUDB_TEST_JOBS:-2}"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

# Configures dir with the sanitizer flags, builds only the tests CTest selects with the label
# regex (plus the programs they start), then runs them.
run_flavour() {  # dir, sanitizer flags, label regex, label exclude regex
  local dir="$1" flags="$2" labels="$3" exclude="$4"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
      -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" >/dev/null
  else
    cmake "$dir" >/dev/null
  fi
  local sel=(-L "$labels")
  [ -n "$exclude" ] && sel+=(-LE "$exclude")
  # Test binaries are named like their tests (n and n_fips share one binary).
  mapfile -t targets < <(cd "$dir" && ctest -N "${sel[@]}" | sed -n 's/^ *Test *#[0-9]*: //p' |
                         sed 's/_fips$//' | sort -u)
  if [ ${#targets[@]} -eq 0 ]; then
    echo "sanitize: no tests match labels '$labels'" >&2
    return 1
  fi
  # Server, client and CLI tests start the programs.
  local extra=()
  if [[ "$labels" == "." || "$labels" =~ server|client|cli ]]; then
    extra=(immudb immuclient immuadmin)
  fi
  local t0=$SECONDS
  cmake --build "$dir" -j "$JOBS" --target "${targets[@]}" "${extra[@]}"
  local t1=$SECONDS
  (cd "$dir" && ctest --output-on-failure -j "$TEST_JOBS" "${sel[@]}")
  echo "sanitize: $dir build $((t1 - t0)) s, tests $((SECONDS - t1)) s (labels '$labels')"
}

SAN_COMMON="-fno-omit-frame-pointer -g"
case "$what" in
  asan|all)
    export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    run_flavour build-asan "-fsanitize=address,undefined -fno-sanitize-recover=undefined $SAN_COMMON" \
      "${LABELS:-.}" "external|crash"
    ;;&
  tsan|all)
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
    run_flavour build-tsan "-fsanitize=thread $SAN_COMMON" "${LABELS:-store|index|db|server|client}" \
      "external|crash"
    ;;
  asan|tsan|all) ;;
  *) echo "usage: $0 [asan|tsan|all] [ctest label regex]" >&2; exit 2 ;;
esac
