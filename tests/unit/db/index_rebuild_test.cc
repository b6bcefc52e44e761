// The index is derived data: deleting or corrupting its folder, or leaving txs un-indexed,
// must never change what reads answer.
#include <filesystem>
#include <fstream>

#include <sys/wait.h>

#include <cstdlib>

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

// Runs only as the child of IndexWithoutWalRecoversAfterProcessDeath: writes with a synced
// store into $IMMUDB_CRASH_CHILD_DIR and dies without closing anything.
TEST(CrashChild, WriteAndDie) {
  const char* dir = std::getenv("IMMUDB_CRASH_CHILD_DIR");
  if (dir == nullptr) GTEST_SKIP() << "only run as a child process";
  auto s = TestSettings();
  s.synced = true;
  auto db = Database::Open("defaultdb", dir, s);
  if (!db.ok()) _exit(2);
  for (int i = 0; i < 200; ++i) {
    SetRequest req;
    req.kvs = {KV("key" + std::to_string(i % 50), "v" + std::to_string(i))};
    if (!(*db)->Set(req).ok()) _exit(3);
  }
  _exit(0);  // no Close: the index memtable (no WAL) is lost
}

TEST_F(DbTest, IndexWithoutWalRecoversAfterProcessDeath) {
  // A child process (this binary, filtered to CrashChild) commits 200 txs with a synced
  // store and exits without closing: the index loses its unflushed writes, the store keeps
  // every commit. Reopening catches up and every read answers.
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string cmd = "IMMUDB_CRASH_CHILD_DIR='" + dir_ + "' '" + self +
                    "' --gtest_filter=CrashChild.WriteAndDie > /dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  ASSERT_EQ(WEXITSTATUS(rc), 0);
  auto s = TestSettings();
  s.synced = true;
  Open(s);
  EXPECT_EQ(db_->CurrentState().tx_id, 200u);
  EXPECT_EQ(db_->IndexWatermark(), 200u);
  EXPECT_GT(db_->index_open_report().caught_up_txs, 0u);  // the child's index writes were lost
  for (int k = 0; k < 50; ++k) {
    KeyRequest g;
    g.key = B("key" + std::to_string(k));
    auto e = db_->Get(g);
    ASSERT_TRUE(e.ok()) << k;
    EXPECT_EQ(ToString(e->value), "v" + std::to_string(150 + k));
    EXPECT_EQ(e->revision, 4u);
  }
}

TEST_F(DbTest, IndexAheadOfStoreIsRebuilt) {
  namespace fs = std::filesystem;
  Open();
  for (int i = 0; i < 5; ++i) Set("k" + std::to_string(i), "old");
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  fs::path store_dir = fs::path(dir_) / "store", saved = fs::path(dir_ + "_saved_store");
  fs::remove_all(saved);
  fs::copy(store_dir, saved, fs::copy_options::recursive);
  Open();
  for (int i = 0; i < 5; ++i) Set("k" + std::to_string(i), "new");
  Set("only_new", "x");
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  // Put the older store back (as if unsynced commits were lost): the index is ahead of it.
  fs::remove_all(store_dir);
  fs::rename(saved, store_dir);
  Open();
  EXPECT_TRUE(db_->index_open_report().rebuilt);
  EXPECT_EQ(db_->IndexWatermark(), 5u);
  auto e = Get("k3");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "old");
  EXPECT_EQ(e->revision, 1u);
  EXPECT_EQ(Get("only_new").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace immudb::db
