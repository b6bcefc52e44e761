#!/usr/bin/env bash
# immuclient's interactive shell on a real pseudo-terminal (pty_driver): the banner and
# prompt, login with a no-echo password prompt, set / get, recalling an earlier command with
# arrow-up (libedit history), history, an unknown command, exit. Each step is bounded.
# Usage: shell_pty_test.sh <immudb> <immuclient> <pty_driver>   (pty_driver: tests/cli/pty_driver.cc)
set -u
IMMUDB=${1:?immudb path}
IMMUCLIENT=${2:?immuclient path}
DRIVER=${3:?pty_driver path}
WORK=$(mktemp -d /tmp/immudb-pty.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$IMMUDB" --dir "$WORK/data" -a 127.0.0.1 -p 0 > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$WORK/server.log" | grep -Eo '[0-9]+$' | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "server did not start"; cat "$WORK/server.log"; exit 1; }

cat > "$WORK/script" <<'SCRIPT'
expect immuclient interactive shell
expect immuclient> $
send get k1\r
expect ERROR: please login first
expect immuclient> $
send login immudb\r
expect Password: $
send immudb\r
expect Successfully logged in
expect immuclient> $
send set k1 v1\r
expect tx: +1\r?\n
expect immuclient> $
send get k1\r
expect value: +v1
expect immuclient> $
send set k1 v2\r
expect tx: +2\r?\n
expect immuclient> $
# Arrow-up twice recalls "get k1" (the line before "set k1 v2"): only that prints v2.
send \e[A\e[A\r
expect rev: +2\r?\nkey: +k1\r?\nvalue: +v2
expect immuclient> $
# Arrow-up once now recalls the recalled "get k1"; edit it into "safeget k1" with Home.
send \e[A\e[Hsafe\r
expect value: +v2\r?\nverified: +true
expect immuclient> $
send history k1\r
expect value: +v1[\s\S]*value: +v2
expect immuclient> $
send bogus\r
expect ERROR: unknown command bogus
expect immuclient> $
send exit\r
eof
SCRIPT
"$DRIVER" "$WORK/script" 15 "$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/client"
