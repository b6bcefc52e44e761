// The index is derived data: deleting or corrupting its folder, or leaving txs un-indexed,
// must never change what reads answer.
#include <filesystem>
#include <fstream>

#include "db_test_util.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::DbTest;
using testing::KV;
using testing::TestSettings;

// Every read the database offers, rendered to a string, over a populated database.
std::string Snapshot(Database& db) {
  std::string out;
  auto add = [&](const std::string& s) { out += s + "\n"; };
  auto entry = [](const Entry& e) {
    std::string s = ToString(e.key) + "=" + ToString(e.value) + "@" + std::to_string(e.tx) + "#" +
                    std::to_string(e.revision);
    if (e.metadata) s += e.metadata->deleted ? "[del]" : "[md]";
    if (e.referenced_by) s += "<-" + ToString(e.referenced_by->key);
    if (e.expired) s += "[expired]";
    return s;
  };
  for (int i = 0; i < 60; ++i) {
    std::string k = "key" + std::to_string(i);
    KeyRequest g;
    g.key = B(k);
    auto e = db.Get(g);
    add(e.ok() ? entry(*e) : k + ":" + e.status().message());
    for (int64_t rev : {1, 2, -1}) {
      g.at_revision = rev;
      auto r = db.Get(g);
      add(r.ok() ? entry(*r) : k + ":" + r.status().message());
    }
    HistoryRequest h;
    h.key = B(k);
    auto hist = db.History(h);
    EXPECT_TRUE(hist.ok());
    for (auto& he : *hist) add("h " + entry(he));
  }
  for (bool desc : {false, true}) {
    ScanRequest s;
    s.desc = desc;
    auto all = db.Scan(s);
    EXPECT_TRUE(all.ok());
    for (auto& e : *all) add("s " + entry(e));
  }
  ScanRequest p;
  p.prefix = B("key1");
  auto pref = db.Scan(p);
  EXPECT_TRUE(pref.ok());
  if (pref.ok()) {
    for (auto& e : *pref) add("p " + entry(e));
  }
  add("count " + std::to_string(*db.Count(AsBytes("key"))));
  ZScanRequest z;
  z.set = B("zs");
  auto zs = db.ZScan(z);
  EXPECT_TRUE(zs.ok());
  for (auto& ze : *zs) add("z " + ToString(ze.key) + " " + std::to_string(ze.score));
  return out;
}

void Populate(Database& db) {
  for (int round = 0; round < 3; ++round) {
    SetRequest req;
    for (int i = round; i < 60; i += 2) {
      req.kvs.push_back(KV("key" + std::to_string(i), "r" + std::to_string(round)));
    }
    ASSERT_TRUE(db.Set(req).ok());
  }
  DeleteKeysRequest del;
  del.keys = {B("key4"), B("key7")};
  ASSERT_TRUE(db.Delete(del).ok());
  SetRequest exp;
  KeyValue kv = KV("key9", "expired");
  kv.metadata = KvMetadata{};
  kv.metadata->expires_at = NowUnixSeconds() - 5;
  exp.kvs = {kv};
  ASSERT_TRUE(db.Set(exp).ok());
  ReferenceRequest ref;
  ref.key = B("key59ref");
  ref.referenced_key = B("key3");
  ASSERT_TRUE(db.SetReference(ref).ok());
  for (int i = 0; i < 5; ++i) {
    ZAddRequest z;
    z.set = B("zs");
    z.key = B("key" + std::to_string(10 + i));
    z.score = 10 - i;
    ASSERT_TRUE(db.ZAdd(z).ok());
  }
  for (int i = 0; i < 40; ++i) {
    SetRequest one;
    one.kvs = {KV("key" + std::to_string(i % 13), "late" + std::to_string(i))};
    ASSERT_TRUE(db.Set(one).ok());
  }
}

TEST_F(DbTest, DeletedIndexFolderIsRebuiltWithIdenticalAnswers) {
  Open();
  Populate(*db_);
  std::string before = Snapshot(*db_);
  uint64_t last = db_->CurrentState().tx_id;
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  std::filesystem::remove_all(std::filesystem::path(dir_) / "index");
  Open();
  EXPECT_EQ(db_->IndexWatermark(), last);
  EXPECT_EQ(db_->index_open_report().caught_up_txs, last);
  EXPECT_EQ(Snapshot(*db_), before);
}

TEST_F(DbTest, CorruptIndexFolderIsRebuilt) {
  Open();
  Populate(*db_);
  std::string before = Snapshot(*db_);
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  for (auto& f : std::filesystem::directory_iterator(std::filesystem::path(dir_) / "index")) {
    if (f.is_regular_file()) std::ofstream(f.path(), std::ios::trunc) << "not rocksdb";
  }
  Open();
  EXPECT_TRUE(db_->index_open_report().rebuilt);
  EXPECT_EQ(Snapshot(*db_), before);
}

TEST_F(DbTest, IndexCatchesUpUnindexedTxsOnOpen) {
  namespace fs = std::filesystem;
  Open();
  Populate(*db_);
  uint64_t mid = db_->CurrentState().tx_id;
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  // Keep the index as it was at `mid`, write more, then put the old index back: the
  // database must index the missing txs at open.
  fs::path index_dir = fs::path(dir_) / "index", saved = fs::path(dir_ + "_saved_index");
  fs::remove_all(saved);
  fs::copy(index_dir, saved, fs::copy_options::recursive);
  Open();
  Populate(*db_);
  std::string full = Snapshot(*db_);
  uint64_t last = db_->CurrentState().tx_id;
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  fs::remove_all(index_dir);
  fs::rename(saved, index_dir);
  Open();
  EXPECT_FALSE(db_->index_open_report().rebuilt);
  EXPECT_EQ(db_->index_open_report().caught_up_txs, last - mid);
  EXPECT_EQ(Snapshot(*db_), full);
}

}  // namespace
}  // namespace immudb::db
