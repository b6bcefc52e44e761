#!/usr/bin/env bash
# End-to-end runs of immuclient and immuadmin against a real immudb on 127.0.0.1 (ephemeral
# port, temporary data folder): checks printed output and exit codes.
# Usage: cli_e2e_test.sh <immudb> <immuclient> <immuadmin>   (paths of the built programs)
set -u
IMMUDB=${1:?immudb path}
IMMUCLIENT=${2:?immuclient path}
IMMUADMIN=${3:?immuadmin path}
# Extra words for every server start / every immuclient and immuadmin call (tests/tls uses them to
# run this script over TLS with the server in FIPS mode); empty by default.
read -r -a SERVER_EXTRA <<< "${IMMUDB_CLI_TEST_SERVER_ARGS:-}"
read -r -a CLIENT_EXTRA <<< "${IMMUDB_CLI_TEST_CLIENT_ARGS:-}"
WORK=$(mktemp -d /tmp/immudb-cli-e2e.XXXXXX)
FAILS=0
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# run <expected exit: 0|nonzero> <regex the combined output must match> <command...>
run() {
  local want=$1 pattern=$2; shift 2
  local out rc
  out=$("$@" 2>&1 < "${STDIN:-/dev/null}"); rc=$?
  if [ "$want" = 0 ] && [ $rc -ne 0 ]; then fail "exit $rc from: $* ($out)"; return; fi
  if [ "$want" != 0 ] && [ $rc -eq 0 ]; then fail "exit 0 from: $* ($out)"; return; fi
  if ! grep -Eq -- "$pattern" <<<"$out"; then fail "output of '$*' does not match /$pattern/: $out"; return; fi
  echo "ok: $*"
}

start_server() {
  "$IMMUDB" --dir "$WORK/data" -a 127.0.0.1 -p 0 --pidfile "$WORK/pid" "${SERVER_EXTRA[@]}" "$@" > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/server.log" | grep -Eo '[0-9]+$' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }
}

start_server
C=("$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/client" "${CLIENT_EXTRA[@]}")
A=("$IMMUADMIN" --immudb-port "$PORT" --dir "$WORK/admin" "${CLIENT_EXTRA[@]}")
P=(--password immudb)

# --- immuclient without login -----------------------------------------------------------
run 0 '^status: +Health check OK' "${C[@]}" status
run 0 '^version: ' "${C[@]}" info
run 1 'please login first' "${C[@]}" get a
run 1 'connection|failed|unavailable|Unavailable|refused|connect' "$IMMUCLIENT" --immudb-port 1 --dir "$WORK/x" status

# --- login through stdin (not a terminal), token kept for later commands ---------------------
echo immudb > "$WORK/pw"
STDIN="$WORK/pw" run 0 'Successfully logged in' "${C[@]}" login immudb
run 0 '^tx: +1$' "${C[@]}" set a 1
run 0 '^value: +1$' "${C[@]}" get a
run 0 '^tx: +2$' "${C[@]}" set a 2
run 0 '^value: +1$' "${C[@]}" get a@1
run 0 '^value: +1$' "${C[@]}" get a@-1
# --at-tx / --since-tx (KeyRequest.atTx / sinceTx, HistoryRequest/ScanRequest.sinceTx)
run 0 '^value: +1$' "${C[@]}" get a --at-tx 1
run 0 '^value: +2$' "${C[@]}" get a --at-tx=2
run 0 'verified: +true' "${C[@]}" safeget a --at-tx 1
run 0 '^value: +1$' "${C[@]}" safeget a --at-tx 1
run 1 'not found' "${C[@]}" get a --at-tx 99
run 0 '^value: +2$' "${C[@]}" get a --since-tx 2
run 1 'SinceTx must not be greater' "${C[@]}" get a --since-tx 999
run 1 'not both' "${C[@]}" get a@1 --at-tx 1
run 1 'invalid at-tx' "${C[@]}" get a --at-tx x
run 0 '^value: +2$' "${C[@]}" history a --since-tx 2
run 1 'SinceTx must not be greater' "${C[@]}" history a --since-tx 999
run 0 '^key: +a$' "${C[@]}" scan --since-tx 2
run 1 'SinceTx must not be greater' "${C[@]}" scan --since-tx 999
run 0 '^rev: +2$' "${C[@]}" get a
run 0 '^2$' "${C[@]}" --value-only get a
run 1 'key not found' "${C[@]}" get nothere
run 1 'usage: set <key> <value>' "${C[@]}" set onlykey

# --- verified calls and the trusted state ---------------------------------------------------
run 0 'verified: +true' "${C[@]}" safeset b hello
run 0 'value: +hello' "${C[@]}" verifiedget b
run 0 'verified: +true' "${C[@]}" safeget a
run 0 '"verified":true' "${C[@]}" --output json safeget b
run 0 '"value":"hello"' "${C[@]}" -o json get b
ls "$WORK/client"/.state-* > /dev/null 2>&1 || fail "no state file written"
run 0 'ref: +a' "${C[@]}" reference ra a
run 0 'verified: +true' "${C[@]}" safereference rb b
run 0 'value: +hello' "${C[@]}" safeget rb
run 0 'score: +1.5' "${C[@]}" zadd s 1.5 a
run 0 'verified: +true' "${C[@]}" safezadd s 2.5 b
run 0 'key: +b' "${C[@]}" zscan s
run 0 'key: +a' "${C[@]}" tx 1
run 0 'verified: +true' "${C[@]}" safetx 2
run 0 'hash: +[0-9a-f]{64}' "${C[@]}" current
run 0 'verified: +true' "${C[@]}" check-consistency
run 0 'lastRequestCompletedAt: +[0-9]+' "${C[@]}" health
run 0 'value: +2' "${C[@]}" history a
run 0 'key: +b' "${C[@]}" scan
run 0 '^[0-9]+$' "${C[@]}" count
run 0 '^tx: +[0-9]+' "${C[@]}" delete a
run 1 'key not found' "${C[@]}" get a

# A forged trusted state: every verified command reports tampering and keeps the file.
STATE=$(ls "$WORK/client"/.state-* | grep -vE "\.(lock|tmp)$")
cp "$STATE" "$WORK/state.good"
FORGED=$(printf 'defaultdb:%s' "$(printf '\x0a\x09defaultdb\x10\x03\x1a\x20BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' | base64 -w0)")
printf '%s' "$FORGED" > "$STATE"
run 1 'tampering detected' "${C[@]}" safeget b
run 1 'tampering detected' "${C[@]}" safeset c 3
run 1 'tampering detected' "${C[@]}" check-consistency
[ "$(cat "$STATE")" = "$FORGED" ] || fail "the trusted state changed after a failed verification"
cp "$WORK/state.good" "$STATE"
run 0 'verified: +true' "${C[@]}" safeget b

# Password from the environment and a session instead of the token.
IMMUCLIENT_PASSWORD=immudb run 0 'value: +hello' "${C[@]}" get b
run 1 'invalid|password|denied|credentials' "${C[@]}" --password wrong get b

# --- interactive shell fed from a pipe -----------------------------------------------------
printf 'set shellkey v1\nsafeget shellkey\nbogus\nget nothere\nexit\n' > "$WORK/shell.in"
STDIN="$WORK/shell.in" run 0 'verified: +true' "${C[@]}" "${P[@]}"
STDIN="$WORK/shell.in" run 0 'unknown command bogus' "${C[@]}" "${P[@]}"
STDIN="$WORK/shell.in" run 0 'ERROR: .*key not found' "${C[@]}" "${P[@]}"

run 0 'Successfully logged out' "${C[@]}" logout
run 1 'please login first' "${C[@]}" get b

# --- immuadmin -------------------------------------------------------------------------------
run 0 'server is reachable' "${A[@]}" status
run 1 'please login first' "${A[@]}" database list
STDIN="$WORK/pw" run 0 'logged in' "${A[@]}" login immudb
run 0 'defaultdb' "${A[@]}" database list
run 0 "database 'db2' created" "${A[@]}" database create db2 --write-tx-header-version 0 --max-key-len 512
run 1 'exist' "${A[@]}" database create db2
run 0 'db2' "${A[@]}" database list
run 0 "unloaded" "${A[@]}" database unload db2
run 0 "db2.*UNLOADED" "${A[@]}" database list
run 0 "loaded" "${A[@]}" database load db2
run 0 "updated" "${A[@]}" database update db2 --max-tx-entries 100
run 1 'missing database subcommand' "${A[@]}" database
echo 'Secret1!pw' > "$WORK/alicepw"
STDIN="$WORK/alicepw" run 0 'Created user alice' "${A[@]}" user create alice readwrite db2
run 1 'permission must be' "${A[@]}" user create bob superuser db2
run 0 'alice' "${A[@]}" user list
run 0 'Permission changed' "${A[@]}" user permission grant alice read defaultdb
run 0 'Permission: defaultdb read' "${A[@]}" user list
run 0 'Permission changed' "${A[@]}" user permission revoke alice read defaultdb
run 0 'deactivated' "${A[@]}" user deactivate alice
run 1 '.' "${C[@]}" --username alice --password 'Secret1!pw' --database db2 set k v
run 0 'activated' "${A[@]}" user activate alice
run 0 '^tx: +1$' "${C[@]}" --username alice --password 'Secret1!pw' --database db2 set k v
run 0 'verified: +true' "${C[@]}" --username alice --password 'Secret1!pw' --database db2 safeget k
printf 'Secret1!pw\nN3w-Secret!\n' > "$WORK/chpw"
STDIN="$WORK/chpw" run 0 "password has been changed" "${A[@]}" --username alice --password 'Secret1!pw' --database db2 user changepassword alice
run 0 'value: +v' "${C[@]}" --username alice --password 'N3w-Secret!' --database db2 get k
run 0 "unloaded" "${A[@]}" database unload db2
run 0 "deleted" "${A[@]}" database delete db2
run 0 'logged out' "${A[@]}" logout

# --- a second server signing its states; clients in FIPS mode check the signatures ------------
if command -v openssl > /dev/null; then
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
  openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/ec.key" 2> /dev/null
  openssl ec -in "$WORK/ec.key" -pubout -out "$WORK/ec.pub" 2> /dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/other.key" 2> /dev/null
  openssl ec -in "$WORK/other.key" -pubout -out "$WORK/other.pub" 2> /dev/null
  rm -rf "$WORK/data"
  start_server --signingKey "$WORK/ec.key"
  S=("$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/signed" --password immudb --fips-mode on "${CLIENT_EXTRA[@]}")
  run 0 'verified: +true' "${S[@]}" --server-signing-pub-key "$WORK/ec.pub" safeset s1 v1
  run 0 'verified: +true' "${S[@]}" --server-signing-pub-key "$WORK/ec.pub" safeget s1
  run 0 'txID: +1' "${S[@]}" --server-signing-pub-key "$WORK/ec.pub" current
  run 1 'tampering detected: state signature does not verify' "${S[@]}" --server-signing-pub-key "$WORK/other.pub" safeget s1
  run 1 'tampering detected' "${S[@]}" --server-signing-pub-key "$WORK/other.pub" current
else
  echo "skip: openssl not found, signed-state checks not run"
fi

if [ $FAILS -ne 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
echo "all checks passed"
