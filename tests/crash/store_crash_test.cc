// Store crash test: a child process commits transactions from several threads and reports
// every acknowledged one (id, Alh, content seed) through a pipe; the parent SIGKILLs it at
// a random moment, reopens the store and checks that every acknowledged tx is present,
// byte-identical (entries and values regenerated from the seed) and linked by a verified
// dual proof to the state after recovery, and that the last state seen before the kill is
// a verified prefix of it.
//
//   store_crash_test [--iterations N] [--seed S] [--dir D] [gtest flags]
//
// Defaults: 100 iterations (CI); the same binary runs 10,000 with --iterations 10000.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/module.h"
#include "ledger/dual_proof.h"
#include "store/store.h"

namespace immudb::store {
namespace {

uint64_t g_iterations = 100;
uint64_t g_seed = 0;
std::string g_dir;

constexpr int kWriters = 4;
constexpr size_t kReportSize = 8 + 32 + 8;  // id | alh | seed

Options CrashOptions() {
  Options o;
  o.segment_size = 64 << 10;  // many segment switches, some of them interrupted
  o.checkpoint_interval = 500;
  o.synced = true;
  return o;
}

// The entries of the tx with this seed: 1..5 entries, values of 0..300 bytes.
std::vector<EntryInput> EntriesFor(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<EntryInput> v(1 + rng() % 5);
  for (size_t i = 0; i < v.size(); ++i) {
    v[i].key = ToBytes("k" + std::to_string(seed) + "-" + std::to_string(i));
    v[i].value.resize(rng() % 301);
    for (uint8_t& b : v[i].value) b = uint8_t(rng());
    if (rng() % 7 == 0) v[i].metadata.expires_at = rng() % 100000;
  }
  return v;
}

// Child: commit forever from kWriters threads, report each acknowledgement. Never returns.
[[noreturn]] void RunChild(const std::string& dir, int fd, uint64_t iteration) {
  auto s = Store::Open(dir, CrashOptions());
  if (!s.ok()) {
    std::fprintf(stderr, "child: open failed: %s\n", s.status().ToString().c_str());
    _exit(3);
  }
  uint8_t ready[kReportSize] = {};  // id 0: opened, commits start now
  if (::write(fd, ready, sizeof(ready)) != static_cast<ssize_t>(sizeof(ready))) _exit(5);
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t n = 0;; ++n) {
        uint64_t seed = (iteration << 32) | (uint64_t(t) << 24) | n;
        auto r = (*s)->Commit(EntriesFor(seed));
        if (!r.ok()) {
          std::fprintf(stderr, "child: commit failed: %s\n", r.status().ToString().c_str());
          _exit(4);
        }
        uint8_t rep[kReportSize];
        PutU64(rep, r->header.id);
        std::memcpy(rep + 8, r->alh.data(), 32);
        PutU64(rep + 40, seed);
        // One write of < PIPE_BUF bytes: atomic, never interleaved with other threads'.
        if (::write(fd, rep, sizeof(rep)) != static_cast<ssize_t>(sizeof(rep))) _exit(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

struct Acked {
  Digest alh;
  uint64_t seed;
};

// Checks tx `id` against what its writer was told and committed.
void CheckAcked(Store& store, uint64_t id, const Acked& a, const StoreState& now) {
  auto tx = store.ReadTx(id);
  ASSERT_TRUE(tx.ok()) << "acknowledged tx " << id << ": " << tx.status().ToString();
  ASSERT_EQ(tx->alh, a.alh) << "tx " << id;
  std::vector<EntryInput> want = EntriesFor(a.seed);
  ASSERT_EQ(tx->entries.size(), want.size()) << "tx " << id;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(tx->entries[i].key, want[i].key);
    EXPECT_EQ(tx->entries[i].metadata, want[i].metadata);
    auto v = store.ReadValue(tx->value_refs[i]);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, want[i].value) << "tx " << id << " entry " << i;
  }
  auto p = store.DualProof(id, now.tx_id);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Status st = ledger::VerifyDualProof(*p, id, now.tx_id, a.alh, now.alh);
  EXPECT_TRUE(st.ok()) << "dual proof " << id << " -> " << now.tx_id << ": " << st.ToString();
}

TEST(StoreCrashTest, EveryAcknowledgedTxSurvivesSigkill) {
  std::mt19937_64 rng(g_seed);
  std::printf("seed %llu, %llu iterations, dir %s\n", static_cast<unsigned long long>(g_seed),
              static_cast<unsigned long long>(g_iterations), g_dir.c_str());
  std::filesystem::remove_all(g_dir);
  std::map<uint64_t, Acked> acked;  // every acknowledged tx of every iteration
  StoreState before{0, ledger::GenesisAlh()};
  uint64_t kills_during_commits = 0;
  for (uint64_t it = 1; it <= g_iterations; ++it) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(g_dir, fds[1], it);
    }
    ::close(fds[1]);
    // Kill at a random moment: one time in ten while the child is still opening
    // (recovering), otherwise while it commits.
    uint8_t rep[kReportSize];
    std::vector<std::pair<uint64_t, Acked>> fresh;
    if (rng() % 10 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    } else {
      ASSERT_EQ(::read(fds[0], rep, sizeof(rep)), static_cast<ssize_t>(sizeof(rep)))
          << "child did not open the store";
      ASSERT_EQ(GetU64(rep), 0u);
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 60000));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited by itself (status " << status << ") in iteration " << it;
    while (true) {
      ssize_t n = ::read(fds[0], rep, sizeof(rep));
      if (n == 0) break;
      ASSERT_EQ(n, static_cast<ssize_t>(sizeof(rep)));
      if (GetU64(rep) == 0) continue;  // the ready mark
      Acked a;
      std::memcpy(a.alh.data(), rep + 8, 32);
      a.seed = GetU64(rep + 40);
      fresh.emplace_back(GetU64(rep), a);
    }
    ::close(fds[0]);
    if (!fresh.empty()) ++kills_during_commits;

    auto s = Store::Open(g_dir, CrashOptions());
    ASSERT_TRUE(s.ok()) << "iteration " << it << ": " << s.status().ToString();
    Store& store = **s;
    const StoreState now = store.CurrentState();
    for (auto& [id, a] : fresh) {
      ASSERT_TRUE(acked.emplace(id, a).second) << "tx id " << id << " acknowledged twice";
    }
    ASSERT_GE(now.tx_id, acked.empty() ? 0 : acked.rbegin()->first) << "iteration " << it;
    // The state seen before this kill is a verified prefix of the recovered one.
    if (before.tx_id > 0) {
      auto p = store.DualProof(before.tx_id, now.tx_id);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      Status st = ledger::VerifyDualProof(*p, before.tx_id, now.tx_id, before.alh, now.alh);
      ASSERT_TRUE(st.ok()) << "iteration " << it << ": " << st.ToString();
    }
    for (auto& [id, a] : fresh) {
      CheckAcked(store, id, a, now);
      if (::testing::Test::HasFatalFailure()) return;
    }
    // And a few older ones, chosen at random.
    for (int k = 0; k < 3 && !acked.empty(); ++k) {
      auto pick = acked.lower_bound(1 + rng() % acked.rbegin()->first);
      if (pick != acked.end()) CheckAcked(store, pick->first, pick->second, now);
    }
    before = now;
    if (it % 1000 == 0) {
      std::printf("iteration %llu: %zu acknowledged txs so far, %llu in the store\n",
                  static_cast<unsigned long long>(it), acked.size(),
                  static_cast<unsigned long long>(now.tx_id));
      std::fflush(stdout);
    }
  }
  auto s = Store::Open(g_dir, CrashOptions());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Status v = (*s)->Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
  const StoreState now = (*s)->CurrentState();
  for (auto& [id, a] : acked) CheckAcked(**s, id, a, now);
  std::printf("%llu kills (%llu while committing), %zu acknowledged txs, %llu txs in the store\n",
              static_cast<unsigned long long>(g_iterations),
              static_cast<unsigned long long>(kills_during_commits), acked.size(),
              static_cast<unsigned long long>(now.tx_id));
  // Many kills must hit a child that was committing (a slow, shared disk lowers the share).
  EXPECT_GT(kills_during_commits, g_iterations / 4);
  (*s).reset();
  std::filesystem::remove_all(g_dir);
}

}  // namespace
}  // namespace immudb::store

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--iterations") {
      immudb::store::g_iterations = std::stoull(next());
    } else if (a == "--seed") {
      immudb::store::g_seed = std::stoull(next());
    } else if (a == "--dir") {
      immudb::store::g_dir = next();
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (immudb::store::g_seed == 0) immudb::store::g_seed = std::random_device{}();
  if (immudb::store::g_dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    immudb::store::g_dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/immudb-store-crash-" +
                           std::to_string(::getpid());
  }
  immudb::crypto::ModuleOptions opts;
  opts.mode = immudb::crypto::DefaultFipsMode();
  if (const char* env = std::getenv("IMMUDB_TEST_FIPS_MODE"); env != nullptr && *env != '\0') {
    auto mode = immudb::crypto::ParseFipsMode(env);
    if (!mode.ok()) {
      std::fprintf(stderr, "%s\n", mode.status().ToString().c_str());
      return 2;
    }
    opts.mode = *mode;
  }
  immudb::Status st = immudb::crypto::InitCryptoModule(opts);
  if (!st.ok()) {
    std::fprintf(stderr, "crypto module: %s\n", st.ToString().c_str());
    return 2;
  }
  return RUN_ALL_TESTS();
}
