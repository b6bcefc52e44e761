// The auditor's results as Prometheus gauges (text exposition format 0.0.4) and a minimal
// HTTP/1.1 responder that serves them: GET /metrics answers 200 with the exposition, other
// paths 404, other methods 405. One connection at a time, each request bounded (8 KiB of
// headers, 2 s socket timeouts), "Connection: close" after every answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "base/status.h"

namespace immudb::cli {

// The outcome of auditing one database of one server.
struct AuditResult {
  std::string server_id;       // the server's UUID
  std::string server_address;  // host:port
  std::string database;
  // 1 = every check passed, 0 = tampering detected, -1 = the audit could not run (error).
  int result = -1;
  int64_t prev_tx = -1;  // tx id of the trusted state before the run (-1: none)
  int64_t curr_tx = -1;  // tx id of the trusted state after the run (-1: unknown)
  double run_at = 0;     // Unix seconds
  uint64_t values_checked = 0;
  uint64_t value_failures = 0;
};

// The latest result per (server id, address, database). Thread-safe.
class AuditMetrics {
 public:
  void Update(const AuditResult& r);
  // The exposition text: immuclient_audit_result_per_server, _prev_root_per_server,
  // _curr_root_per_server, _run_at_per_server, immuclient_audit_values_checked,
  // immuclient_audit_value_failures, each labelled {server_id, server_address, database},
  // plus immuclient_audit_rounds_total.
  std::string Render() const;
  void CountRound();

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  mutable std::mutex mu_;
  std::map<Key, AuditResult> results_;
  uint64_t rounds_ = 0;
};

class MetricsHttpServer {
 public:
  // Binds address:port (port 0 = an ephemeral port) and serves metrics from a background
  // thread until destruction. metrics must outlive the server.
  static Result<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address, int port,
                                                          const AuditMetrics* metrics);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }

 private:
  MetricsHttpServer(int fd, int port, const AuditMetrics* metrics);
  void Serve();
  void HandleConnection(int conn);

  int fd_;
  int port_;
  const AuditMetrics* metrics_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace immudb::cli
