#include "report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

namespace immudb::bench {
namespace {

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string FirstMatch(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) {
      size_t colon = line.find(':');
      std::string v = colon == std::string::npos ? line : line.substr(colon + 1);
      size_t b = v.find_first_not_of(" \t");
      return b == std::string::npos ? "" : v.substr(b);
    }
  }
  return "";
}

// v rounded to `digits` decimals (dividing last keeps the shortest printed form).
double Round(double v, int digits) {
  double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

}  // namespace

nlohmann::json CellToJson(const CellResult& r) {
  nlohmann::json j;
  j["target"] = r.spec.target;
  j["variant"] = r.spec.variant;
  j["client_api"] = r.spec.client_api;
  j["client_state"] = r.spec.client_state;
  j["op"] = r.spec.op;
  j["clients"] = r.spec.clients;
  j["batch"] = r.spec.batch;
  j["key_size"] = r.spec.key_size;
  j["value_size"] = r.spec.value_size;
  j["synced"] = r.spec.synced;
  j["warmup_s"] = r.spec.warmup_s;
  j["measured_s"] = r.measured_s;
  j["txs"] = r.txs;
  j["entries"] = r.entries;
  j["errors"] = r.errors;
  j["ops_all"] = r.ops_all;
  j["first_error"] = r.first_error;
  j["tx_per_s"] = Round(r.tx_per_s, 1);
  j["entries_per_s"] = Round(r.entries_per_s, 1);
  j["latency_us"] = {{"mean", Round(r.latency.mean_us, 1)},
                     {"p50", Round(r.latency.p50_us, 1)},
                     {"p95", Round(r.latency.p95_us, 1)},
                     {"p99", Round(r.latency.p99_us, 1)},
                     {"max", Round(r.latency.max_us, 1)}};
  j["server"] = {{"cpu_s", Round(r.server_cpu_s, 2)},
                 {"cpu_cores", Round(r.server_cpu_cores, 3)},
                 {"rss_peak_kib", r.server_rss_peak_kib},
                 {"pss_peak_kib", r.server_pss_peak_kib},
                 {"hwm_kib", r.server_hwm_kib},
                 {"processes", r.server_processes}};
  j["client_cpu_cores"] = Round(r.client_cpu_cores, 3);
  j["load_avg_1m"] = r.load_avg_1m;
  return j;
}

nlohmann::json MachineJson() {
  nlohmann::json m;
  m["cpu_model"] = FirstMatch("/proc/cpuinfo", "model name");
  m["cores"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  m["mem_total"] = FirstMatch("/proc/meminfo", "MemTotal");
  utsname u{};
  if (::uname(&u) == 0) m["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  std::ifstream la("/proc/loadavg");
  std::string load;
  std::getline(la, load);
  m["loadavg"] = load;
  m["time_utc"] = UtcNow();
  return m;
}

nlohmann::json RunDocument(const std::string& tool, const nlohmann::json& options,
                           const std::vector<CellResult>& cells) {
  nlohmann::json doc;
  doc["tool"] = tool;
  doc["machine"] = MachineJson();
  doc["options"] = options;
  doc["results"] = nlohmann::json::array();
  for (const CellResult& c : cells) doc["results"].push_back(CellToJson(c));
  return doc;
}

Status WriteJson(const std::string& path, const nlohmann::json& doc) {
  std::string text = doc.dump(2) + "\n";
  if (path == "-") {
    std::cout << text << std::flush;
    return Status::Ok();
  }
  std::ofstream out(path, std::ios::trunc);
  if (!out) return IoError("cannot write " + path);
  out << text;
  if (!out.flush()) return IoError("cannot write " + path);
  return Status::Ok();
}

void PrintTableHeader() {
  std::printf("%-10s %-11s %-13s %4s %5s %10s %12s %8s %8s %8s %8s %6s %6s %6s %6s\n", "target",
              "variant", "op", "cli", "batch", "tx/s", "entries/s", "p50 ms", "p95 ms", "p99 ms",
              "max ms", "srvCPU", "srvMiB", "cliCPU", "errors");
  std::fflush(stdout);
}

void PrintTableRow(const CellResult& r) {
  std::printf("%-10s %-11s %-13s %4d %5d %10.0f %12.0f %8.3f %8.3f %8.3f %8.2f %5.0f%% %6.0f %5.0f%% %6llu\n",
              r.spec.target.c_str(), r.spec.variant.c_str(), r.spec.op.c_str(), r.spec.clients,
              r.spec.batch, r.tx_per_s, r.entries_per_s, r.latency.p50_us / 1000,
              r.latency.p95_us / 1000, r.latency.p99_us / 1000, r.latency.max_us / 1000,
              r.server_cpu_cores * 100,
              static_cast<double>(r.server_pss_peak_kib ? r.server_pss_peak_kib
                                                        : r.server_rss_peak_kib) / 1024.0,
              r.client_cpu_cores * 100, static_cast<unsigned long long>(r.errors));
  std::fflush(stdout);
}

}  // namespace immudb::bench
