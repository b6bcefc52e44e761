#!/usr/bin/env bash
# Smoke test of immubench: starts the given immudb, runs short Set, VerifiableSet and Get
# cells and checks the JSON reports non-zero tx/s, no errors and server CPU figures; then
# VerifiableSet again with the clients' trusted states in memory. Usage: smoke_test.sh IMMUBENCH IMMUDB
set -euo pipefail
bench=$1 server=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bench" --server "$server" --work-dir "$out" --cells set:2:1,set:1:10,verifiableset:2:1,get:1:1 --duration 1 \
  --warmup 0.2 --prefill-keys 100 --history-keys 0 --no-progress --json "$out/r.json"
jq -e '.results | length == 4' "$out/r.json" >/dev/null
jq -e '[.results[] | .tx_per_s > 0 and .errors == 0 and .latency_us.p99 > 0] | all' "$out/r.json" >/dev/null
jq -e '.results[0].server.hwm_kib > 0' "$out/r.json" >/dev/null
jq -e '[.results[] | select(.op == "verifiableset") | .client_api == "async" and .client_state == "file"] == [true]' \
  "$out/r.json" >/dev/null
"$bench" --server "$server" --work-dir "$out" --cells verifiableset:2:1 --client-state memory \
  --duration 1 --warmup 0.2 --no-progress --json "$out/m.json"
jq -e '.results[0] | .tx_per_s > 0 and .errors == 0 and .client_state == "memory"' "$out/m.json" >/dev/null
echo "immubench smoke: ok ($(jq -r '[.results[] | "\(.op) c=\(.clients) b=\(.batch): \(.tx_per_s) tx/s"] | join("; ")' "$out/r.json"))"
