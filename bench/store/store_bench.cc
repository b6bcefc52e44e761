// Commit throughput of the store, and RocksDB doing the same writes as the reference.
//
// Each benchmark thread is one writer committing transactions of N entries (32-byte keys,
// 128-byte values) as fast as it can; Google Benchmark runs 1, 8 and 32 writers. Counters:
// tx/s, entries/s and fsyncs/s (fdatasync calls counted by a wrapping Env; for RocksDB its
// WAL_FILE_SYNCED statistic). Synced = the writer returns after the data is durable.
//
//   <builddir>/bin/store_bench [--benchmark_filter=...] [--benchmark_min_time=...]
//   IMMUDB_BENCH_DIR=<dir>       where the stores live (default $TMPDIR or /tmp)
//   IMMUDB_BENCH_FIPS_MODE=on|off|strict
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include "crypto/module.h"
#include "store/env.h"
#include "store/store.h"

namespace immudb::store {
namespace {

constexpr size_t kKeySize = 32;
constexpr size_t kValueSize = 128;

std::string BenchDir(const std::string& name) {
  const char* d = std::getenv("IMMUDB_BENCH_DIR");
  if (d == nullptr || *d == '\0') d = std::getenv("TMPDIR");
  return std::string(d && *d ? d : "/tmp") + "/immudb-store-bench-" + name;
}

// Env wrapper that counts fdatasync calls.
class CountingEnv final : public Env {
 public:
  explicit CountingEnv(Env* base) : base_(base) {}
  std::atomic<uint64_t> syncs{0};

  class File final : public RandomRWFile {
   public:
    File(CountingEnv* env, std::unique_ptr<RandomRWFile> f) : env_(env), f_(std::move(f)) {}
    Status Write(uint64_t o, ByteView d) override { return f_->Write(o, d); }
    Status Read(uint64_t o, size_t n, uint8_t* out) const override { return f_->Read(o, n, out); }
    Status Sync() override {
      env_->syncs.fetch_add(1, std::memory_order_relaxed);
      return f_->Sync();
    }
    Status Allocate(uint64_t s) override { return f_->Allocate(s); }
    Status Truncate(uint64_t s) override { return f_->Truncate(s); }
    Result<uint64_t> Size() const override { return f_->Size(); }
    const std::string& path() const override { return f_->path(); }

   private:
    CountingEnv* env_;
    std::unique_ptr<RandomRWFile> f_;
  };

  Result<std::unique_ptr<RandomRWFile>> OpenFile(const std::string& p, bool create) override {
    IMMUDB_ASSIGN_OR_RETURN(auto f, base_->OpenFile(p, create));
    return std::unique_ptr<RandomRWFile>(new File(this, std::move(f)));
  }
  Status CreateDir(const std::string& d) override { return base_->CreateDir(d); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override { return base_->ListDir(d); }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RenameFile(const std::string& a, const std::string& b) override {
    return base_->RenameFile(a, b);
  }
  Status SyncDir(const std::string& d) override {
    syncs.fetch_add(1, std::memory_order_relaxed);
    return base_->SyncDir(d);
  }
  Result<std::unique_ptr<RandomRWFile>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }

 private:
  Env* base_;
};

// 32-byte key unique per (writer, tx, entry).
void FillKey(uint8_t* k, uint64_t writer, uint64_t tx, uint64_t entry) {
  std::memset(k, 'k', kKeySize);
  PutU64(k, writer);
  PutU64(k + 8, tx);
  PutU64(k + 16, entry);
}

struct Shared {
  std::unique_ptr<CountingEnv> env;
  std::unique_ptr<Store> store;
  std::unique_ptr<rocksdb::DB> rocks;
  std::shared_ptr<rocksdb::Statistics> rocks_stats;
  uint64_t syncs_at_start = 0;
};
Shared g;

void ReportCounters(benchmark::State& state, int64_t entries_per_tx) {
  state.counters["tx/s"] = benchmark::Counter(double(state.iterations()),
                                              benchmark::Counter::kIsRate);
  state.counters["entries/s"] = benchmark::Counter(double(state.iterations() * entries_per_tx),
                                                   benchmark::Counter::kIsRate);
}

// Args: entries per tx, synced (0/1).
void BM_StoreCommit(benchmark::State& state) {
  const int64_t entries = state.range(0);
  const bool synced = state.range(1) != 0;
  const std::string dir = BenchDir("store");
  if (state.thread_index() == 0) {
    std::filesystem::remove_all(dir);
    g.env = std::make_unique<CountingEnv>(Env::Default());
    Options o;
    o.env = g.env.get();
    o.synced = synced;
    o.max_entries_per_tx = 1024;
    auto s = Store::Open(dir, o);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      return;
    }
    g.store = std::move(*s);
    g.syncs_at_start = g.env->syncs.load();
  }
  const uint8_t value_byte = uint8_t('a' + state.thread_index() % 26);
  uint64_t tx = 0;
  for (auto _ : state) {
    std::vector<EntryInput> in(static_cast<size_t>(entries));
    for (int64_t e = 0; e < entries; ++e) {
      in[e].key.resize(kKeySize);
      FillKey(in[e].key.data(), state.thread_index(), tx, e);
      in[e].value.assign(kValueSize, value_byte);
    }
    auto r = g.store->Commit(std::move(in));
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    ++tx;
  }
  ReportCounters(state, entries);
  if (state.thread_index() == 0) {
    // Read after the loop's end barrier: every writer has finished.
    state.counters["fsyncs/s"] = benchmark::Counter(
        double(g.env->syncs.load() - g.syncs_at_start),
        benchmark::Counter::kIsRate);
    g.store.reset();
    g.env.reset();
    std::filesystem::remove_all(dir);
  }
}

void BM_RocksDBWriteBatch(benchmark::State& state) {
  const int64_t entries = state.range(0);
  const bool synced = state.range(1) != 0;
  const std::string dir = BenchDir("rocksdb");
  if (state.thread_index() == 0) {
    std::filesystem::remove_all(dir);
    rocksdb::Options o;
    o.create_if_missing = true;
    g.rocks_stats = rocksdb::CreateDBStatistics();
    o.statistics = g.rocks_stats;
    rocksdb::DB* db = nullptr;
    rocksdb::Status st = rocksdb::DB::Open(o, dir, &db);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      return;
    }
    g.rocks.reset(db);
  }
  rocksdb::WriteOptions wo;
  wo.sync = synced;
  const char value_byte = char('a' + state.thread_index() % 26);
  const std::string value(kValueSize, value_byte);
  uint64_t tx = 0;
  uint8_t key[kKeySize];
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int64_t e = 0; e < entries; ++e) {
      FillKey(key, state.thread_index(), tx, e);
      batch.Put(rocksdb::Slice(reinterpret_cast<const char*>(key), kKeySize), value);
    }
    rocksdb::Status st = g.rocks->Write(wo, &batch);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
    ++tx;
  }
  ReportCounters(state, entries);
  if (state.thread_index() == 0) {
    state.counters["fsyncs/s"] = benchmark::Counter(
        double(g.rocks_stats->getTickerCount(rocksdb::WAL_FILE_SYNCED)),
        benchmark::Counter::kIsRate);
    g.rocks.reset();
    std::filesystem::remove_all(dir);
  }
}

void Configs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"entries", "synced"});
  for (int synced : {1, 0}) {
    for (int entries : {1, 100, 1000}) b->Args({entries, synced});
  }
  b->Threads(1)->Threads(8)->Threads(32);
  b->UseRealTime()->MinTime(0.5)->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_StoreCommit)->Apply(Configs);
BENCHMARK(BM_RocksDBWriteBatch)->Apply(Configs);

}  // namespace
}  // namespace immudb::store

int main(int argc, char** argv) {
  immudb::crypto::ModuleOptions opts;
  opts.mode = immudb::crypto::DefaultFipsMode();
  if (const char* env = std::getenv("IMMUDB_BENCH_FIPS_MODE"); env != nullptr && *env != '\0') {
    auto mode = immudb::crypto::ParseFipsMode(env);
    if (!mode.ok()) {
      std::fprintf(stderr, "%s\n", mode.status().ToString().c_str());
      return 2;
    }
    opts.mode = *mode;
  }
  if (immudb::Status st = immudb::crypto::InitCryptoModule(opts); !st.ok()) {
    std::fprintf(stderr, "crypto module: %s\n", st.ToString().c_str());
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
