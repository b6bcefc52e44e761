# Prints the targets section of a bench/run result file as text (jq -r).
def n: if . == null then "-" else (. | tostring) end;
def pct: if . == null then "-" else ((. * 1000 | round) / 10 | tostring) + "%" end;
"Targets (one run, \(.mode) mode, commit \(.commit), load average \(.load_avg.at_start) -> \(.load_avg.at_end)):",
(.targets.set_vs_postgresql_insert[] |
  "  Set 1 entry, \(.clients) clients, synced: \(.immudb_tx_per_s | n) tx/s vs PostgreSQL INSERT \(.postgresql_tx_per_s | n) tx/s = \(.ratio | n)x  [goal >= 1: \(if .met then "met" else "MISSED" end)]"),
(.targets.set_1000_entries |
  "  Set 1000 entries/tx: best \(.best_entries_per_s | n) entries/s (\(.clients | n) clients)  [goal >= 1,000,000: \(if .met then "met" else "MISSED" end)]"),
(.targets.verifiableset_vs_set[] |
  "  VerifiableSet / Set, \(.clients) clients: \(.verifiableset) / \(.set) = \(.ratio | pct)  [goal >= 60%: \(if .met then "met" else "MISSED" end)]"),
(.targets.verifiableset_memory_state_vs_set[] |
  "  VerifiableSet (client state in memory) / Set, \(.clients) clients: \(.verifiableset) / \(.set) = \(.ratio | pct)  [goal >= 60%: \(if .met then "met" else "MISSED" end)]"),
(.targets.fips_vs_default |
  "  FIPS / default: write cells min \(.min_write | n) over \(.write_cells) cells  [goal >= 0.97 on every write workload: \(if .met then "met" else "MISSED" end)]; all cells min \(.min | n), geometric mean \(.geomean | n) over \(.cells | length)"),
(.targets.fips_vs_default.cells[] | "      \(.op) c=\(.clients) b=\(.batch): \(.fips) / \(.default) = \(.ratio)"),
(.targets.tls_vs_default | "  TLS / default: min \(.min | n), geometric mean \(.geomean | n)"),
(.targets.tls_vs_default.cells[] | "      \(.op) c=\(.clients) b=\(.batch): \(.tls) / \(.default) = \(.ratio)"),
(.targets.growth[] | "  \(.variant) \(.op) c=\(.clients) b=\(.batch): \(.tx_per_s) tx/s (p99 \(.p99_us) us) vs empty \(.default_tx_per_s) tx/s (p99 \(.default_p99_us) us) = \(.ratio)"),
(.targets.disk[] | "  on disk, \(.variant): \(.disk_bytes) bytes for \(.entries_written) entries = \(.bytes_per_entry) bytes/entry (key \(.key_size) B, value \(.value_size) B)"),
(.notes[] | "  note: \(.)")
