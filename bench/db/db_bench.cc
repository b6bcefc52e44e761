// db_bench: how fast the database layer answers, on a database of --keys keys (default
// 100000; --keys=1000000 for the 1M figures; --keys-per-tx=N, default 1000). Latency benchmarks report p50/p99 in
// microseconds as counters; one-shot phases (load, reopen, rebuild, catch-up) are printed.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "crypto/module.h"
#include "db/database.h"

namespace immudb::db {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

uint64_t g_keys = 100000;
std::string g_dir;
std::unique_ptr<Database> g_db;
uint64_t kKeysPerTx = 1000;  // --keys-per-tx

DatabaseSettings BenchSettings() {
  DatabaseSettings s;
  s.synced = false;  // the load phase measures indexing, not fsync
  s.index_cache_bytes = 256u << 20;
  s.index_write_buffer_bytes = 64u << 20;
  return s;
}

std::string KeyOf(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key%012llu", static_cast<unsigned long long>(i));
  return buf;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU seconds (user + system, all threads) used by this process so far: the machine is
// shared, so wall-clock phases are printed together with the CPU they consumed.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Status Load(Database& db, uint64_t from, uint64_t to) {
  for (uint64_t i = from; i < to; i += kKeysPerTx) {
    SetRequest req;
    for (uint64_t j = i; j < std::min(to, i + kKeysPerTx); ++j) {
      std::string v = "value-" + std::to_string(j) + "-0123456789abcdef";
      req.kvs.push_back({ToBytes(KeyOf(j)), ToBytes(v), std::nullopt});
    }
    auto r = db.Set(req);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

void Die(const Status& st, const char* what) {
  std::fprintf(stderr, "db_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

std::unique_ptr<Database> OpenDb() {
  auto r = Database::Open("bench", g_dir, BenchSettings());
  if (!r.ok()) Die(r.status(), "open");
  return std::move(r).value();
}

// Builds the database, then measures reopen, full index rebuild and partial catch-up.
void Prepare() {
  fs::remove_all(g_dir);
  auto db = OpenDb();
  double c0 = CpuSeconds();
  auto t0 = Clock::now();
  Status st = Load(*db, 0, g_keys);
  if (!st.ok()) Die(st, "load");
  auto t1 = Clock::now();
  std::printf("load: %llu keys in %llu txs: %.2f s, %.2f CPU s (%.0f keys/s, indexed synchronously)\n",
              (unsigned long long)g_keys, (unsigned long long)db->LastCommittedTx(),
              Seconds(t0, t1), CpuSeconds() - c0, g_keys / Seconds(t0, t1));
  if (!db->Close().ok()) Die(st, "close");
  db.reset();

  t0 = Clock::now();
  db = OpenDb();
  t1 = Clock::now();
  std::printf("reopen (index up to date): %.3f s\n", Seconds(t0, t1));
  if (!db->Close().ok()) Die(st, "close");
  db.reset();

  fs::remove_all(fs::path(g_dir) / "index");
  c0 = CpuSeconds();
  t0 = Clock::now();
  db = OpenDb();
  t1 = Clock::now();
  std::printf("reopen with index folder deleted: %.2f s, %.2f CPU s (rebuild of %llu txs: %.0f txs/s, %.0f entries/s)\n",
              Seconds(t0, t1), CpuSeconds() - c0,
              (unsigned long long)db->index_open_report().caught_up_txs,
              db->index_open_report().caught_up_txs / Seconds(t0, t1), g_keys / Seconds(t0, t1));
  if (!db->Close().ok()) Die(st, "close");
  db.reset();

  // Catch-up after restart: keep the index, write 10% more with an old index copy put back.
  fs::path saved = g_dir + ".index-saved";
  fs::remove_all(saved);
  fs::copy(fs::path(g_dir) / "index", saved, fs::copy_options::recursive);
  db = OpenDb();
  uint64_t extra = std::max<uint64_t>(g_keys / 10, kKeysPerTx);
  st = Load(*db, g_keys, g_keys + extra);
  if (!st.ok()) Die(st, "load extra");
  if (!db->Close().ok()) Die(st, "close");
  db.reset();
  fs::remove_all(fs::path(g_dir) / "index");
  fs::rename(saved, fs::path(g_dir) / "index");
  c0 = CpuSeconds();
  t0 = Clock::now();
  db = OpenDb();
  t1 = Clock::now();
  std::printf("reopen with %llu un-indexed txs (%llu entries): %.2f s, %.2f CPU s (catch-up %.0f entries/s)\n",
              (unsigned long long)db->index_open_report().caught_up_txs, (unsigned long long)extra,
              Seconds(t0, t1), CpuSeconds() - c0, extra / Seconds(t0, t1));
  g_db = std::move(db);
  std::fflush(stdout);
}

void ReportPercentiles(benchmark::State& state, std::vector<double>& us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

void BM_Get(benchmark::State& state) {
  std::mt19937_64 rng(42);
  std::vector<double> us;
  us.reserve(1 << 20);
  for (auto _ : state) {
    KeyRequest req;
    req.key = ToBytes(KeyOf(rng() % g_keys));
    auto t0 = Clock::now();
    auto e = g_db->Get(req);
    auto t1 = Clock::now();
    if (!e.ok()) {
      state.SkipWithError(e.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(e->value.data());
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  ReportPercentiles(state, us);
}
BENCHMARK(BM_Get)->Iterations(100000)->Unit(benchmark::kMicrosecond);

void BM_VerifiableGet(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::vector<double> us;
  uint64_t last = g_db->LastCommittedTx();
  for (auto _ : state) {
    VerifiableGetRequest req;
    req.key_request.key = ToBytes(KeyOf(rng() % g_keys));
    req.prove_since_tx = last;  // a client that trusts the latest state
    auto t0 = Clock::now();
    auto e = g_db->VerifiableGet(req);
    auto t1 = Clock::now();
    if (!e.ok()) {
      state.SkipWithError(e.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(e->inclusion_proof.terms.data());
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  ReportPercentiles(state, us);
}
BENCHMARK(BM_VerifiableGet)->Iterations(5000)->Unit(benchmark::kMicrosecond);

void BM_Scan(benchmark::State& state) {
  std::mt19937_64 rng(9);
  uint64_t keys = 0;
  for (auto _ : state) {
    ScanRequest req;
    req.seek_key = ToBytes(KeyOf(rng() % g_keys));
    req.limit = 2500;
    auto r = g_db->Scan(req);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    keys += r->size();
  }
  state.counters["keys_per_s"] = benchmark::Counter(double(keys), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Scan)->Iterations(200)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace immudb::db

int main(int argc, char** argv) {
  using namespace immudb;
  std::vector<char*> rest;
  std::string dir = (std::filesystem::temp_directory_path() / "immudb_db_bench").string();
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--keys-per-tx=", 0) == 0) {
      db::kKeysPerTx = std::max<uint64_t>(1, std::stoull(a.substr(14)));
    } else if (a.rfind("--keys=", 0) == 0) {
      db::g_keys = std::stoull(a.substr(7));
    } else if (a.rfind("--dir=", 0) == 0) {
      dir = a.substr(6);
    } else {
      rest.push_back(argv[i]);
    }
  }
  db::g_dir = dir;
  crypto::ModuleOptions mo;
  mo.mode = crypto::DefaultFipsMode();
  if (const char* m = std::getenv("IMMUDB_BENCH_FIPS_MODE")) {
    auto p = crypto::ParseFipsMode(m);
    if (p.ok()) mo.mode = *p;
  }
  Status st = crypto::InitCryptoModule(mo);
  if (!st.ok()) {
    std::fprintf(stderr, "crypto: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("db_bench: %llu keys, %llu keys per tx, in %s, crypto %s\n",
              (unsigned long long)db::g_keys, (unsigned long long)db::kKeysPerTx, dir.c_str(),
              crypto::FipsModeName(mo.mode));
  db::Prepare();
  int n = int(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  (void)db::g_db->Close();
  db::g_db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
