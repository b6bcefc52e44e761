// The closed-loop load generator shared by immubench and the PostgreSQL peer: N client
// threads, each with its own connection (a Worker), issue one operation after another for a
// warm-up period (not counted) and then for the measured period. Operations that complete
// inside the measured window count (whenever they started); their latencies feed the
// percentiles. A monitor thread
// samples the server's /proc entries (CPU at the window's edges, memory every 200 ms) and
// prints a progress line once a second.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "latency.h"

namespace immudb::bench {

// One client connection's operation. Step() performs one transaction / request.
// A worker whose Async() is true is driven by StartStep instead: it starts one operation
// and calls `done` when it ends (on any thread, possibly before StartStep returns); the
// runner starts the next one from `done`, so each client still has one operation in flight
// and no thread of its own.
class Worker {
 public:
  virtual ~Worker() = default;
  virtual Status Step() = 0;
  virtual bool Async() const { return false; }
  virtual void StartStep(std::function<void(Status)> done) { done(Step()); }
};

// Creates the worker of client `index` (0-based); called on the main thread before the load
// starts, so connection set-up is not measured.
using WorkerFactory = std::function<Result<std::unique_ptr<Worker>>(int index)>;

struct LoadSpec {
  std::string target;   // "immudb" or "postgresql"
  std::string variant;  // e.g. "default", "fips", "tls", "plain", "chained"
  std::string op;       // operation name
  int clients = 1;
  int batch = 1;        // entries per transaction (writes) or rows per request (scans)
  int key_size = 32;
  int value_size = 128;
  bool synced = true;
  double warmup_s = 1;
  double duration_s = 5;
  int server_pid = 0;   // 0: no server sampling
  bool progress = true; // progress line on stderr
  std::string client_api = "sync";  // "async" when the workers were driven by StartStep
  std::string client_state = "file";  // where verified calls keep the trusted state
};

struct CellResult {
  LoadSpec spec;
  double measured_s = 0;
  uint64_t txs = 0;      // operations completed in the window
  uint64_t entries = 0;  // txs x batch
  uint64_t errors = 0;
  uint64_t ops_all = 0;  // successful operations including warm-up and the window's tail
  std::string first_error;
  double tx_per_s = 0;
  double entries_per_s = 0;
  LatencySummary latency;
  // Server (process tree) figures over the window; zero without a server pid.
  double server_cpu_s = 0;
  double server_cpu_cores = 0;  // cpu seconds / window seconds
  uint64_t server_rss_peak_kib = 0;
  uint64_t server_pss_peak_kib = 0;
  uint64_t server_hwm_kib = 0;
  int server_processes = 0;
  double client_cpu_cores = 0;  // this load generator's own CPU over the window
  double load_avg_1m = 0;  // /proc/loadavg at the end of the window
};

// Runs spec.clients workers made by factory. Fails only when a worker cannot be created; a
// window without any completed operation yields txs == 0 and first_error set.
Result<CellResult> RunLoad(const LoadSpec& spec, const WorkerFactory& factory);

}  // namespace immudb::bench
