#!/usr/bin/env bash
# End-to-end test of `immuclient audit-mode` against real immudb servers on 127.0.0.1
# (ephemeral ports, temporary folders):
#   (a) clean history: a round passes, /metrics serves result 1 and the value gauges;
#   (b) forked history: a server on another data folder with the same identity (identifier
#       file copied) and the same database name but different writes: the audit reports
#       tampering (result 0, exit 1) and the trusted state file is unchanged;
#   (c) a byte of a stored value flipped on disk while the server is stopped: the value
#       sample reports it (value_failures > 0, exit 1).
# Usage: audit_test.sh <immudb> <immuclient>
set -u
IMMUDB=${1:?immudb path}
IMMUCLIENT=${2:?immuclient path}
# Extra words for every server start / every immuclient call (tests/tls uses them to run this
# script over TLS with the server in FIPS mode); empty by default.
read -r -a SERVER_EXTRA <<< "${IMMUDB_CLI_TEST_SERVER_ARGS:-}"
read -r -a CLIENT_EXTRA <<< "${IMMUDB_CLI_TEST_CLIENT_ARGS:-}"
WORK=$(mktemp -d /tmp/immudb-audit-test.XXXXXX)
FAILS=0
SERVER_PID=""
AUDITOR_PID=""

stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  wait "$pid" 2>/dev/null
}
cleanup() {
  stop_pid "$AUDITOR_PID"
  stop_pid "$SERVER_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

# start_server <data dir>: sets SERVER_PID and PORT.
start_server() {
  "$IMMUDB" --dir "$1" -a 127.0.0.1 -p 0 "${SERVER_EXTRA[@]}" > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/server.log" | grep -Eo '[0-9]+$' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }
}
stop_server() { stop_pid "$SERVER_PID"; SERVER_PID=""; }

client() { "$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/client" --password immudb "${CLIENT_EXTRA[@]}" "$@"; }

# audit_once <expected exit: 0|1> <regex the output must match> [flags...]
audit_once() {
  local want=$1 pattern=$2; shift 2
  local out rc
  out=$(client audit-mode --audit-once "$@" 2>&1); rc=$?
  if [ "$want" = 0 ] && [ $rc -ne 0 ]; then fail "audit exit $rc, want 0: $out"; return; fi
  if [ "$want" != 0 ] && [ $rc -eq 0 ]; then fail "audit exit 0, want non-zero: $out"; return; fi
  if ! grep -Eq -- "$pattern" <<<"$out"; then fail "audit output does not match /$pattern/: $out"; return; fi
  ok "audit-once exit $rc, /$pattern/"
}

state_file() { ls "$WORK/client"/.state-* | grep -vE '\.(lock|tmp)$'; }

# --- (a) clean history --------------------------------------------------------------------------
start_server "$WORK/data"
for i in 1 2 3 4 5; do client set "key$i" "AUDITVALUE-$i-payload" > /dev/null || fail "set key$i"; done
client zadd set1 1.5 key1 > /dev/null || fail "zadd"
client reference ref1 key1 > /dev/null || fail "reference"
audit_once 0 'database defaultdb: OK, prev tx -1, curr tx 7, values checked 6, value failures 0'
client set key6 later > /dev/null || fail "set key6"
audit_once 0 'database defaultdb: OK, prev tx 7, curr tx 8, values checked 3, value failures 0' --audit-value-samples 3
audit_once 1 'database nosuchdb: ERROR' --audit-databases nosuchdb

# The continuous mode with its metrics endpoint (ephemeral port, 1 s interval).
"$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/client" --password immudb "${CLIENT_EXTRA[@]}" \
  audit-mode --audit-interval 1s --audit-monitoring-port 0 > "$WORK/auditor.log" 2>&1 &
AUDITOR_PID=$!
MPORT=""
for _ in $(seq 1 100); do
  MPORT=$(grep -Eo 'metrics on http://127\.0\.0\.1:[0-9]+' "$WORK/auditor.log" | grep -Eo '[0-9]+$' | head -1)
  [ -n "$MPORT" ] && break
  sleep 0.1
done
METRICS=""
if [ -z "$MPORT" ]; then
  fail "auditor did not start: $(cat "$WORK/auditor.log")"
else
  for _ in $(seq 1 50); do
    METRICS=$(curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics")
    grep -Eq '^immuclient_audit_rounds_total [2-9]' <<<"$METRICS" && break
    sleep 0.2
  done
  SID=$(grep -Eo 'server [0-9a-v]{20}' "$WORK/auditor.log" | head -1 | cut -d' ' -f2)
  LBL="\\{database=\"defaultdb\",server_address=\"127.0.0.1:$PORT\",server_id=\"$SID\"\\}"
  for want in "^immuclient_audit_result_per_server$LBL 1\$" \
              "^immuclient_audit_prev_root_per_server$LBL 8\$" \
              "^immuclient_audit_curr_root_per_server$LBL 8\$" \
              "^immuclient_audit_run_at_per_server$LBL [0-9.e+]+\$" \
              "^immuclient_audit_values_checked$LBL [1-9]" \
              "^immuclient_audit_value_failures$LBL 0\$" \
              "^immuclient_audit_rounds_total [2-9]" \
              "^# TYPE immuclient_audit_result_per_server gauge\$"; do
    if grep -Eq -- "$want" <<<"$METRICS"; then ok "metrics /$want/"; else fail "metrics lack /$want/: $METRICS"; fi
  done
  CODE=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$MPORT/other")
  [ "$CODE" = 404 ] && ok "GET /other is 404" || fail "GET /other answered $CODE"
  CODE=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$MPORT/metrics")
  [ "$CODE" = 405 ] && ok "POST /metrics is 405" || fail "POST /metrics answered $CODE"
  grep -q 'database defaultdb: OK' "$WORK/auditor.log" && ok "auditor logs a line per round" \
    || fail "no OK log line: $(cat "$WORK/auditor.log")"
fi
stop_pid "$AUDITOR_PID"; AUDITOR_PID=""
grep -q 'audit: stopped' "$WORK/auditor.log" && ok "auditor stops on SIGTERM" || fail "auditor did not stop cleanly"

# --- (b) forked history: same server identity and database name, other writes ------------------
stop_server
mkdir -p "$WORK/fork"
cp "$WORK/data/immudb.identifier" "$WORK/fork/immudb.identifier"
cp "$(state_file)" "$WORK/state.trusted"
# A longer and a shorter forged history: the dual proof and the "older state" check.
start_server "$WORK/fork"
for i in 1 2 3 4 5 6 7 8 9 10; do client set "key$i" "FORKED-$i" > /dev/null || fail "fork set $i"; done
audit_once 1 'database defaultdb: TAMPERED, prev tx 8, curr tx 8, .*tampering detected'
cmp -s "$(state_file)" "$WORK/state.trusted" && ok "trusted state unchanged after the forked audit" \
  || fail "the trusted state changed after a failed audit"
stop_server
rm -rf "$WORK/fork"; mkdir -p "$WORK/fork"
cp "$WORK/data/immudb.identifier" "$WORK/fork/immudb.identifier"
start_server "$WORK/fork"
client set other 1 > /dev/null || fail "fork2 set"
audit_once 1 'database defaultdb: TAMPERED, prev tx 8, curr tx 8, .*older'
cmp -s "$(state_file)" "$WORK/state.trusted" && ok "trusted state unchanged after the shorter fork" \
  || fail "the trusted state changed after a failed audit"
stop_server

# The original history still passes against the trusted state.
start_server "$WORK/data"
audit_once 0 'database defaultdb: OK, prev tx 8, curr tx 8'

# --- (c) a stored value tampered with on disk --------------------------------------------------
stop_server
VAL="$WORK/data/defaultdb/store/val/00000000.seg"
OFF=$(grep -obUa 'AUDITVALUE-3-payload' "$VAL" | head -1 | cut -d: -f1)
if [ -z "$OFF" ]; then
  fail "value AUDITVALUE-3-payload not found in $VAL"
else
  printf 'X' | dd of="$VAL" bs=1 seek="$OFF" conv=notrunc status=none
  start_server "$WORK/data"
  audit_once 1 'database defaultdb: TAMPERED, prev tx 8, curr tx 8, values checked [0-9]+, value failures [1-9].*tx 3'
  # Without value samples only the states are checked, and they are intact.
  audit_once 0 'database defaultdb: OK, .*values checked 0' --audit-value-samples 0
fi

# --- signed states: the right public key passes, another key is reported ----------------------
if command -v openssl > /dev/null; then
  stop_server
  openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/ec.key" 2> /dev/null
  openssl ec -in "$WORK/ec.key" -pubout -out "$WORK/ec.pub" 2> /dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/other.key" 2> /dev/null
  openssl ec -in "$WORK/other.key" -pubout -out "$WORK/other.pub" 2> /dev/null
  "$IMMUDB" --dir "$WORK/signed" -a 127.0.0.1 -p 0 "${SERVER_EXTRA[@]}" --signingKey "$WORK/ec.key" > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/server.log" | grep -Eo '[0-9]+$' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  if [ -z "$PORT" ]; then
    fail "signing server did not start: $(cat "$WORK/server.log")"
  else
    client set s1 v1 > /dev/null || fail "signed set"
    audit_once 0 'database defaultdb: OK' --server-signing-pub-key "$WORK/ec.pub"
    client set s2 v2 > /dev/null || fail "signed set 2"
    audit_once 1 'database defaultdb: TAMPERED, prev tx 1, curr tx 1, .*signature' \
      --server-signing-pub-key "$WORK/other.pub"
    audit_once 0 'database defaultdb: OK, prev tx 1, curr tx 2' --server-signing-pub-key "$WORK/ec.pub"
  fi
else
  echo "skip: openssl not found, signed-state audit not run"
fi

if [ $FAILS -ne 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
echo "all checks passed"
