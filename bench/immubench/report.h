// Output of a benchmark run: one JSON document (tool, machine, options, one object per
// measured cell) and a terminal table. The schema is shared by immubench and the
// PostgreSQL peer so bench/run can merge and chart both.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "base/status.h"
#include "load_runner.h"

namespace immudb::bench {

// {"target","variant","op","clients","batch","key_size","value_size","synced","measured_s",
//  "txs","entries","errors","first_error","tx_per_s","entries_per_s",
//  "latency_us":{"mean","p50","p95","p99","max"},
//  "server":{"cpu_s","cpu_cores","rss_peak_kib","pss_peak_kib","hwm_kib","processes"},
//  "load_avg_1m"}
nlohmann::json CellToJson(const CellResult& r);

// The machine: CPU model, cores, memory, kernel, load average, UTC time.
nlohmann::json MachineJson();

// {"tool", "started_at", "machine", "options", "results": [cells]}.
nlohmann::json RunDocument(const std::string& tool, const nlohmann::json& options,
                           const std::vector<CellResult>& cells);

// Writes doc (pretty-printed) to path; "-" = stdout.
Status WriteJson(const std::string& path, const nlohmann::json& doc);

// Prints the table header / one row to stdout.
void PrintTableHeader();
void PrintTableRow(const CellResult& r);

}  // namespace immudb::bench
