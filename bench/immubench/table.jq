# Markdown table of every cell of a bench/run result file (jq -r -f table.jq RESULT.json).
def f0: if . == null then "-" else (. | round | tostring | if length > 3 then (.[0:length-3] + "," + .[length-3:]) else . end | if length > 7 then (.[0:length-7] + "," + .[length-7:]) else . end) end;
def ms: if . == null then "-" else ((. / 10 | round) / 100 | tostring) end;
"| target | variant | op | clients | entries/tx | tx/s | entries/s | p50 ms | p95 ms | p99 ms | max ms | server CPU | server MiB | client CPU | errors |",
"|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
(.results[] |
  "| \(.target) | \(.variant) | \(.op) | \(.clients) | \(.batch) | \(.tx_per_s | f0) | \(.entries_per_s | f0) | \(.latency_us.p50 | ms) | \(.latency_us.p95 | ms) | \(.latency_us.p99 | ms) | \(.latency_us.max | ms) | \(.server.cpu_cores * 100 | round)% | \((if .server.pss_peak_kib > 0 then .server.pss_peak_kib else .server.rss_peak_kib end) / 1024 | round) | \((.client_cpu_cores // 0) * 100 | round)% | \(.errors) |")
