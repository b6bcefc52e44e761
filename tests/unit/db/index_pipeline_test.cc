// The index pipeline of synchronous indexing (CommitTuning::index_pipeline_min_entries):
// large commit groups are indexed on the database's index thread while the committer writes
// the next group. A writer must still be answered only once its tx is indexed, preconditions
// must still see every earlier tx, and Close must not leave handed-over groups unindexed.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "db/errors.h"
#include "db_test_util.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::KV;
using testing::TestSettings;

class IndexPipelineTest : public testing::DbTest {
 protected:
  // min_entries 1: every group goes through the index thread.
  void Open(uint32_t min_entries = 1) {
    CommitTuning t;
    t.index_pipeline_min_entries = min_entries;
    DbTest::Open(TestSettings(), t);
  }
  static SetRequest Batch(const std::string& tag, int n) {
    SetRequest req;
    for (int i = 0; i < n; ++i) {
      req.kvs.push_back(KV(tag + "-" + std::to_string(i), "v-" + tag + "-" + std::to_string(i)));
    }
    return req;
  }
};

// Many writers at once (so groups queue up behind the one being indexed); every
// acknowledged write is read back, with its revision, from inside its acknowledgement.
TEST_F(IndexPipelineTest, AcknowledgedWritesAreIndexed) {
  Open();
  constexpr int kWriters = 8, kTxsPerWriter = 40, kEntries = 50;
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int t = 0; t < kTxsPerWriter; ++t) {
        std::string tag = "w" + std::to_string(w) + "t" + std::to_string(t);
        {
          std::lock_guard<std::mutex> l(mu);
          ++outstanding;
        }
        Status st = db_->SetAsync(Batch(tag, kEntries), [&, tag](Result<TxHeader> r) {
          if (!r.ok()) {
            ++failures;
          } else {
            // Indexed before it is acknowledged: read back without waiting for the index.
            if (db_->IndexWatermark() < r->id) ++failures;
            for (int i : {0, kEntries / 2, kEntries - 1}) {
              KeyRequest req;
              req.key = B(tag + "-" + std::to_string(i));
              req.no_wait = true;
              auto e = db_->Get(req);
              if (!e.ok() || ToString(e->value) != "v-" + tag + "-" + std::to_string(i) ||
                  e->tx != r->id || e->revision != 1) {
                ++failures;
              }
            }
          }
          std::lock_guard<std::mutex> l(mu);
          if (--outstanding == 0) cv.notify_all();
        });
        if (!st.ok()) {
          ++failures;
          std::lock_guard<std::mutex> l(mu);
          if (--outstanding == 0) cv.notify_all();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::unique_lock<std::mutex> l(mu);
  ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(60), [&] { return outstanding == 0; }));
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(db_->LastCommittedTx(), uint64_t(kWriters * kTxsPerWriter));
  EXPECT_EQ(db_->IndexWatermark(), db_->LastCommittedTx());
}

// The blocking Set path too, and revisions counted across pipelined groups.
TEST_F(IndexPipelineTest, BlockingSetsSeeTheirOwnWritesAndRevisions) {
  Open();
  for (int round = 1; round <= 5; ++round) {
    SetRequest req = Batch("k", 20);
    for (auto& kv : req.kvs) kv.value = B("round" + std::to_string(round));
    auto hdr = db_->Set(req);
    ASSERT_TRUE(hdr.ok()) << hdr.status().ToString();
    EXPECT_GE(db_->IndexWatermark(), hdr->id);
    KeyRequest get;
    get.key = B("k-7");
    get.no_wait = true;
    auto e = db_->Get(get);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(ToString(e->value), "round" + std::to_string(round));
    EXPECT_EQ(e->revision, uint64_t(round));
    EXPECT_EQ(e->tx, hdr->id);
  }
}

// A precondition is evaluated on the committer against every earlier tx, including one the
// index thread may still be indexing.
TEST_F(IndexPipelineTest, PreconditionsSeeEarlierPipelinedTxs) {
  Open();
  for (int i = 0; i < 30; ++i) {
    std::string key = "p" + std::to_string(i);
    std::atomic<bool> first_done{false};
    SetRequest first = Batch(key, 10);
    ASSERT_TRUE(db_->SetAsync(first, [&](Result<TxHeader> r) {
                      EXPECT_TRUE(r.ok());
                      first_done = true;
                    }).ok());
    // Queued right behind it, not waiting for its acknowledgement.
    SetRequest must_not;
    must_not.kvs.push_back(KV(key + "-x", "x"));
    must_not.preconditions.push_back(Precondition::MustNotExist(B(key + "-3")));
    auto r = db_->Set(must_not);
    ASSERT_FALSE(r.ok()) << "round " << i;
    EXPECT_EQ(r.status().code(), errors::PreconditionFailed().code());

    SetRequest must;
    must.kvs.push_back(KV(key + "-y", "y"));
    must.preconditions.push_back(Precondition::MustExist(B(key + "-9")));
    auto ok = db_->Set(must);
    EXPECT_TRUE(ok.ok()) << ok.status().ToString();
    // `first`'s acknowledgement runs on the store's completion thread: wait for it (the
    // callback refers to this iteration's locals).
    for (int spin = 0; spin < 10000 && !first_done.load(); ++spin) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(first_done.load());
  }
}

// Writes that did not wait for the index (NoWait) are indexed before Close returns: the
// reopened database has nothing to catch up.
TEST_F(IndexPipelineTest, CloseAppliesWhatWasHandedOver) {
  Open();
  std::atomic<int> acked{0};
  constexpr int kThreads = 4, kTxsPerThread = 150, kTxs = kThreads * kTxsPerThread;
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (int t = w; t < kTxs; t += kThreads) {
        SetRequest req = Batch("c" + std::to_string(t), 40);
        req.no_wait = true;
        EXPECT_TRUE(db_->SetAsync(req, [&](Result<TxHeader> r) {
                          EXPECT_TRUE(r.ok());
                          ++acked;
                        }).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_EQ(acked.load(), kTxs);
  Open();
  EXPECT_EQ(db_->LastCommittedTx(), uint64_t(kTxs));
  EXPECT_EQ(db_->index_open_report().caught_up_txs, 0u);
  EXPECT_FALSE(db_->index_open_report().rebuilt);
  KeyRequest get;
  get.key = B("c599-39");
  auto e = db_->Get(get);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(ToString(e->value), "v-c599-39");
}

// Below the threshold groups are indexed on the committer; crossing it back and forth keeps
// the index complete and in order.
TEST_F(IndexPipelineTest, SmallAndLargeGroupsInterleave) {
  Open(/*min_entries=*/25);
  uint64_t last = 0;
  for (int t = 0; t < 60; ++t) {
    int n = (t % 3 == 0) ? 40 : 2;
    auto hdr = db_->Set(Batch("m" + std::to_string(t), n));
    ASSERT_TRUE(hdr.ok()) << hdr.status().ToString();
    last = hdr->id;
    EXPECT_GE(db_->IndexWatermark(), last);
  }
  for (int t = 0; t < 60; ++t) {
    int n = (t % 3 == 0) ? 40 : 2;
    KeyRequest get;
    get.key = B("m" + std::to_string(t) + "-" + std::to_string(n - 1));
    auto e = db_->Get(get);
    ASSERT_TRUE(e.ok()) << t << ": " << e.status().ToString();
  }
}

}  // namespace
}  // namespace immudb::db
