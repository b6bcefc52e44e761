#!/usr/bin/env bash
# immuadmin hot-backup / hot-restore end to end (exportTx / replicateTx) on 127.0.0.1:
#   1. server 1: values, references, a sorted set, a deleted key (deleted metadata), revisions;
#      a client trusts the state at tx 2;
#   2. full backup, partial backups (--end-tx, --start-tx) and a resumed one (--append) that
#      must be byte-identical to the full one;
#   3. server 2 (fresh data folder, same server identity): restore into the empty defaultdb;
#      every tx header (Alh), key, value, history, scan, zscan and the state are identical, and
#      the client trusting server 1's tx 2 verifies a dual proof (check-consistency) and a
#      verified get against the restored database;
#   4. a flipped value byte, a flipped Alh and a missing tx are refused naming the tx, with
#      nothing committed from a file, and nothing beyond the bad tx from a stream (stdin);
#   5. --append into a partially restored database.
#   6. (with pty_driver) on a terminal both commands draw a progress bar.
# Usage: backup_restore_test.sh <immudb> <immuclient> <immuadmin> [pty_driver]
set -u
IMMUDB=${1:?immudb path}
IMMUCLIENT=${2:?immuclient path}
IMMUADMIN=${3:?immuadmin path}
DRIVER=${4:-}
WORK=$(mktemp -d /tmp/immudb-backup.XXXXXX)
FAILS=0
SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    SERVER_PID=""
  fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# run <expected exit: 0|nonzero> <regex the combined output must match> <command...>
run() {
  local want=$1 pattern=$2; shift 2
  local out rc
  out=$("$@" 2>&1 < /dev/null); rc=$?
  if [ "$want" = 0 ] && [ $rc -ne 0 ]; then fail "exit $rc from: $* ($out)"; return; fi
  if [ "$want" != 0 ] && [ $rc -eq 0 ]; then fail "exit 0 from: $* ($out)"; return; fi
  if ! grep -Eq -- "$pattern" <<<"$out"; then fail "output of '$*' does not match /$pattern/: $out"; return; fi
  echo "ok: $*"
}

start_server() {  # <data dir>
  "$IMMUDB" --dir "$1" -a 127.0.0.1 -p 0 > "$1.log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$1.log" | grep -Eo '[0-9]+$' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "server did not start"; cat "$1.log"; exit 1; }
  C=("$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/client" --password immudb)
  T=("$IMMUCLIENT" --immudb-port "$PORT" --dir "$WORK/trusting" --password immudb)
  A=("$IMMUADMIN" --immudb-port "$PORT" --dir "$WORK/admin" --password immudb)
}

# Everything a client can read about defaultdb (or --database $1), one file.
snapshot() {  # <output file> [database]
  local db=${2:-defaultdb} n
  n=$("${C[@]}" --database "$db" current | awk '/^txID:/ {print $2}')
  {
    "${C[@]}" --database "$db" current | grep -v '^database:'
    for i in $(seq 1 "$n"); do "${C[@]}" --database "$db" tx "$i"; done
    for k in a b c ra big; do "${C[@]}" --database "$db" get "$k" 2>&1; "${C[@]}" --database "$db" history "$k" 2>&1; done
    "${C[@]}" --database "$db" get a@1
    "${C[@]}" --database "$db" scan
    "${C[@]}" --database "$db" zscan s
    "${C[@]}" --database "$db" count
  } > "$1" 2>&1
}

# ---- 1. server 1 -------------------------------------------------------------------------
start_server "$WORK/data1"
run 0 '^tx: +1$' "${C[@]}" set a 1
run 0 '^tx: +2$' "${C[@]}" set b 2
run 0 'verified: +true' "${T[@]}" safeget a           # trusted state: tx 2
run 0 '^tx: +3$' "${C[@]}" reference ra a
run 0 '^tx: +4$' "${C[@]}" set big FLIPMEFLIPMEFLIPME
run 0 '^tx: +5$' "${C[@]}" zadd s 1.5 a
run 0 '^tx: +6$' "${C[@]}" zadd s 0.5 big
run 0 '^tx: +7$' "${C[@]}" delete b
run 0 '^tx: +8$' "${C[@]}" set a 3
run 0 'verified: +true' "${C[@]}" safeset c xyz
snapshot "$WORK/before.txt"
grep -q 'FLIPME' "$WORK/before.txt" || fail "snapshot misses data: $(cat "$WORK/before.txt")"

# ---- 2. backups ------------------------------------------------------------------------------
run 0 'Done' "${A[@]}" hot-backup defaultdb -o "$WORK/full.bak"
run 1 'already exists' "${A[@]}" hot-backup defaultdb -o "$WORK/full.bak"
run 0 'Done' "${A[@]}" hot-backup defaultdb -o "$WORK/part.bak" --end-tx 3
run 0 'from 4 to 9' "${A[@]}" hot-backup defaultdb -o "$WORK/part.bak" --append
cmp -s "$WORK/full.bak" "$WORK/part.bak" || fail "backup resumed with --append differs from the full one"
run 0 'All backed up' "${A[@]}" hot-backup defaultdb -o "$WORK/part.bak" --append
run 0 'Done' "${A[@]}" hot-backup defaultdb -o "$WORK/upto3.bak" --end-tx 3
run 0 'Done' "${A[@]}" hot-backup defaultdb -o "$WORK/from5.bak" --start-tx 5
run 1 'together' "${A[@]}" hot-backup defaultdb -o "$WORK/x.bak" --start-tx 2 --append
"${A[@]}" hot-backup defaultdb > "$WORK/stdout.bak" 2>/dev/null || fail "hot-backup to stdout"
cmp -s "$WORK/full.bak" "$WORK/stdout.bak" || fail "backup to stdout differs from the file one"
run 0 'transactions from 1 to 9' "${A[@]}" hot-restore --verify-only -i "$WORK/full.bak"
cat "$WORK/upto3.bak" "$WORK/from5.bak" > "$WORK/gap.bak"

# A value byte flipped (inside tx 4), and one byte of tx 6's recorded Alh flipped.
cp "$WORK/full.bak" "$WORK/flipped.bak"
OFF=$(grep -abo FLIPMEFLIPME "$WORK/flipped.bak" | head -1 | cut -d: -f1)
printf 'X' | dd of="$WORK/flipped.bak" bs=1 seek="$OFF" conv=notrunc status=none
cp "$WORK/full.bak" "$WORK/badalh.bak"
# Record layout: 10 prefix + 4 version + 8 tx + 4 + 4 lengths, then the 32-byte Alh.
REC6=$(grep -abo IMMUBACKUP "$WORK/badalh.bak" | sed -n 6p | cut -d: -f1)
printf '\xff' | dd of="$WORK/badalh.bak" bs=1 seek=$((REC6 + 30 + 5)) conv=notrunc status=none
stop_server

# ---- 3. restore on a fresh server with the same identity ------------------------------------
mkdir -p "$WORK/data2"
cp "$WORK/data1/immudb.identifier" "$WORK/data2/"
start_server "$WORK/data2"
run 0 'Restored transactions from 1 to 9' "${A[@]}" hot-restore defaultdb -i "$WORK/full.bak"
snapshot "$WORK/after.txt"
if ! diff -u "$WORK/before.txt" "$WORK/after.txt"; then fail "restored database differs"; else echo "ok: restored database reads identically"; fi
run 0 'txID: +9' "${T[@]}" check-consistency          # dual proof from server 1's tx 2
run 0 'verified: +true' "${T[@]}" safeget c
run 0 'verified: +true' "${T[@]}" safeget ra
run 1 'without --append' "${A[@]}" hot-restore defaultdb -i "$WORK/full.bak"
run 0 'up-to-date' "${A[@]}" hot-restore defaultdb --append -i "$WORK/full.bak"
run 1 'ahead of the backup file \(last tx 3\)' "${A[@]}" hot-restore defaultdb --append -i "$WORK/upto3.bak"

# ---- 4. refused backups ----------------------------------------------------------------------
run 1 'tx 4' "${A[@]}" hot-restore --verify-only -i "$WORK/flipped.bak"
run 1 'tx 4: entries do not hash' "${A[@]}" hot-restore bad1 -i "$WORK/flipped.bak"
run 1 'tx 6: header hashes to Alh' "${A[@]}" hot-restore bad2 -i "$WORK/badalh.bak"
run 1 'tx 4 missing' "${A[@]}" hot-restore bad3 -i "$WORK/gap.bak"
run 1 'starts at tx 5' "${A[@]}" hot-restore bad6 -i "$WORK/from5.bak"
"${A[@]}" database list > "$WORK/dblist.txt" 2>&1
if grep -Eq 'bad[1236]' "$WORK/dblist.txt"; then fail "a refused file created a database: $(cat "$WORK/dblist.txt")"; else echo "ok: refused files committed nothing"; fi
# A redirected regular file is checked ahead like -i. From a pipe it cannot be: txs before the bad one are restored, none after.
out=$(cat "$WORK/flipped.bak" | "${A[@]}" hot-restore bad4 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q 'tx 4' <<<"$out" || fail "streamed flipped backup: rc=$rc $out"
run 0 'txID: +3$' "${C[@]}" --database bad4 current
out=$(cat "$WORK/gap.bak" | "${A[@]}" hot-restore bad5 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q 'tx 4' <<<"$out" || fail "streamed gap backup: rc=$rc $out"
run 0 'txID: +3$' "${C[@]}" --database bad5 current

# ---- 5. --append into a partially restored database ------------------------------------------
run 0 'Restored transactions from 1 to 3' "${A[@]}" hot-restore part -i "$WORK/upto3.bak"
run 1 'gap of 1 transaction' "${A[@]}" hot-restore part --append -i "$WORK/from5.bak"
run 0 'Restored transactions from 4 to 9' "${A[@]}" hot-restore part --append -i "$WORK/full.bak"
snapshot "$WORK/part.txt" part
if ! diff -u "$WORK/before.txt" "$WORK/part.txt"; then fail "appended database differs"; else echo "ok: appended database reads identically"; fi

# ---- 6. progress bars on a terminal ----------------------------------------------------------
if [ -n "$DRIVER" ]; then
  printf '%s\n' 'expect Backing up transactions from 1 to 9' 'expect \[=+\] 9/9 txs' 'expect Done' 'eof' > "$WORK/bar1"
  if "$DRIVER" "$WORK/bar1" 20 "${A[@]}" hot-backup part -o "$WORK/tty.bak" > "$WORK/bar1.out" 2>&1; then
    echo "ok: hot-backup progress bar on a terminal"
  else
    fail "hot-backup progress bar: $(cat "$WORK/bar1.out")"
  fi
  cmp -s "$WORK/full.bak" "$WORK/tty.bak" || fail "backup of the appended database differs from the original"
  printf '%s\n' 'expect \[=+\] 9/9 txs' 'expect Restored transactions from 1 to 9' 'eof' > "$WORK/bar2"
  if "$DRIVER" "$WORK/bar2" 20 "${A[@]}" hot-restore tty -i "$WORK/tty.bak" > "$WORK/bar2.out" 2>&1; then
    echo "ok: hot-restore progress bar on a terminal"
  else
    fail "hot-restore progress bar: $(cat "$WORK/bar2.out")"
  fi
fi

if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
echo "all backup/restore checks passed"
