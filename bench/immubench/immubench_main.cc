// immubench: load generator for an immudb server, over the C++ client library. It either
// starts a server itself (--server=<immudb binary>: temporary data folder, free loopback port,
// optional --server-tls with --auto-cert, FIPS mode as the global --fips-mode) or measures a
// running one (--address/--port, --server-pid for CPU and memory). For every cell
// (operation x clients x entries per tx) it prints a table row and, with --json, writes all
// cells as one JSON document (see report.h). Example:
//   immubench --server build/bin/immudb --ops set --clients 1,10,100 --batch 1,100,1000
//             --duration 10 --warmup 2 --json out.json
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cells.h"
#include "child_process.h"
#include "cli/program.h"
#include "immu_workloads.h"
#include "load_runner.h"
#include "proc_stats.h"
#include "report.h"

namespace immudb::bench {
namespace {

struct Flags {
  // target
  std::string address = "127.0.0.1";
  int port = 3322;
  std::string user = "immudb", password = "immudb", database = "defaultdb";
  bool tls = false;
  std::string ca_cert, server_name;
  int server_pid = 0;
  // server started here
  std::string server;
  std::string work_dir = "/tmp";
  bool server_tls = false;
  std::string synced = "true";
  std::vector<std::string> server_args;
  bool keep_dir = false;
  // workload
  std::string ops = "set";
  std::string clients = "1,10,100";
  std::string batches = "1,100,1000";
  std::string cells;
  int key_size = 32, value_size = 128;
  double duration = 10, warmup = 2;
  int scan_limit = 100, history_limit = 100;
  int prefill_keys = 10000, history_keys = 10, history_versions = 100;
  uint64_t preload_txs = 0;
  int preload_clients = 32;
  double settle_max = 0;
  std::string state_dir;
  bool sync_clients = false;
  std::string client_state = "file";
  // output
  std::string json;
  std::string variant = "default";
  bool no_progress = false;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    // Allocated bytes: segments are preallocated, so st_size would overstate.
    if (it->is_regular_file(ec) && ::stat(it->path().c_str(), &st) == 0) {
      total += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  return total;
}

struct StartedServer {
  int pid = 0;
  std::string dir;
  std::string data_dir;
};

Status WaitHealthy(const ImmuTarget& target, int pid, const std::string& log) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  Status last = Unavailable("no answer yet");
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ProcessAlive(pid)) return Unavailable("the server exited at start-up; see " + log);
    if (!target.options.use_tls || std::filesystem::exists(target.options.ca_cert_file)) {
      client::ClientOptions o = target.options;
      o.call_timeout = std::chrono::milliseconds(1000);
      auto c = client::ImmuClient::Create(o);
      if (!c.ok()) return c.status();
      auto h = (*c)->Health();
      if (h.ok()) return Status::Ok();
      last = h.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("the server did not become healthy in 60 s: " + last.ToString());
}

Status Run(const Flags& f, crypto::FipsMode fips) {
  std::vector<Cell> cells;
  if (!f.cells.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(cells, ParseCells(f.cells, ImmuOps()));
  } else {
    IMMUDB_ASSIGN_OR_RETURN(cells, CrossCells(f.ops, f.clients, f.batches, ImmuOps(),
                                              {"verifiableset", "get", "verifiableget"},
                                              {"scan", "history"}, 0));
    for (Cell& c : cells) {
      if (c.op == "scan") c.batch = f.scan_limit;
      if (c.op == "history") c.batch = f.history_limit;
    }
  }
  if (f.key_size < 9) return InvalidArgument("--key-size must be at least 9");
  if (f.synced != "true" && f.synced != "false") return InvalidArgument("--synced is true or false");

  ImmuTarget target;
  target.user = f.user;
  target.password = f.password;
  target.database = f.database;
  target.options.address = f.address;
  target.options.port = f.port;
  target.options.use_tls = f.tls;
  target.options.ca_cert_file = f.ca_cert;
  target.options.server_name = f.server_name;
  target.options.keepalive_interval = std::chrono::milliseconds(30000);

  StartedServer srv;
  int pid = f.server_pid;
  std::string tmpl = f.work_dir + "/immubench-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return IoError("cannot create a folder in " + f.work_dir);
  const std::string run_dir = buf.data();
  target.state_root = f.state_dir.empty() ? run_dir + "/client-state" : f.state_dir;
  target.options.state_in_memory = f.client_state == "memory";

  if (!f.server.empty()) {
    srv.dir = run_dir;
    srv.data_dir = run_dir + "/data";
    IMMUDB_ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
    target.options.address = "127.0.0.1";
    target.options.port = port;
    std::vector<std::string> argv{f.server,          "--dir",          srv.data_dir,
                                  "--address",       "127.0.0.1",      "--port",
                                  std::to_string(port), "--pidfile",   run_dir + "/immudb.pid",
                                  "--max-sessions",  "10000",          "--fips-mode",
                                  crypto::FipsModeName(fips)};
    if (f.synced == "false") argv.push_back("--synced=false");
    if (f.server_tls) {
      argv.push_back("--auto-cert");
      target.options.use_tls = true;
      target.options.ca_cert_file = srv.data_dir + "/tls/auto-cert.pem";
      target.options.server_name = "localhost";
    }
    for (const std::string& a : f.server_args) argv.push_back(a);
    const std::string log = run_dir + "/immudb.log";
    IMMUDB_ASSIGN_OR_RETURN(srv.pid, SpawnProcess(argv, log));
    pid = srv.pid;
    Status st = WaitHealthy(target, srv.pid, log);
    if (!st.ok()) {
      StopProcess(srv.pid, 5);
      return st;
    }
    std::fprintf(stderr, "immubench: started %s (pid %d) on 127.0.0.1:%d, data %s, fips %s%s%s\n",
                 f.server.c_str(), srv.pid, port, srv.data_dir.c_str(), crypto::FipsModeName(fips),
                 f.server_tls ? ", TLS (auto-cert)" : "",
                 f.synced == "false" ? ", synced=false" : "");
  }

  Status result = Status::Ok();
  std::vector<CellResult> results;
  ImmuData data;
  data.key_size = f.key_size;
  data.value_size = f.value_size;
  data.async_set = !f.sync_clients;
  bool needs_prefill = false;
  for (const Cell& c : cells) needs_prefill |= c.op != "set" && c.op != "verifiableset";
  auto pool = std::make_unique<ImmuClientPool>(target);
  uint64_t entries_total = 0;  // every entry written, for the bytes-per-entry figure
  double preload_s = 0;
  if (f.preload_txs > 0) {
    auto t0 = std::chrono::steady_clock::now();
    result = PreloadImmu(*pool, f.preload_txs, f.preload_clients, data);
    preload_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "immubench: preloaded %llu txs in %.1f s\n",
                 static_cast<unsigned long long>(f.preload_txs), preload_s);
    entries_total += f.preload_txs;
    if (result.ok() && f.settle_max > 0 && pid > 0) {
      // Let the index's background flushes and compactions of the preload finish: wait until
      // the server uses under 10 % of a core over a second (at most settle_max seconds).
      auto s0 = std::chrono::steady_clock::now();
      double used = 1;
      while (std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count() <
             f.settle_max) {
        auto a = SampleProcessTree(pid, true);
        std::this_thread::sleep_for(std::chrono::seconds(1));
        auto b = SampleProcessTree(pid, true);
        if (!a.ok() || !b.ok()) break;
        used = b->cpu_seconds - a->cpu_seconds;
        if (used < 0.1) break;
      }
      std::fprintf(stderr, "immubench: server settled for %.1f s (last second: %.0f %% CPU)\n",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count(),
                   used * 100);
    }
  }
  if (needs_prefill && result.ok()) {
    auto t0 = std::chrono::steady_clock::now();
    result = PrefillImmu(target, f.prefill_keys, f.history_keys, f.history_versions, &data);
    entries_total += static_cast<uint64_t>(f.prefill_keys) +
                     static_cast<uint64_t>(f.history_keys) * f.history_versions;
    std::fprintf(stderr, "immubench: prefilled %d keys and %d keys x %d versions in %.1f s\n",
                 f.prefill_keys, f.history_keys, f.history_versions,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (result.ok()) {
    int max_clients = 0;
    for (const Cell& c : cells) max_clients = std::max(max_clients, c.clients);
    auto t0 = std::chrono::steady_clock::now();
    result = pool->Ensure(max_clients, 4);
    std::fprintf(stderr, "immubench: %d sessions opened in %.1f s\n", max_clients,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (result.ok()) {
    PrintTableHeader();
    uint64_t cell_no = 0;
    for (const Cell& c : cells) {
      ++cell_no;
      LoadSpec spec;
      spec.target = "immudb";
      spec.variant = f.variant;
      spec.op = c.op;
      spec.clients = c.clients;
      spec.batch = c.batch;
      spec.key_size = f.key_size;
      spec.value_size = f.value_size;
      spec.synced = f.synced == "true";
      spec.warmup_s = f.warmup;
      spec.duration_s = f.duration;
      spec.server_pid = pid;
      spec.progress = !f.no_progress;
      spec.client_state = f.client_state;
      auto r = RunLoad(spec, [&](int i) {
        return MakeImmuWorker(c.op, i, c.batch, cell_no, target, *pool, data);
      });
      if (!r.ok()) {
        result = Status(r.status().code(), c.op + " c=" + std::to_string(c.clients) + " b=" +
                                               std::to_string(c.batch) + ": " +
                                               r.status().message());
        break;
      }
      PrintTableRow(*r);
      if (c.op == "set" || c.op == "verifiableset") entries_total += r->ops_all * c.batch;
      results.push_back(std::move(*r));
    }
  }

  nlohmann::json options = {{"fips_mode", crypto::FipsModeName(fips)},
                            {"tls", target.options.use_tls},
                            {"synced", f.synced == "true"},
                            {"duration_s", f.duration},
                            {"warmup_s", f.warmup},
                            {"key_size", f.key_size},
                            {"value_size", f.value_size},
                            {"variant", f.variant},
                            {"server_started", !f.server.empty()}};
  options["preload_txs"] = f.preload_txs;
  options["preload_s"] = preload_s;
  options["settle_max_s"] = f.settle_max;
  pool.reset();  // closes the sessions while the server still runs
  if (!srv.data_dir.empty() && !f.server.empty()) {
    std::string how = StopProcess(srv.pid, 30);
    if (how != "exit 0") std::fprintf(stderr, "immubench: server stopped with %s\n", how.c_str());
    // After a clean stop (index flushed): allocated bytes of the whole data folder.
    uint64_t disk = DirBytes(srv.data_dir);
    options["disk_bytes"] = disk;
    options["entries_written"] = entries_total;
    if (entries_total > 0) {
      options["disk_bytes_per_entry"] =
          std::round(static_cast<double>(disk) / static_cast<double>(entries_total) * 10) / 10;
    }
  }
  if (!f.json.empty() && !results.empty()) {
    Status w = WriteJson(f.json, RunDocument("immubench", options, results));
    if (result.ok()) result = w;
  }
  if (!f.keep_dir) {
    std::error_code ec;
    std::filesystem::remove_all(run_dir, ec);
  } else {
    std::fprintf(stderr, "immubench: kept %s\n", run_dir.c_str());
  }
  return result;
}

}  // namespace
}  // namespace immudb::bench

int main(int argc, char** argv) {
  using immudb::bench::Flags;
  immudb::cli::Program program(
      "immubench", "immubench: throughput and latency of an immudb server (see docs/benchmarks.md)");
  auto flags = std::make_shared<Flags>();
  CLI::App& app = program.app();
  app.add_option("--address", flags->address, "server address (without --server)");
  app.add_option("--port", flags->port, "server port (without --server)");
  app.add_option("--username", flags->user, "user");
  app.add_option("--password", flags->password, "password");
  app.add_option("--database", flags->database, "database");
  app.add_flag("--tls", flags->tls, "connect with TLS (without --server)");
  app.add_option("--ca-cert", flags->ca_cert, "PEM trust roots for --tls");
  app.add_option("--servername", flags->server_name, "name the server certificate must carry");
  app.add_option("--server-pid", flags->server_pid,
                 "pid of the running server, to report its CPU and memory");
  app.add_option("--server", flags->server,
                 "start this immudb binary on a temporary folder and a free loopback port");
  app.add_option("--work-dir", flags->work_dir, "where the temporary folder goes")
      ->capture_default_str();
  app.add_flag("--server-tls", flags->server_tls, "started server: TLS with --auto-cert");
  app.add_option("--synced", flags->synced, "started server: --synced (true|false)")
      ->capture_default_str();
  app.add_option("--server-arg", flags->server_args, "started server: extra flag (repeatable)");
  app.add_flag("--keep-dir", flags->keep_dir, "keep the temporary folder (data, log)");
  app.add_option("--ops", flags->ops,
                 "operations: set, verifiableset, get, verifiableget, scan, history")
      ->capture_default_str();
  app.add_option("--clients", flags->clients, "client counts")->capture_default_str();
  app.add_option("--batch", flags->batches, "entries per tx (set)")->capture_default_str();
  app.add_option("--cells", flags->cells,
                 "explicit cells op:clients:batch,... (instead of --ops/--clients/--batch)");
  app.add_option("--key-size", flags->key_size, "key bytes")->capture_default_str();
  app.add_option("--value-size", flags->value_size, "value bytes")->capture_default_str();
  app.add_option("--duration", flags->duration, "measured seconds per cell")->capture_default_str();
  app.add_option("--warmup", flags->warmup, "warm-up seconds per cell")->capture_default_str();
  app.add_flag("--sync-clients", flags->sync_clients,
               "set and verifiableset cells: a thread per client blocking in "
               "ImmuClient::Set/VerifiedSet, instead of one asynchronous call in flight per "
               "client (ImmuClient::SetAsync/VerifiedSetAsync)");
  app.add_option("--client-state", flags->client_state,
                 "where verified calls keep each client's trusted state: file (one state file "
                 "per client, rewritten on every call, as immudb's Go client) or memory (as "
                 "immudb-py's default)")
      ->check(CLI::IsMember({"file", "memory"}))
      ->capture_default_str();
  app.add_option("--scan-limit", flags->scan_limit, "entries per scan")->capture_default_str();
  app.add_option("--history-limit", flags->history_limit, "versions per history call")
      ->capture_default_str();
  app.add_option("--prefill-keys", flags->prefill_keys, "keys written before read cells")
      ->capture_default_str();
  app.add_option("--history-keys", flags->history_keys, "keys with many versions")
      ->capture_default_str();
  app.add_option("--history-versions", flags->history_versions, "versions of each")
      ->capture_default_str();
  app.add_option("--preload-txs", flags->preload_txs,
                 "first grow the database by this many 1-entry transactions")
      ->capture_default_str();
  app.add_option("--settle-max", flags->settle_max,
                 "after the preload, wait until the server idles (< 10 % CPU over 1 s), at most "
                 "this many seconds (0: no wait)")
      ->capture_default_str();
  app.add_option("--preload-clients", flags->preload_clients, "clients writing the preload")
      ->capture_default_str();
  app.add_option("--state-dir", flags->state_dir,
                 "folder of the clients' trusted states (default: in the temporary folder)");
  app.add_option("--json", flags->json, "write the results as JSON to this file ('-' = stdout)");
  app.add_option("--variant", flags->variant, "label of this configuration in the output")
      ->capture_default_str();
  app.add_flag("--no-progress", flags->no_progress, "no progress line");
  program.SetDefault([flags, &program] {
    return immudb::bench::Run(*flags, program.fips_mode());
  });
  return program.Main(argc, argv);
}
