#include "index/index.h"
#include "index/key_format.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

namespace immudb::index {
namespace {

namespace fs = std::filesystem;

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("index_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Index> OpenIndex() {
    auto r = Index::Open(dir_.string());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }

  static IndexWrite W(std::string_view key, uint32_t pos = 0, bool deleted = false) {
    IndexWrite w;
    w.key = ToBytes(key);
    w.entry_index = pos;
    w.deleted = deleted;
    w.value_len = uint32_t(key.size());
    w.value_ref = ToBytes(std::string("ref:") + std::string(key));
    return w;
  }

  fs::path dir_;
};

TEST_F(IndexTest, LatestAtOrBeforeTxAndRevisions) {
  auto idx = OpenIndex();
  EXPECT_EQ(idx->Watermark(), 0u);
  std::vector<IndexTx> txs = {
      {1, {W("a"), W("b", 1)}}, {2, {}}, {3, {W("a", 0, true)}}, {4, {W("a")}}};
  ASSERT_TRUE(idx->Apply(txs).ok());
  EXPECT_EQ(idx->Watermark(), 4u);

  auto l = idx->Latest(AsBytes("a"), 4);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->tx, 4u);
  EXPECT_EQ(l->revision, 3u);
  EXPECT_FALSE(l->deleted);
  l = idx->Latest(AsBytes("a"), 3);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->tx, 3u);
  EXPECT_TRUE(l->deleted);
  l = idx->Latest(AsBytes("a"), 2);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->tx, 1u);
  EXPECT_EQ(l->value_ref, ToBytes("ref:a"));
  EXPECT_EQ(idx->Latest(AsBytes("a"), 0).status().code(), Code::kNotFound);
  EXPECT_EQ(idx->Latest(AsBytes("c"), 4).status().code(), Code::kNotFound);
  // "a" is a prefix of nothing else here, but "" must not match "a".
  EXPECT_EQ(idx->Latest(AsBytes(""), 4).status().code(), Code::kNotFound);

  auto b = idx->Latest(AsBytes("b"), 4);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->entry_index, 1u);
  EXPECT_EQ(b->revision, 1u);

  auto r2 = idx->AtRevision(AsBytes("a"), 2, 4);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->tx, 3u);
  EXPECT_EQ(idx->AtRevision(AsBytes("a"), 3, 3).status().code(), Code::kNotFound);
  EXPECT_EQ(idx->AtRevision(AsBytes("a"), 4, 4).status().code(), Code::kNotFound);
  EXPECT_EQ(idx->AtRevision(AsBytes("a"), 0, 4).status().code(), Code::kNotFound);
  EXPECT_TRUE(idx->AtTx(AsBytes("a"), 3).ok());
  EXPECT_EQ(idx->AtTx(AsBytes("a"), 2).status().code(), Code::kNotFound);
}

TEST_F(IndexTest, KeyWrittenTwiceInOneTxKeepsOneVersion) {
  auto idx = OpenIndex();
  IndexWrite a1 = W("a", 0), a2 = W("a", 1);
  std::vector<IndexTx> txs = {{1, {W("a")}}, {2, {a1, a2}}, {3, {W("a")}}};
  ASSERT_TRUE(idx->Apply(txs).ok());
  auto l = idx->Latest(AsBytes("a"), 2);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->revision, 2u);
  EXPECT_EQ(l->entry_index, 1u);  // the last write wins
  l = idx->Latest(AsBytes("a"), 3);
  EXPECT_EQ(l->revision, 3u);
  auto h = idx->History(AsBytes("a"), 0, 0, false, 3);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 3u);
}

TEST_F(IndexTest, RevisionsContinueAcrossBatchesAndReopen) {
  {
    auto idx = OpenIndex();
    for (uint64_t tx = 1; tx <= 30; ++tx) {
      std::vector<IndexTx> one = {{tx, {W("k"), W("k" + std::to_string(tx % 3))}}};
      ASSERT_TRUE(idx->Apply(one).ok());
    }
    ASSERT_TRUE(idx->Close().ok());
    EXPECT_EQ(idx->Latest(AsBytes("k"), 30).status().code(), Code::kUnavailable);
  }
  auto idx = OpenIndex();
  std::vector<IndexTx> more = {{31, {W("k")}}, {32, {W("k0")}}};
  ASSERT_TRUE(idx->Apply(more).ok());
  EXPECT_EQ(idx->Latest(AsBytes("k"), 32)->revision, 31u);
  EXPECT_EQ(idx->Latest(AsBytes("k0"), 32)->revision, 11u);
  EXPECT_EQ(idx->AtRevision(AsBytes("k"), 17, 32)->tx, 17u);
}

TEST_F(IndexTest, ApplyRequiresConsecutiveTxs) {
  auto idx = OpenIndex();
  std::vector<IndexTx> gap = {{2, {W("a")}}};
  EXPECT_EQ(idx->Apply(gap).code(), Code::kInvalidArgument);
  std::vector<IndexTx> ok = {{1, {W("a")}}, {2, {W("a")}}};
  ASSERT_TRUE(idx->Apply(ok).ok());
  std::vector<IndexTx> again = {{2, {W("a")}}};
  EXPECT_EQ(idx->Apply(again).code(), Code::kInvalidArgument);
  EXPECT_EQ(idx->Watermark(), 2u);
}

TEST_F(IndexTest, HistoryOffsetLimitDesc) {
  auto idx = OpenIndex();
  std::vector<IndexTx> txs;
  for (uint64_t tx = 1; tx <= 10; ++tx) {
    IndexTx t{tx, {}};
    if (tx % 2 == 1) t.writes.push_back(W("k"));  // versions at txs 1,3,5,7,9
    t.writes.push_back(W("z"));
    txs.push_back(t);
  }
  ASSERT_TRUE(idx->Apply(txs).ok());
  auto txs_of = [](const std::vector<IndexedEntry>& v) {
    std::vector<uint64_t> out;
    for (auto& e : v) out.push_back(e.tx);
    return out;
  };
  auto h = idx->History(AsBytes("k"), 0, 0, false, 10);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(txs_of(*h), (std::vector<uint64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ((*h)[2].revision, 3u);
  h = idx->History(AsBytes("k"), 1, 2, false, 10);
  EXPECT_EQ(txs_of(*h), (std::vector<uint64_t>{3, 5}));
  h = idx->History(AsBytes("k"), 0, 0, true, 10);
  EXPECT_EQ(txs_of(*h), (std::vector<uint64_t>{9, 7, 5, 3, 1}));
  h = idx->History(AsBytes("k"), 2, 2, true, 10);
  EXPECT_EQ(txs_of(*h), (std::vector<uint64_t>{5, 3}));
  h = idx->History(AsBytes("k"), 0, 0, true, 6);
  EXPECT_EQ(txs_of(*h), (std::vector<uint64_t>{5, 3, 1}));
  h = idx->History(AsBytes("k"), 5, 0, false, 10);
  EXPECT_TRUE(h->empty());
  h = idx->History(AsBytes("nokey"), 0, 0, false, 10);
  EXPECT_TRUE(h->empty());
}

// Revisions far past the revision checkpoints (every kRevisionCheckpointEvery-th revision
// has a record; the rest are reached by stepping over version records), against a model.
TEST_F(IndexTest, ManyRevisionsAgainstModel) {
  auto idx = OpenIndex();
  const uint64_t kVersions = 3 * kRevisionCheckpointEvery + 7;
  std::vector<uint64_t> tx_of_rev = {0};  // 1-based
  std::vector<IndexTx> txs;
  uint64_t tx = 0;
  for (uint64_t r = 1; r <= kVersions; ++r) {
    ++tx;
    txs.push_back({tx, {W("m"), W("other" + std::to_string(r % 5))}});
    tx_of_rev.push_back(tx);
    ++tx;
    txs.push_back({tx, {W("mm")}});  // a neighbour key with its own versions
  }
  for (size_t i = 0; i < txs.size(); i += 50) {
    std::vector<IndexTx> part(txs.begin() + long(i), txs.begin() + long(std::min(i + 50, txs.size())));
    ASSERT_TRUE(idx->Apply(part).ok());
  }
  const uint64_t last = tx;
  for (uint64_t r = 1; r <= kVersions; ++r) {
    auto e = idx->AtRevision(AsBytes("m"), r, last);
    ASSERT_TRUE(e.ok()) << r << " " << e.status().ToString();
    EXPECT_EQ(e->tx, tx_of_rev[r]) << r;
    EXPECT_EQ(e->revision, r);
    // Not visible before its tx.
    EXPECT_EQ(idx->AtRevision(AsBytes("m"), r, tx_of_rev[r] - 1).status().code(), Code::kNotFound);
  }
  EXPECT_EQ(idx->AtRevision(AsBytes("m"), kVersions + 1, last).status().code(), Code::kNotFound);
  EXPECT_EQ(idx->AtRevision(AsBytes("m"), kVersions + kRevisionCheckpointEvery, last).status().code(),
            Code::kNotFound);
  EXPECT_EQ(idx->AtRevision(AsBytes("mm"), kVersions, last)->revision, kVersions);

  auto txs_of = [](const std::vector<IndexedEntry>& v) {
    std::vector<uint64_t> out;
    for (auto& e : v) out.push_back(e.tx);
    return out;
  };
  std::mt19937_64 rng(7);  // deterministic offsets and limits
  for (int i = 0; i < 200; ++i) {
    uint64_t at = 1 + rng() % last;
    uint64_t count = 0;
    while (count + 1 <= kVersions && tx_of_rev[count + 1] <= at) ++count;
    uint64_t offset = rng() % (count + 3);
    uint64_t limit = rng() % 4 == 0 ? 0 : 1 + rng() % 80;
    bool desc = rng() % 2 == 0;
    std::vector<uint64_t> want;
    if (offset < count) {
      uint64_t n = count - offset;
      if (limit > 0) n = std::min(n, limit);
      for (uint64_t k = 0; k < n; ++k) {
        want.push_back(desc ? tx_of_rev[count - offset - k] : tx_of_rev[offset + 1 + k]);
      }
    }
    auto h = idx->History(AsBytes("m"), offset, limit, desc, at);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(txs_of(*h), want) << "at " << at << " offset " << offset << " limit " << limit
                                << " desc " << desc;
  }
}

// Keys that are byte-prefixes of each other or hold zero bytes, with their versions spread
// over several flushed tables and the memtable: revisions keep counting across them (the
// newest version is found by a prefix seek through the bloom filters), and every lookup
// agrees with a model.
TEST_F(IndexTest, RevisionsAcrossFlushedTablesAgainstModel) {
  auto idx = OpenIndex();
  const std::vector<std::string> keys = {"p", "pp", std::string("p\0", 2),
                                         std::string("p\0\0", 3), "q", std::string("\0", 1)};
  std::map<std::string, std::vector<uint64_t>> tx_of_rev;  // key -> tx of revision r at [r-1]
  std::mt19937_64 rng(11);
  uint64_t tx = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<IndexTx> txs;
    for (int i = 0; i < 40; ++i) {
      ++tx;
      IndexTx t{tx, {}};
      for (const std::string& k : keys) {
        if (rng() % 3 == 0) {
          t.writes.push_back(W(k));
          tx_of_rev[k].push_back(tx);
        }
      }
      // A key no other tx writes: new keys keep starting at revision 1.
      std::string fresh = "fresh" + std::to_string(tx);
      t.writes.push_back(W(fresh));
      tx_of_rev[fresh].push_back(tx);
      txs.push_back(std::move(t));
    }
    ASSERT_TRUE(idx->Apply(txs).ok());
    if (round % 2 == 0) {
      ASSERT_TRUE(idx->Flush().ok());
    }
  }
  for (const auto& [k, revs] : tx_of_rev) {
    auto l = idx->Latest(AsBytes(k), tx);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    EXPECT_EQ(l->revision, revs.size()) << k;
    EXPECT_EQ(l->tx, revs.back()) << k;
    for (size_t r = 1; r <= revs.size(); ++r) {
      auto e = idx->AtRevision(AsBytes(k), r, tx);
      ASSERT_TRUE(e.ok()) << k << " rev " << r << ": " << e.status().ToString();
      EXPECT_EQ(e->tx, revs[r - 1]) << k << " rev " << r;
    }
    EXPECT_EQ(idx->AtRevision(AsBytes(k), revs.size() + 1, tx).status().code(), Code::kNotFound);
    auto h = idx->History(AsBytes(k), 0, 0, false, tx);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), revs.size()) << k;
    for (size_t r = 0; r < revs.size(); ++r) {
      EXPECT_EQ((*h)[r].tx, revs[r]);
    }
  }
  EXPECT_EQ(idx->AtRevision(AsBytes("never"), 1, tx).status().code(), Code::kNotFound);
  EXPECT_EQ(idx->Latest(AsBytes("never"), tx).status().code(), Code::kNotFound);
  // A scan sees every key once, in key order.
  std::vector<std::string> seen;
  ASSERT_TRUE(idx->Scan(ScanSpec{}, tx, [&](const IndexedEntry& e) {
                   seen.emplace_back(e.key.begin(), e.key.end());
                   return true;
                 }).ok());
  std::vector<std::string> want;
  for (const auto& [k, revs] : tx_of_rev) want.push_back(k);
  EXPECT_EQ(seen, want);
}

TEST_F(IndexTest, SurvivesReopenAndDetectsGarbageFolder) {
  {
    auto idx = OpenIndex();
    std::vector<IndexTx> txs = {{1, {W("a"), W("b")}}, {2, {W("a")}}};
    ASSERT_TRUE(idx->Apply(txs).ok());
    ASSERT_TRUE(idx->Close().ok());
  }
  {
    auto idx = OpenIndex();
    EXPECT_EQ(idx->Watermark(), 2u);
    auto l = idx->Latest(AsBytes("a"), 2);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->revision, 2u);
  }
  // Overwrite every file with garbage: Open must report corruption, not crash.
  for (auto& f : fs::directory_iterator(dir_)) {
    if (!f.is_regular_file()) continue;
    std::ofstream(f.path(), std::ios::trunc) << "garbage";
  }
  auto r = Index::Open(dir_.string());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCorruption);
  ASSERT_TRUE(Index::Destroy(dir_.string()).ok());
  auto fresh = OpenIndex();
  EXPECT_EQ(fresh->Watermark(), 0u);
}

// A model of the index: key -> (tx -> deleted).
using Model = std::map<Bytes, std::map<uint64_t, bool>>;

std::vector<Bytes> ModelScan(const Model& m, const ScanSpec& s, uint64_t at_tx) {
  auto starts = [](const Bytes& k, const Bytes& p) {
    return k.size() >= p.size() && std::equal(p.begin(), p.end(), k.begin());
  };
  std::vector<Bytes> out;
  for (auto& [k, versions] : m) {
    if (!starts(k, s.prefix)) continue;
    if (versions.begin()->first > at_tx) continue;
    if (!s.desc) {
      if (!s.seek_key.empty() && (k < s.seek_key || (k == s.seek_key && !s.inclusive_seek))) continue;
      if (!s.end_key.empty() && (k > s.end_key || (k == s.end_key && !s.inclusive_end))) continue;
    } else {
      if (!s.seek_key.empty() && (k > s.seek_key || (k == s.seek_key && !s.inclusive_seek))) continue;
      if (!s.end_key.empty() && (k < s.end_key || (k == s.end_key && !s.inclusive_end))) continue;
    }
    out.push_back(k);
  }
  if (s.desc) std::reverse(out.begin(), out.end());
  return out;
}

TEST_F(IndexTest, ScansMatchAModel) {
  auto idx = OpenIndex();
  std::mt19937 rng(1234);
  const std::vector<uint8_t> alphabet = {0x00, 0x01, 'a', 'b', 0xFF};
  auto random_key = [&](size_t max_len) {
    Bytes k(rng() % (max_len + 1));
    for (auto& c : k) c = alphabet[rng() % alphabet.size()];
    return k;
  };
  Model model;
  std::vector<IndexTx> txs;
  for (uint64_t tx = 1; tx <= 60; ++tx) {
    IndexTx t{tx, {}};
    std::set<Bytes> seen;
    for (int i = 0, n = int(rng() % 4); i < n; ++i) {
      Bytes k = random_key(3);
      if (!seen.insert(k).second) continue;
      bool del = rng() % 5 == 0;
      IndexWrite w;
      w.key = k;
      w.deleted = del;
      w.entry_index = uint32_t(i);
      t.writes.push_back(w);
      model[k][tx] = del;
    }
    txs.push_back(std::move(t));
  }
  for (size_t i = 0; i < txs.size(); i += 7) {
    size_t n = std::min<size_t>(7, txs.size() - i);
    ASSERT_TRUE(idx->Apply(std::span(txs).subspan(i, n)).ok());
  }
  for (int iter = 0; iter < 800; ++iter) {
    ScanSpec s;
    s.prefix = random_key(1);
    if (rng() % 2) s.seek_key = random_key(3);
    if (rng() % 2) s.end_key = random_key(3);
    s.inclusive_seek = rng() % 2;
    s.inclusive_end = rng() % 2;
    s.desc = rng() % 2;
    // The model only covers seek/end keys that start with the prefix (as immudb callers do).
    auto starts = [&](const Bytes& k) {
      return k.size() >= s.prefix.size() && std::equal(s.prefix.begin(), s.prefix.end(), k.begin());
    };
    if (!s.seek_key.empty() && !starts(s.seek_key)) s.seek_key.clear();
    if (!s.end_key.empty() && !starts(s.end_key)) s.end_key.clear();
    uint64_t at_tx = 1 + rng() % 60;
    std::vector<Bytes> got;
    std::vector<IndexedEntry> entries;
    ASSERT_TRUE(idx->Scan(s, at_tx, [&](const IndexedEntry& e) {
                     got.push_back(e.key);
                     entries.push_back(e);
                     return true;
                   }).ok());
    ASSERT_EQ(got, ModelScan(model, s, at_tx)) << "iteration " << iter;
    for (auto& e : entries) {
      auto& versions = model[e.key];
      auto it = versions.upper_bound(at_tx);
      --it;
      EXPECT_EQ(e.tx, it->first);
      EXPECT_EQ(e.deleted, it->second);
      EXPECT_EQ(e.revision, uint64_t(std::distance(versions.begin(), it)) + 1);
    }
  }
  // Stopping early works.
  int visited = 0;
  ASSERT_TRUE(idx->Scan({}, 60, [&](const IndexedEntry&) { return ++visited < 3; }).ok());
  EXPECT_EQ(visited, 3);
}

TEST_F(IndexTest, LargeAndEmptyKeys) {
  auto idx = OpenIndex();
  Bytes big(1024, 0x00);
  big.back() = 0x7F;
  IndexWrite w1;
  w1.key = big;
  IndexWrite w2;
  w2.key = {};
  std::vector<IndexTx> txs = {{1, {w1, w2}}};
  ASSERT_TRUE(idx->Apply(txs).ok());
  EXPECT_TRUE(idx->Latest(big, 1).ok());
  EXPECT_TRUE(idx->Latest(Bytes{}, 1).ok());
  Bytes shorter(big.begin(), big.end() - 1);
  EXPECT_EQ(idx->Latest(shorter, 1).status().code(), Code::kNotFound);
}

// The key filter: new keys are indexed without a seek once it is ready, and revisions stay
// right whether the filter is trusted, still being built from the index at open (Apply then
// writes while the builder reads), or given up.
class IndexKeyFilterTest : public IndexTest {
 protected:
  std::unique_ptr<Index> OpenWith(IndexOptions o) {
    auto r = Index::Open(dir_.string(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }
  static bool WaitReady(const Index& idx) {
    for (int i = 0; i < 2000 && !idx.KeyFilterReady(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return idx.KeyFilterReady();
  }
  // One tx per call writing keys [from, to) of "k<i>".
  static Status Write(Index& idx, uint64_t from, uint64_t to) {
    IndexTx tx{idx.Watermark() + 1, {}};
    for (uint64_t i = from; i < to; ++i) tx.writes.push_back(W("k" + std::to_string(i)));
    return idx.Apply(std::span<const IndexTx>(&tx, 1));
  }
  static void ExpectRevision(const Index& idx, uint64_t from, uint64_t to, uint64_t revision) {
    for (uint64_t i = from; i < to; ++i) {
      auto e = idx.Latest(ToBytes("k" + std::to_string(i)), idx.Watermark());
      ASSERT_TRUE(e.ok()) << i << ": " << e.status().ToString();
      ASSERT_EQ(e->revision, revision) << "key k" << i;
    }
  }
};

TEST_F(IndexKeyFilterTest, NewKeysSkipTheSeekAndOldKeysKeepCounting) {
  IndexOptions o;
  o.key_filter_initial_keys = 1024;  // grows through several segments below
  auto idx = OpenWith(o);
  ASSERT_TRUE(idx->KeyFilterReady());  // an empty index needs no build
  for (uint64_t b = 0; b < 10; ++b) ASSERT_TRUE(Write(*idx, b * 1000, b * 1000 + 1000).ok());
  EXPECT_GE(idx->SeeksSkipped(), 9000u);  // a few false positives are seeked
  ExpectRevision(*idx, 0, 10000, 1);
  const uint64_t skipped = idx->SeeksSkipped();
  ASSERT_TRUE(Write(*idx, 0, 10000).ok());
  EXPECT_EQ(idx->SeeksSkipped(), skipped);  // every key was known: all seeked
  ExpectRevision(*idx, 0, 10000, 2);
}

TEST_F(IndexKeyFilterTest, BuiltAtOpenWhileWritesGoOn) {
  {
    auto idx = OpenIndex();
    for (uint64_t b = 0; b < 40; ++b) ASSERT_TRUE(Write(*idx, b * 1000, b * 1000 + 1000).ok());
    ASSERT_TRUE(idx->Close().ok());
  }
  IndexOptions o;
  o.key_filter_initial_keys = 1024;
  auto idx = OpenWith(o);
  // Straight away, while the builder may still be reading: old keys get revision 2.
  for (uint64_t b = 0; b < 40; b += 4) ASSERT_TRUE(Write(*idx, b * 1000, b * 1000 + 250).ok());
  ASSERT_TRUE(WaitReady(*idx));
  // Trusted now: every old key is found (revision 2 or 3), new keys are new.
  ASSERT_TRUE(Write(*idx, 0, 40000).ok());
  ASSERT_TRUE(Write(*idx, 40000, 45000).ok());
  for (uint64_t b = 0; b < 40; ++b) {
    bool touched = b % 4 == 0;
    ExpectRevision(*idx, b * 1000, b * 1000 + 250, touched ? 3 : 2);
    ExpectRevision(*idx, b * 1000 + 250, b * 1000 + 1000, 2);
  }
  ExpectRevision(*idx, 40000, 45000, 1);
  EXPECT_GE(idx->SeeksSkipped(), 4500u);
}

TEST_F(IndexKeyFilterTest, GivenUpOrTurnedOffStillCorrect) {
  for (size_t max_bytes : {size_t{0}, size_t{2000}}) {
    fs::remove_all(dir_);
    IndexOptions o;
    o.key_filter_max_bytes = max_bytes;  // 0: no filter; 2000: one 1024-key segment, then gone
    o.key_filter_initial_keys = 1024;
    auto idx = OpenWith(o);
    ASSERT_TRUE(Write(*idx, 0, 3000).ok());
    ASSERT_TRUE(Write(*idx, 0, 3000).ok());
    ExpectRevision(*idx, 0, 3000, 2);
    ASSERT_TRUE(idx->Close().ok());
  }
}

}  // namespace
}  // namespace immudb::index
