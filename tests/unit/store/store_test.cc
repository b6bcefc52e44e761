// Commit path and reads of the Store: ids, headers, Alh chain, values, limits, reopen,
// concurrency, listeners and preconditions.
#include "store/store.h"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "ledger/tx.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::Entries;
using testing::Entry;
using testing::SmallOptions;
using testing::TempDir;

TEST(StoreTest, EmptyStoreState) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  StoreState st = (*s)->CurrentState();
  EXPECT_EQ(st.tx_id, 0u);
  EXPECT_EQ(st.alh, ledger::GenesisAlh());
  EXPECT_EQ((*s)->ReadTx(1).status().code(), Code::kNotFound);
  EXPECT_EQ((*s)->ReadTx(0).status().code(), Code::kNotFound);
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(StoreTest, CommitAssignsHeaderFieldsAndChainsAlh) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  Digest prev = ledger::GenesisAlh();
  for (uint64_t i = 1; i <= 20; ++i) {
    auto r = store.Commit(Entries("tx" + std::to_string(i), int(i % 5) + 1));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const ledger::TxHeader& h = r->header;
    EXPECT_EQ(h.id, i);
    EXPECT_EQ(h.ts, 1700000000);
    EXPECT_EQ(h.bl_tx_id, i - 1);
    EXPECT_EQ(h.prev_alh, prev);
    EXPECT_EQ(h.version, 1);
    EXPECT_EQ(h.n_entries, uint32_t(i % 5) + 1);
    if (i == 1) {
      EXPECT_EQ(h.bl_root, ledger::kZeroDigest);
    } else {
      auto root = store.AhtRoot(i - 1);
      ASSERT_TRUE(root.ok());
      EXPECT_EQ(h.bl_root, *root);
    }
    auto alh = h.Alh();
    ASSERT_TRUE(alh.ok());
    EXPECT_EQ(*alh, r->alh);
    EXPECT_EQ(store.CurrentState(), (StoreState{i, r->alh}));
    prev = r->alh;
  }
}

TEST(StoreTest, ReadTxReturnsWhatWasCommitted) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  std::vector<EntryInput> in = Entries("a", 3);
  in[1].metadata.expires_at = 1234;
  in[2].metadata.non_indexable = true;
  in.push_back(EntryInput{ToBytes("deleted"), {}, {}});
  in.back().metadata.deleted = true;
  CommitOptions co;
  co.metadata.extra = ToBytes("who");
  auto r = (*s)->Commit(in, co);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto tx = (*s)->ReadTx(1);
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_EQ(tx->header, r->header);
  EXPECT_EQ(tx->alh, r->alh);
  ASSERT_EQ(tx->entries.size(), in.size());
  EXPECT_EQ(tx->value_refs, r->value_refs);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(tx->entries[i].key, in[i].key);
    EXPECT_EQ(tx->entries[i].metadata, in[i].metadata);
    EXPECT_EQ(tx->entries[i].value_len, in[i].value.size());
    EXPECT_EQ(tx->entries[i].value_hash, crypto::Sha256(in[i].value));
    auto v = (*s)->ReadValue(tx->value_refs[i]);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(*v, in[i].value);
  }
  EXPECT_EQ(tx->header.metadata.extra, ToBytes("who"));
  auto eh = ledger::ComputeEh(1, tx->entries);
  ASSERT_TRUE(eh.ok());
  EXPECT_EQ(*eh, tx->header.eh);
  auto hdr = (*s)->ReadTxHeader(1);
  ASSERT_TRUE(hdr.ok());
  EXPECT_EQ(*hdr, r->header);
}

TEST(StoreTest, LimitsAndDuplicatesAreRefused) {
  TempDir dir;
  Options o = SmallOptions();
  o.max_entries_per_tx = 4;
  o.max_key_len = 8;
  o.max_value_len = 16;
  auto s = Store::Open(dir.path(), o);
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  auto expect_invalid = [&](std::vector<EntryInput> in, const std::string& fragment) {
    auto r = store.Commit(std::move(in));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  };
  expect_invalid({}, "at least one entry");
  expect_invalid(Entries("x", 5), "too many entries");
  expect_invalid({Entry("123456789", "v")}, "key of 9 bytes");
  expect_invalid({Entry("", "v")}, "empty key");
  expect_invalid({Entry("k", std::string(17, 'v'))}, "value of 17 bytes");
  expect_invalid({Entry("k", "1"), Entry("j", "2"), Entry("k", "3")}, "duplicate key");
  EXPECT_EQ(store.CurrentState().tx_id, 0u);
  // At the limits exactly: accepted.
  auto ok = store.Commit({Entry("12345678", std::string(16, 'v')), Entry("b", ""),
                          Entry("c", ""), Entry("d", "")});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->header.id, 1u);
}

TEST(StoreTest, TruncationTxMayHaveNoEntries) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(Entries("a", 1)).ok());
  CommitOptions co;
  co.metadata.truncated_upto_tx = 1;
  auto r = (*s)->Commit({}, co);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->header.n_entries, 0u);
  EXPECT_EQ(r->header.eh, crypto::EmptyDigest());
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(StoreTest, HeaderVersionIsChosenAtCreationAndPersisted) {
  TempDir dir;
  Options o = SmallOptions();
  o.header_version = 0;
  {
    auto s = Store::Open(dir.path(), o);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->header_version(), 0);
    auto r = (*s)->Commit(Entries("v0", 2));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->header.version, 0);
    std::vector<EntryInput> with_md = Entries("md", 1);
    with_md[0].metadata.deleted = true;
    EXPECT_EQ((*s)->Commit(with_md).status().code(), Code::kInvalidArgument);
    CommitOptions co;
    co.metadata.extra = ToBytes("x");
    EXPECT_EQ((*s)->Commit(Entries("t", 1), co).status().code(), Code::kInvalidArgument);
  }
  o.header_version = 1;  // ignored for an existing store
  auto s = Store::Open(dir.path(), o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->header_version(), 0);
  auto r = (*s)->Commit(Entries("again", 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header.version, 0);
  EXPECT_TRUE((*s)->Verify().ok());

  TempDir bad;
  o.header_version = 2;
  EXPECT_EQ(Store::Open(bad.path(), o).status().code(), Code::kInvalidArgument);
}

TEST(StoreTest, ReopenKeepsEverythingAndContinuesTheChain) {
  TempDir dir;
  std::vector<CommitResult> results;
  {
    auto s = Store::Open(dir.path(), SmallOptions());
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 50; ++i) {
      auto r = (*s)->Commit(Entries("r" + std::to_string(i), 1 + i % 7));
      ASSERT_TRUE(r.ok());
      results.push_back(*r);
    }
    ASSERT_TRUE((*s)->Close().ok());
  }
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->CurrentState(), (StoreState{50, results.back().alh}));
  for (const CommitResult& r : results) {
    auto tx = (*s)->ReadTx(r.header.id);
    ASSERT_TRUE(tx.ok());
    EXPECT_EQ(tx->header, r.header);
  }
  auto next = (*s)->Commit(Entries("after", 2));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->header.id, 51u);
  EXPECT_EQ(next->header.prev_alh, results.back().alh);
  EXPECT_TRUE((*s)->Verify().ok());
}

TEST(StoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Store::Open(dir.path(), SmallOptions()).status().code(), Code::kFailedPrecondition);
}

TEST(StoreTest, MissingStoreWithoutCreateIsNotFound) {
  TempDir dir;
  Options o = SmallOptions();
  o.create_if_missing = false;
  EXPECT_EQ(Store::Open(dir.Sub("nothing"), o).status().code(), Code::kNotFound);
}

TEST(StoreTest, ConcurrentWritersGetConsecutiveIdsAndEveryTxIsReadable) {
  TempDir dir;
  Options o = SmallOptions();
  o.segment_size = 64 << 10;
  auto s = Store::Open(dir.path(), o);
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  constexpr int kThreads = 8, kPerThread = 60;
  std::vector<std::vector<CommitResult>> got(kThreads);
  std::atomic<bool> reader_failed{false};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    // Readers see a growing committed prefix and never anything beyond it.
    while (!done) {
      StoreState st = store.CurrentState();
      if (st.tx_id > 0) {
        auto tx = store.ReadTx(st.tx_id);
        if (!tx.ok() || tx->header.id != st.tx_id) reader_failed = true;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store.Commit(Entries("w" + std::to_string(t) + "-" + std::to_string(i), 2));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        got[t].push_back(*r);
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_FALSE(reader_failed);
  std::vector<bool> seen(kThreads * kPerThread + 1, false);
  for (auto& v : got) {
    for (auto& r : v) {
      ASSERT_LE(r.header.id, uint64_t(kThreads * kPerThread));
      EXPECT_FALSE(seen[r.header.id]);
      seen[r.header.id] = true;
      auto tx = store.ReadTx(r.header.id);
      ASSERT_TRUE(tx.ok());
      EXPECT_EQ(tx->header, r.header);
    }
  }
  EXPECT_EQ(store.CurrentState().tx_id, uint64_t(kThreads * kPerThread));
  EXPECT_TRUE(store.Verify().ok());
}

// The group commit delay only engages after a group of several txs: one writer committing
// one tx after another never waits for it (a 2 s delay would make 10 commits take 20 s).
Result<std::unique_ptr<Store>> OpenWithGroupDelay(const TempDir& dir,
                                                  std::chrono::microseconds delay,
                                                  uint32_t min_txs) {
  Options o = SmallOptions();
  o.group_delay = delay;
  o.group_delay_min_txs = min_txs;
  return Store::Open(dir.path(), o);
}

TEST(StoreTest, LoneWriterNeverWaitsForTheGroupDelay) {
  TempDir dir;
  auto s = OpenWithGroupDelay(dir, std::chrono::seconds(2), 1);
  ASSERT_TRUE(s.ok());
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*s)->Commit(Entries("lone" + std::to_string(i), 1)).ok());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

// Under the delay, concurrent writers still get consecutive ids, every tx reads back, the
// chain verifies, and Close returns while the committer may be sleeping in a delay.
TEST(StoreTest, ConcurrentWritersUnderTheGroupDelay) {
  TempDir dir;
  auto s = OpenWithGroupDelay(dir, std::chrono::milliseconds(2), 2);
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::vector<uint64_t>> ids(kThreads);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store.Commit(Entries("d" + std::to_string(t) + "-" + std::to_string(i), 1));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ids[t].push_back(r->header.id);
      }
    });
  }
  for (auto& w : writers) w.join();
  std::vector<bool> seen(kThreads * kPerThread + 1, false);
  for (auto& v : ids) {
    for (uint64_t id : v) {
      ASSERT_GE(id, 1u);
      ASSERT_LE(id, uint64_t(kThreads * kPerThread));
      EXPECT_FALSE(seen[id]);
      seen[id] = true;
    }
  }
  EXPECT_EQ(store.CurrentState().tx_id, uint64_t(kThreads * kPerThread));
  EXPECT_TRUE(store.Verify().ok());
  // Writes queued right before Close are committed or refused, never lost in a delay.
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> late;
  for (int t = 0; t < 4; ++t) {
    late.emplace_back([&, t] {
      auto r = store.Commit(Entries("late" + std::to_string(t), 1));
      (r.ok() ? ok : refused)++;
    });
  }
  EXPECT_TRUE(store.Close().ok());
  for (auto& th : late) th.join();
  EXPECT_EQ(ok + refused, 4);
}

TEST(StoreTest, ListenerAndWaitForCommit) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  std::atomic<uint64_t> last_seen{0};
  std::vector<std::string> keys_seen;
  (*s)->SetCommitListener([&](std::span<const Tx> group) {
    ASSERT_FALSE(group.empty());
    EXPECT_EQ(group.front().header.id, last_seen + 1);
    for (size_t i = 0; i < group.size(); ++i) {
      EXPECT_EQ(group[i].header.id, group.front().header.id + i);
      // The group comes from memory: it must equal what a read returns.
      auto read = (*s)->ReadTx(group[i].header.id);
      ASSERT_TRUE(read.ok());
      EXPECT_EQ(read->alh, group[i].alh);
      ASSERT_EQ(read->entries.size(), group[i].entries.size());
      ASSERT_EQ(read->value_refs.size(), group[i].value_refs.size());
      for (size_t e = 0; e < group[i].entries.size(); ++e) {
        EXPECT_EQ(read->entries[e].key, group[i].entries[e].key);
        EXPECT_EQ(read->entries[e].value_hash, group[i].entries[e].value_hash);
        EXPECT_EQ(read->value_refs[e].offset, group[i].value_refs[e].offset);
      }
      const auto& k = group[i].entries.at(0).key;
      keys_seen.emplace_back(k.begin(), k.end());
    }
    last_seen = group.back().header.id;
  });
  EXPECT_FALSE((*s)->WaitForCommit(1, std::chrono::milliseconds(10)));
  std::thread t([&] { ASSERT_TRUE((*s)->Commit(Entries("l", 1)).ok()); });
  EXPECT_TRUE((*s)->WaitForCommit(1, std::chrono::seconds(10)));
  t.join();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->Commit(Entries("m" + std::to_string(i), 1)).ok());
  EXPECT_EQ(last_seen, 6u);
  EXPECT_EQ(keys_seen, (std::vector<std::string>{"l-k0", "m0-k0", "m1-k0", "m2-k0", "m3-k0",
                                                 "m4-k0"}));
}

TEST(StoreTest, PreconditionSeesEveryEarlierTxAndCanRefuse) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  ASSERT_TRUE(store.Commit(Entries("a", 1)).ok());
  CommitOptions ok;
  uint64_t seen = 0;
  ok.precondition = [&](uint64_t last) {
    seen = last;
    return store.CurrentState().tx_id == last ? Status::Ok() : Internal("not visible");
  };
  auto r = store.Commit(Entries("b", 1), ok);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(seen, 1u);
  CommitOptions refuse;
  refuse.precondition = [](uint64_t) { return FailedPrecondition("key already exists"); };
  auto bad = store.Commit(Entries("c", 1), refuse);
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store.CurrentState().tx_id, 2u);
  auto next = store.Commit(Entries("d", 1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->header.id, 3u);
}

TEST(StoreTest, ForEachTxVisitsTheRangeInOrder) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*s)->Commit(Entries("f" + std::to_string(i), 1)).ok());
  std::vector<uint64_t> ids;
  ASSERT_TRUE((*s)->ForEachTx(4, 100, [&](const Tx& tx) {
    ids.push_back(tx.header.id);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(ids, (std::vector<uint64_t>{4, 5, 6, 7, 8, 9, 10}));
  Status st = (*s)->ForEachTx(1, 10, [](const Tx& tx) {
    return tx.header.id == 3 ? Internal("stop") : Status::Ok();
  });
  EXPECT_EQ(st.code(), Code::kInternal);
}

TEST(StoreTest, LargeValuesSpanSegments) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());  // 4 KiB segments
  ASSERT_TRUE(s.ok());
  std::string big(50000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 26);
  auto r = (*s)->Commit({Entry("big", big), Entry("small", "s")});
  ASSERT_TRUE(r.ok());
  auto v = (*s)->ReadValue(r->value_refs[0]);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(ToString(*v), big);
  ASSERT_TRUE((*s)->Close().ok());
  auto s2 = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  EXPECT_TRUE((*s2)->Verify().ok());
}

TEST(StoreTest, CommitAsyncCallsBackOnceInCommitOrderAndCloseRunsThePendingOnes) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  std::mutex mu;
  std::vector<uint64_t> ids;       // in callback order
  std::vector<std::string> firsts;  // first key of each, by callback order
  std::atomic<int> failures{0};
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> on_caller_thread{false};
  constexpr int kTxs = 200;
  for (int i = 0; i < kTxs; ++i) {
    std::string prefix = "a" + std::to_string(i);
    Status queued = store.CommitAsync(Entries(prefix, 1 + i % 3), {}, [&, prefix](Result<CommitResult> r) {
      if (std::this_thread::get_id() == caller) on_caller_thread = true;
      if (!r.ok()) {
        ++failures;
        return;
      }
      std::lock_guard<std::mutex> l(mu);
      ids.push_back(r->header.id);
      firsts.push_back(prefix);
      EXPECT_EQ(r->value_refs.size(), r->header.n_entries);
    });
    ASSERT_TRUE(queued.ok()) << queued.ToString();
  }
  // Close returns only once every queued tx is committed and its callback has run.
  ASSERT_TRUE(store.Close().ok());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(on_caller_thread.load());
  ASSERT_EQ(ids.size(), size_t(kTxs));
  for (int i = 0; i < kTxs; ++i) {
    EXPECT_EQ(ids[i], uint64_t(i + 1));
    EXPECT_EQ(firsts[i], "a" + std::to_string(i));  // one queue: commit order is call order
  }
  // What the callbacks acknowledged is on disk.
  auto s2 = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  EXPECT_EQ((*s2)->CurrentState().tx_id, uint64_t(kTxs));
  auto tx = (*s2)->ReadTx(kTxs);
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(ToString(tx->entries.at(0).key), "a" + std::to_string(kTxs - 1) + "-k0");
}

TEST(StoreTest, CommitAsyncRefusalsComeBackAtOnceWithoutACallback) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  std::atomic<int> calls{0};
  auto count = [&](Result<CommitResult>) { ++calls; };
  std::vector<EntryInput> dup = {Entry("k", "1"), Entry("k", "2")};
  EXPECT_EQ(store.CommitAsync(std::move(dup), {}, count).code(), Code::kInvalidArgument);
  EXPECT_EQ(store.CommitAsync({}, {}, count).code(), Code::kInvalidArgument);
  EXPECT_EQ(store.CommitAsync(Entries("n", 1), {}, nullptr).code(), Code::kInvalidArgument);
  // A precondition refuses inside the committer: that one does come through the callback.
  CommitOptions refuse;
  refuse.precondition = [](uint64_t) { return FailedPrecondition("no"); };
  std::promise<Status> refused;
  ASSERT_TRUE(store.CommitAsync(Entries("p", 1), refuse, [&](Result<CommitResult> r) {
    refused.set_value(r.status());
  }).ok());
  EXPECT_EQ(refused.get_future().get().code(), Code::kFailedPrecondition);
  ASSERT_TRUE(store.Close().ok());
  EXPECT_EQ(store.CommitAsync(Entries("late", 1), {}, count).code(), Code::kFailedPrecondition);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(store.CurrentState().tx_id, 0u);
}

TEST(StoreTest, CommitAfterCloseFails) {
  TempDir dir;
  auto s = Store::Open(dir.path(), SmallOptions());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Close().ok());
  EXPECT_EQ((*s)->Commit(Entries("x", 1)).status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE((*s)->ReadAlh(0).ok());
}

}  // namespace
}  // namespace immudb::store
