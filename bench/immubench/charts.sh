#!/usr/bin/env bash
# Renders the charts of a bench/run result file with gnuplot (pngcairo):
#   <outdir>/latest-throughput.png  Set entries/s by clients x entries/tx, immudb variants vs PostgreSQL
#   <outdir>/latest-latency.png     Set (1 entry/tx) latency p50/p99 by clients
#   <outdir>/latest-ratios.png      FIPS/default and TLS/default throughput per cell
#   <outdir>/latest-ops.png         the other operations, immudb vs PostgreSQL
# Usage: charts.sh RESULT.json OUTDIR
set -euo pipefail
in=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
series=("immudb default" "immudb fips" "immudb tls" "immudb async" "postgresql plain" "postgresql chained")
title="$(jq -r '"\(.machine.cpu_model), \(.machine.cores) cores; \(.mode) run \(.machine.time_utc); load \(.load_avg.at_start) -> \(.load_avg.at_end)"' "$in")"

# Table: one row per Set cell (batch, clients), one column per series (NaN = not measured).
jq -r --argjson series "$(printf '%s\n' "${series[@]}" | jq -R . | jq -s .)" '
  .results as $r
  | ([$r[] | select(.op == "set") | [.batch, .clients]] | unique | sort) as $cells
  | $cells[] | . as [$b, $c]
  | (["c=\($c) b=\($b)"] + [$series[] | split(" ") as [$t, $v]
      | ($r | map(select(.target == $t and .variant == $v and .op == "set" and .clients == $c and .batch == $b)) | first | .entries_per_s) // "NaN"])
  | @tsv' "$in" > "$tmp/set.tsv"

# Latency of Set 1 entry/tx by clients: clients, then p50 and p99 (ms) per series.
jq -r --argjson series "$(printf '%s\n' "${series[@]}" | jq -R . | jq -s .)" '
  .results as $r
  | ([$r[] | select(.op == "set" and .batch == 1) | .clients] | unique | sort)[] as $c
  | ([$c] + [$series[] | split(" ") as [$t, $v]
      | ($r | map(select(.target == $t and .variant == $v and .op == "set" and .clients == $c and .batch == 1)) | first) as $x
      | (if $x then ($x.latency_us.p50 / 1000) else "NaN" end), (if $x then ($x.latency_us.p99 / 1000) else "NaN" end)])
  | @tsv' "$in" > "$tmp/lat.tsv"

# Ratios per immudb cell measured in both variants.
jq -r '
  .results as $r
  | [$r[] | select(.target == "immudb" and .variant == "default")] as $d
  | ([$r[] | select(.target == "immudb" and (.variant == "fips" or .variant == "tls")) | [.op, .clients, .batch]] | unique)[] as [$op, $c, $b]
  | ($d | map(select(.op == $op and .clients == $c and .batch == $b)) | first) as $base
  | select($base != null)
  | ["\($op) c=\($c) b=\($b)"] + [("fips", "tls") as $v
      | ($r | map(select(.target == "immudb" and .variant == $v and .op == $op and .clients == $c and .batch == $b)) | first) as $x
      | if $x then ($x.tx_per_s / $base.tx_per_s) else "NaN" end]
  | @tsv' "$in" > "$tmp/ratio.tsv"

# Other operations: immudb default vs PostgreSQL plain, operations per second.
jq -r '
  .results as $r
  | ([$r[] | select(.op != "set" and (.variant == "default" or .variant == "plain")) | [.op, .clients, .batch]] | unique)[] as [$op, $c, $b]
  | ["\($op) c=\($c)" + (if $op == "scan" or $op == "history" then " n=\($b)" else "" end)] + [
      ("immudb default", "postgresql plain") | split(" ") as [$t, $v]
      | ($r | map(select(.target == $t and .variant == $v and .op == $op and .clients == $c and .batch == $b)) | first | .tx_per_s) // "NaN"]
  | @tsv' "$in" > "$tmp/ops.tsv"

# columnhead needs a header line: prepend one.
for f in set; do
  { printf 'cell'; for s in "${series[@]}"; do printf '\t%s' "$s"; done; printf '\n'; cat "$tmp/$f.tsv"; } > "$tmp/$f.h.tsv"
done
{ printf 'cell\tFIPS on / default\tTLS / default\n'; cat "$tmp/ratio.tsv"; } > "$tmp/ratio.h.tsv"
{ printf 'op\timmudb default\tpostgresql plain\n'; cat "$tmp/ops.tsv"; } > "$tmp/ops.h.tsv"

gnuplot <<GP
set terminal pngcairo size 1200,650 font "DejaVu Sans,10"
set datafile separator "\t"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set grid ytics
set key top left
set xtics rotate by -30 scale 0

set output "$out/latest-throughput.png"
set title "Set: entries/s by clients (c) and entries per tx (b); synced unless 'async' (log scale)\n{/*0.8 $title}"
set logscale y
set yrange [10:*]
set ylabel "entries/s"
plot for [i=2:7] "$tmp/set.h.tsv" using i:xtic(1) title columnhead(i) lc i-1

set output "$out/latest-ops.png"
set title "Other operations: requests/s, immudb vs PostgreSQL (n = rows per request; log scale)\n{/*0.8 $title}"
set ylabel "requests/s"
set yrange [1:*]
plot for [i=2:3] "$tmp/ops.h.tsv" using i:xtic(1) title columnhead(i) lc (i == 2 ? 1 : 5)

set output "$out/latest-ratios.png"
set title "Throughput relative to the default server, same cell, same run (goal for FIPS: >= 0.97)\n{/*0.8 $title}"
unset logscale y
set yrange [0:*]
set key outside top center horizontal
set ylabel "tx/s ratio"
set arrow 1 from graph 0, first 0.97 to graph 1, first 0.97 nohead lc rgb "red" dt 2
set arrow 2 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "gray"
plot for [i=2:3] "$tmp/ratio.h.tsv" using i:xtic(1) title columnhead(i) lc i
unset arrow 1
unset arrow 2

set output "$out/latest-latency.png"
set title "Set, 1 entry per tx: latency by clients (solid p50, dashed p99; log scale)\n{/*0.8 $title}"
set style data linespoints
set logscale xy
set xtics rotate by 0 scale 1
set xrange [0.8:130]
set yrange [*:*]
set xlabel "clients"
set ylabel "ms"
set key top left
# immudb default and fips, PostgreSQL plain and chained (series 0, 1, 4, 5).
plot for [i in "0 1 4 5"] "$tmp/lat.tsv" using 1:(column(2+2*i)) title word("immudb-default immudb-fips immudb-tls immudb-async postgresql-plain postgresql-chained", i+1)." p50" lc i+1 lw 2 pt 7, \
     for [i in "0 1 4 5"] "$tmp/lat.tsv" using 1:(column(3+2*i)) title word("immudb-default immudb-fips immudb-tls immudb-async postgresql-plain postgresql-chained", i+1)." p99" lc i+1 lw 2 dt 2 pt 6
GP
echo "charts: $out/latest-{throughput,latency,ratios,ops}.png" >&2
