// Load test: the real `immudb` program (subprocess, 127.0.0.1) serves many concurrent clients
// (ImmuClient, one session and one trusted-state folder each, opened once) for a fixed time
// with a mix of calls: Set, Get (value checked against the client's last write of that key),
// VerifiedSet, VerifiedGet (proofs checked by the client), Scan and CurrentState. Every call
// must succeed: one error fails the test. The server's RSS is sampled every second; after a
// warm-up, the largest sample of the last quarter of the run must stay within the largest
// sample of the first quarter plus 15% plus the index's memory budget (no unbounded growth). Prints throughput per
// call kind, error count and the RSS series summary. The memory bound allows the index's
// bounded buffers (memtable + block cache) on top of 15%; see the comment at the check.
//
//   IMMUDB_LOAD_DURATION=600 IMMUDB_LOAD_CLIENTS=100 build/tests/reliability_load_test
// Defaults: 100 clients, 60 s (what CTest runs).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/immu_client.h"
#include "db/settings.h"
#include "server_process.h"

namespace immudb::reliability {
namespace {

constexpr char kPassword[] = "Load123!";

int EnvInt(const char* name, int def) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : def;
}

enum Op { kSet, kGet, kVerifiedSet, kVerifiedGet, kScan, kState, kOps };
const char* kOpNames[kOps] = {"Set", "Get", "VerifiedSet", "VerifiedGet", "Scan", "CurrentState"};

struct ClientStats {
  uint64_t ops[kOps] = {};
  uint64_t errors = 0;
  std::string first_error;
};

TEST(ReliabilityLoadTest, ManyClientsMixedCallsWithoutErrorsAndFlatMemory) {
  const int clients = EnvInt("IMMUDB_LOAD_CLIENTS", 100);
  const int duration = EnvInt("IMMUDB_LOAD_DURATION", 60);
  ASSERT_GT(clients, 0);
  ASSERT_GE(duration, 8) << "IMMUDB_LOAD_DURATION must be at least 8 s (quarters of samples)";
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/immudb-load-" +
                          std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  ServerProcess server(dir + "/data", dir + "/immudb.log", kPassword,
                       {"--max-sessions", std::to_string(clients + 16)});
  ASSERT_TRUE(server.WaitHealthy(60)) << "server did not start; log in " << dir;

  // Sessions are opened once per client, in parallel (each login is a PBKDF2 on the server).
  std::vector<std::unique_ptr<client::ImmuClient>> cs(clients);
  {
    std::vector<std::thread> ts;
    std::vector<std::string> errs(clients);
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < clients; ++i) {
      ts.emplace_back([&, i] {
        client::ClientOptions o;
        o.port = server.port();
        o.state_dir = dir + "/state-" + std::to_string(i);
        o.call_timeout = std::chrono::milliseconds(60000);
        std::filesystem::create_directories(o.state_dir);
        auto c = client::ImmuClient::Create(o);
        if (!c.ok()) {
          errs[i] = c.status().ToString();
          return;
        }
        Status st = (*c)->OpenSession("immudb", kPassword, "defaultdb");
        if (!st.ok()) errs[i] = st.ToString();
        else cs[i] = std::move(*c);
      });
    }
    for (auto& t : ts) t.join();
    for (int i = 0; i < clients; ++i) ASSERT_TRUE(errs[i].empty()) << "client " << i << ": " << errs[i];
    std::printf("%d sessions opened in %.1f s\n", clients,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  std::atomic<bool> stop{false};
  std::vector<ClientStats> stats(clients);
  std::vector<std::thread> workers;
  for (int i = 0; i < clients; ++i) {
    workers.emplace_back([&, i] {
      client::ImmuClient& c = *cs[i];
      ClientStats& s = stats[i];
      std::mt19937_64 rng(uint64_t(i) * 7919 + 17);
      std::map<std::string, std::string> written;  // key -> last value acknowledged
      auto fail = [&](const std::string& what, const Status& st) {
        if (s.errors++ == 0) s.first_error = what + ": " + st.ToString();
      };
      const std::string prefix = "c" + std::to_string(i) + "-";
      for (uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        // Writes until the client has a few keys, then 30% writes / 70% reads.
        int r = written.size() < 4 ? 0 : int(rng() % 100);
        Op op = r < 20 ? kSet : r < 30 ? kVerifiedSet : r < 60 ? kGet : r < 80 ? kVerifiedGet
                                                                      : r < 90 ? kScan : kState;
        std::string key = prefix + std::to_string(rng() % 32);
        if ((op == kGet || op == kVerifiedGet) && written.count(key) == 0) {
          key = written.begin()->first;
        }
        std::string value = "v" + std::to_string(n) + "-" + std::to_string(rng());
        switch (op) {
          case kSet:
          case kVerifiedSet: {
            auto h = op == kSet ? c.Set(key, value) : c.VerifiedSet(key, value);
            if (!h.ok()) { fail(kOpNames[op], h.status()); continue; }
            written[key] = value;
            break;
          }
          case kGet:
          case kVerifiedGet: {
            auto e = op == kGet ? c.Get(key) : c.VerifiedGet(key);
            if (!e.ok()) { fail(kOpNames[op], e.status()); continue; }
            if (e->value() != written[key]) {
              fail(kOpNames[op], Internal("key " + key + " read '" + e->value() +
                                               "', last written '" + written[key] + "'"));
              continue;
            }
            break;
          }
          case kScan: {
            client::ScanOptions so;
            so.prefix = prefix;
            so.limit = 10;
            auto e = c.Scan(so);
            if (!e.ok()) { fail("Scan", e.status()); continue; }
            if (e->entries_size() == 0) {
              fail("Scan", Internal("no entries under " + prefix));
              continue;
            }
            break;
          }
          case kState: {
            auto st = c.CurrentState();
            if (!st.ok()) { fail("CurrentState", st.status()); continue; }
            break;
          }
          case kOps: break;
        }
        ++s.ops[op];
      }
    });
  }

  // RSS every second while the clients run.
  std::vector<uint64_t> rss;
  auto start = std::chrono::steady_clock::now();
  for (int sec = 1; sec <= duration; ++sec) {
    std::this_thread::sleep_until(start + std::chrono::seconds(sec));
    rss.push_back(server.RssKiB());
  }
  stop = true;
  for (auto& t : workers) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  uint64_t total[kOps] = {};
  uint64_t errors = 0;
  for (int i = 0; i < clients; ++i) {
    for (int k = 0; k < kOps; ++k) total[k] += stats[i].ops[k];
    errors += stats[i].errors;
    EXPECT_EQ(stats[i].errors, 0u) << "client " << i << " first error: " << stats[i].first_error;
  }
  uint64_t all = 0;
  std::printf("%d clients, %.1f s:\n", clients, secs);
  for (int k = 0; k < kOps; ++k) {
    all += total[k];
    std::printf("  %-13s %9llu calls  %8.1f/s\n", kOpNames[k],
                static_cast<unsigned long long>(total[k]), total[k] / secs);
  }
  std::printf("  %-13s %9llu calls  %8.1f/s, errors %llu\n", "all",
              static_cast<unsigned long long>(all), all / secs,
              static_cast<unsigned long long>(errors));
  EXPECT_GT(total[kVerifiedSet], 0u);
  EXPECT_GT(total[kVerifiedGet], 0u);

  std::printf("server RSS every 5 s (MiB):");
  for (size_t i = 4; i < rss.size(); i += 5) std::printf(" %.1f", double(rss[i]) / 1024);
  std::printf("\n");
  // Warm-up: the first quarter of the run (at most 30 s); the rest is split in quarters.
  // The index (RocksDB) holds new entries in a memtable of up to index_write_buffer_bytes
  // before flushing it, and caches up to index_cache_bytes of blocks: RSS grows by up to that
  // budget and drops at each flush (a saw-tooth of ~32 MiB in long runs, see
  // docs/reliability.md). The last quarter may exceed the first by 15% plus that budget;
  // anything beyond is memory the server does not bound.
  const db::DatabaseSettings defaults;
  const uint64_t budget_kib =
      (uint64_t(defaults.index_write_buffer_bytes) + defaults.index_cache_bytes) / 1024;
  size_t warm = std::min<size_t>(rss.size() / 4, 30);
  std::vector<uint64_t> steady(rss.begin() + warm, rss.end());
  ASSERT_GE(steady.size(), 4u);
  size_t q = steady.size() / 4;
  uint64_t first_max = *std::max_element(steady.begin(), steady.begin() + q);
  uint64_t last_max = *std::max_element(steady.end() - q, steady.end());
  uint64_t peak = *std::max_element(rss.begin(), rss.end());
  std::printf("server RSS (KiB): after sessions %llu, peak %llu, steady first-quarter max %llu, "
              "last-quarter max %llu (%+.1f%%; bound: +15%% + index budget %llu)\n",
              static_cast<unsigned long long>(rss.front()), static_cast<unsigned long long>(peak),
              static_cast<unsigned long long>(first_max), static_cast<unsigned long long>(last_max),
              100.0 * (double(last_max) - double(first_max)) / double(first_max),
              static_cast<unsigned long long>(budget_kib));
  EXPECT_LE(double(last_max), 1.15 * double(first_max) + double(budget_kib))
      << "server memory grows under load beyond the index's bounded buffers";

  cs.clear();  // close the sessions
  EXPECT_EQ(server.Terminate(), 0);
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace immudb::reliability
