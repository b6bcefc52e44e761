# Merges the JSON documents of immubench and pgbench_peer (jq -s) into bench/run's result
# file and computes the targets of docs/benchmarks.md from the cells of this one run.
# Arguments: $mode $commit $load_start $load_end (load averages) $notes (array).
def pick($r; $t; $v; $op; $c; $b):
  $r | map(select(.target == $t and .variant == $v and .op == $op and .clients == $c and .batch == $b)) | first;
def rate($r; $t; $v; $op; $c; $b): (pick($r; $t; $v; $op; $c; $b) | .tx_per_s) // null;
def ratio($a; $b): if $a != null and $b != null and $b > 0 then ($a / $b * 1000 | round / 1000) else null end;
def geomean: if length == 0 then null else (map(log) | add / length | exp * 1000 | round / 1000) end;
def variant_ratios($r; $v):
  [$r[] | select(.target == "immudb" and .variant == $v) | . as $x
   | {op, clients, batch, ($v): .tx_per_s,
      default: rate($r; "immudb"; "default"; $x.op; $x.clients; $x.batch)}
   | select(.default != null) | .ratio = ratio(.[$v]; .default)];

. as $docs
| ($docs | map(.results) | add) as $r
| {
    mode: $mode,
    commit: $commit,
    machine: $docs[0].machine,
    load_avg: {at_start: $load_start, at_end: $load_end},
    notes: $notes,
    runs: [$docs[] | {tool, options, machine}],
    results: $r,
    targets: {
      set_vs_postgresql_insert: [32, 100 | . as $c
        | {clients: $c,
           immudb_tx_per_s: rate($r; "immudb"; "default"; "set"; $c; 1),
           postgresql_tx_per_s: rate($r; "postgresql"; "plain"; "set"; $c; 1)}
        | .ratio = ratio(.immudb_tx_per_s; .postgresql_tx_per_s)
        | .met = (.ratio != null and .ratio >= 1)],
      set_1000_entries: ($r | map(select(.target == "immudb" and .variant == "default" and .op == "set" and .batch == 1000))
        | (max_by(.entries_per_s) // {}) as $best
        | {best_entries_per_s: $best.entries_per_s, clients: $best.clients,
           goal: 1000000, met: (($best.entries_per_s // 0) >= 1000000)}),
      verifiableset_vs_set: ([1, 10, 32, 100 | . as $c
        | {clients: $c, set: rate($r; "immudb"; "default"; "set"; $c; 1),
           verifiableset: rate($r; "immudb"; "default"; "verifiableset"; $c; 1)}
        | select(.set != null and .verifiableset != null)
        | .ratio = ratio(.verifiableset; .set) | .met = (.ratio >= 0.6)]),
      # The same with the clients' trusted states in memory (no state file rewritten per call).
      verifiableset_memory_state_vs_set: ([1, 10, 32, 100 | . as $c
        | {clients: $c, set: rate($r; "immudb"; "default"; "set"; $c; 1),
           verifiableset: rate($r; "immudb"; "memory-state"; "verifiableset"; $c; 1)}
        | select(.set != null and .verifiableset != null)
        | .ratio = ratio(.verifiableset; .set) | .met = (.ratio >= 0.6)]),
      # The goal is on write workloads (set, verifiableset); read cells are shown beside it.
      fips_vs_default: (variant_ratios($r; "fips") as $f
        | ($f | map(select(.op == "set" or .op == "verifiableset") | .ratio)) as $w
        | {cells: $f, min: ($f | map(.ratio) | min), geomean: ($f | map(.ratio) | geomean),
           min_write: ($w | min), write_cells: ($w | length),
           goal: 0.97, met: (($w | length) > 0 and ($w | min) >= 0.97)}),
      tls_vs_default: (variant_ratios($r; "tls") as $t
        | {cells: $t, min: ($t | map(.ratio) | min), geomean: ($t | map(.ratio) | geomean)}),
      # Cells measured again after preloading the database (variants named grown-*).
      growth: [$r[] | select(.target == "immudb" and (.variant | startswith("grown"))) | . as $x
        | pick($r; "immudb"; "default"; $x.op; $x.clients; $x.batch) as $d
        | select($d != null)
        | {variant, op, clients, batch, tx_per_s, default_tx_per_s: $d.tx_per_s,
           ratio: ratio(.tx_per_s; $d.tx_per_s), p99_us: .latency_us.p99,
           default_p99_us: $d.latency_us.p99}],
      disk: [$docs[] | select(.tool == "immubench" and .options.disk_bytes_per_entry != null)
        | {variant: .options.variant, entries_written: .options.entries_written,
           disk_bytes: .options.disk_bytes, bytes_per_entry: .options.disk_bytes_per_entry,
           key_size: .options.key_size, value_size: .options.value_size}]
    }
  }
