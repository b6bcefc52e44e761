#include "db/catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "db_test_util.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::KV;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TempDirFor("catalog"); }
  void TearDown() override {
    cat_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(size_t max_active = 100,
            std::function<void(const std::string&)> before_open = nullptr) {
    cat_.reset();
    CatalogOptions o;
    o.data_dir = dir_;
    o.max_active_databases = max_active;
    o.default_settings = testing::TestSettings();
    o.before_open = std::move(before_open);
    auto c = Catalog::Open(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cat_ = std::move(c).value();
  }
  std::vector<std::string> Names() {
    std::vector<std::string> out;
    auto l = cat_->List();
    EXPECT_TRUE(l.ok());
    for (auto& i : *l) out.push_back(i.name);
    return out;
  }
  std::string dir_;
  std::unique_ptr<Catalog> cat_;
};

TEST(DatabaseNameTest, FollowsImmudbRules) {
  EXPECT_TRUE(ValidateDatabaseName("db1").ok());
  EXPECT_TRUE(ValidateDatabaseName("my_db_2").ok());
  EXPECT_TRUE(ValidateDatabaseName(std::string(128, 'a')).ok());
  EXPECT_EQ(ValidateDatabaseName("").message(), "database name length outside of limits");
  EXPECT_EQ(ValidateDatabaseName(std::string(129, 'a')).message(),
            "database name length outside of limits");
  EXPECT_EQ(ValidateDatabaseName("MyDb").message(), "unrecognized character in database name");
  EXPECT_EQ(ValidateDatabaseName("my db").message(), "unrecognized character in database name");
  EXPECT_EQ(ValidateDatabaseName("my-db").message(),
            "punctuation marks and symbols are not allowed in database name");
  EXPECT_EQ(ValidateDatabaseName("../etc").message(),
            "punctuation marks and symbols are not allowed in database name");
  EXPECT_EQ(ValidateDatabaseName("a+b").message(),
            "punctuation marks and symbols are not allowed in database name");
}

TEST_F(CatalogTest, FirstStartCreatesSystemAndDefault) {
  Open();
  EXPECT_EQ(Names(), (std::vector<std::string>{"defaultdb", "systemdb"}));
  auto db = cat_->Get("defaultdb");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->name(), "defaultdb");
  EXPECT_EQ((*db)->header_version(), 1);
}

TEST_F(CatalogTest, CreateListDuplicatesAndPersistence) {
  Open();
  DatabaseSettings s = testing::TestSettings(0);
  s.max_key_len = 64;
  auto r = cat_->Create("v0db", s, false, "immudb");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->already_existed);
  auto dup = cat_->Create("v0db", testing::TestSettings());
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "database already exists");
  auto again = cat_->Create("v0db", testing::TestSettings(), /*if_not_exists=*/true);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_existed);
  EXPECT_EQ(again->settings.write_tx_header_version, 0u);
  EXPECT_EQ(cat_->Create("Bad-Name", s).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(cat_->Create(std::string(129, 'x'), s).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(cat_->Create("systemdb", s).status().code(), Code::kAlreadyExists);
  // Settings apply: header version 0 and the key limit.
  auto db = cat_->Get("v0db");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->header_version(), 0);
  SetRequest req;
  req.kvs = {KV(std::string(64, 'k'), "v")};
  EXPECT_EQ((*db)->Set(req).status().message(), "max key length exceeded");
  req.kvs = {KV("k", "v")};
  auto h = (*db)->Set(req);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->version, 0);
  db->reset();
  // Reopen the catalog: everything is still there.
  Open();
  EXPECT_EQ(Names(), (std::vector<std::string>{"defaultdb", "systemdb", "v0db"}));
  auto l = cat_->List();
  ASSERT_TRUE(l.ok());
  for (auto& info : *l) {
    if (info.name != "v0db") continue;
    EXPECT_EQ(info.created_by, "immudb");
    EXPECT_TRUE(info.loaded);
    EXPECT_GT(info.disk_size, 0u);
    EXPECT_EQ(info.settings.max_key_len, 64u);
  }
  db = cat_->Get("v0db");
  ASSERT_TRUE(db.ok());
  KeyRequest g;
  g.key = B("k");
  auto e = (*db)->Get(g);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v");
  EXPECT_EQ(cat_->Get("nosuchdb").status().message(), "database does not exist");
}

TEST_F(CatalogTest, LoadUnloadDelete) {
  Open();
  ASSERT_TRUE(cat_->Create("d1", testing::TestSettings()).ok());
  {
    auto db = cat_->Get("d1");
    ASSERT_TRUE(db.ok());
    SetRequest req;
    req.kvs = {KV("a", "1")};
    ASSERT_TRUE((*db)->Set(req).ok());
  }
  EXPECT_EQ(cat_->Delete("d1").code(), Code::kFailedPrecondition);
  EXPECT_EQ(cat_->Load("d1").code(), Code::kFailedPrecondition);  // already loaded
  ASSERT_TRUE(cat_->Unload("d1").ok());
  EXPECT_EQ(cat_->Get("d1").status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(cat_->Unload("d1").ok());
  ASSERT_TRUE(cat_->Load("d1").ok());
  auto db = cat_->Get("d1");
  ASSERT_TRUE(db.ok());
  KeyRequest g;
  g.key = B("a");
  EXPECT_TRUE((*db)->Get(g).ok());
  db->reset();
  ASSERT_TRUE(cat_->Unload("d1").ok());
  ASSERT_TRUE(cat_->Delete("d1").ok());
  EXPECT_EQ(Names(), (std::vector<std::string>{"defaultdb", "systemdb"}));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir_) / "d1"));
  EXPECT_EQ(cat_->Delete("defaultdb").code(), Code::kPermissionDenied);
  EXPECT_EQ(cat_->Unload("systemdb").code(), Code::kPermissionDenied);
  EXPECT_EQ(cat_->Delete("nosuch").code(), Code::kNotFound);
  // The name can be reused after deletion.
  ASSERT_TRUE(cat_->Create("d1", testing::TestSettings()).ok());
}

TEST_F(CatalogTest, UpdateSettings) {
  Open();
  ASSERT_TRUE(cat_->Create("u", testing::TestSettings()).ok());
  auto s = cat_->GetSettings("u");
  ASSERT_TRUE(s.ok());
  DatabaseSettings n = *s;
  n.max_value_len = 10;
  ASSERT_TRUE(cat_->UpdateSettings("u", n).ok());
  auto db = cat_->Get("u");
  ASSERT_TRUE(db.ok());
  SetRequest req;
  req.kvs = {KV("k", std::string(20, 'v'))};
  EXPECT_EQ((*db)->Set(req).status().message(), "max value length exceeded");
  db->reset();
  n.write_tx_header_version = 0;
  EXPECT_EQ(cat_->UpdateSettings("u", n).status().code(), Code::kInvalidArgument);
  n.write_tx_header_version = 7;
  EXPECT_EQ(cat_->UpdateSettings("u", n).status().code(), Code::kInvalidArgument);
}

TEST_F(CatalogTest, BoundedActiveDatabasesLoseNothing) {
  Open(/*max_active=*/2);
  for (int i = 0; i < 6; ++i) {
    std::string name = "lru" + std::to_string(i);
    ASSERT_TRUE(cat_->Create(name, testing::TestSettings()).ok());
    auto db = cat_->Get(name);
    ASSERT_TRUE(db.ok());
    SetRequest req;
    req.kvs = {KV("k", name)};
    ASSERT_TRUE((*db)->Set(req).ok());
  }
  EXPECT_LE(cat_->ActiveCount(), 2u);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 6; ++i) {
      std::string name = "lru" + std::to_string(i);
      auto db = cat_->Get(name);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      KeyRequest g;
      g.key = B("k");
      auto e = (*db)->Get(g);
      ASSERT_TRUE(e.ok()) << name;
      EXPECT_EQ(ToString(e->value), name);
      EXPECT_LE(cat_->ActiveCount(), 3u);  // the one we hold may exceed the limit briefly
    }
  }
  // A database held by a caller is never closed under it.
  auto held = cat_->Get("lru0");
  ASSERT_TRUE(held.ok());
  for (int i = 1; i < 6; ++i) ASSERT_TRUE(cat_->Get("lru" + std::to_string(i)).ok());
  KeyRequest g;
  g.key = B("k");
  EXPECT_TRUE((*held)->Get(g).ok());
}

// Opening a database (which may rebuild its index) runs without the catalog's lock: while one
// open is held up, other databases are served; a second Get of the same name waits for that
// open and gets the same instance; Unload waits for the open to finish.
TEST_F(CatalogTest, OpeningOneDatabaseDoesNotBlockTheOthers) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, release = false;
  Open(100, [&](const std::string& name) {
    if (name != "slow") return;
    std::unique_lock<std::mutex> l(mu);
    entered = true;
    cv.notify_all();
    cv.wait(l, [&] { return release; });
  });
  ASSERT_TRUE(cat_->Create("slow", testing::TestSettings()).ok());
  ASSERT_EQ(cat_->ActiveCount(), 0u);

  Result<std::shared_ptr<Database>> first = NotFound("not yet"), second = NotFound("not yet");
  std::thread opener([&] { first = cat_->Get("slow"); });
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return entered; }));
  }
  // Another database is opened and written while "slow" is being opened.
  auto other = cat_->Get("defaultdb");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  SetRequest req;
  req.kvs = {KV("k", "v")};
  EXPECT_TRUE((*other)->Set(req).ok());
  // A second caller of "slow" and an Unload wait for the open in progress.
  std::atomic<bool> second_done{false}, unloaded{false};
  std::thread waiter([&] {
    second = cat_->Get("slow");
    second_done = true;
  });
  std::thread unloader([&] {
    EXPECT_TRUE(cat_->Unload("slow").ok());
    unloaded = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(second_done.load());
  EXPECT_FALSE(unloaded.load());
  {
    std::lock_guard<std::mutex> l(mu);
    release = true;
  }
  cv.notify_all();
  opener.join();
  waiter.join();
  unloader.join();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // The waiter either shared the first open or, had the Unload run first, was refused.
  if (second.ok()) {
    EXPECT_EQ(second->get(), first->get());
  } else {
    EXPECT_EQ(second.status().message(), "database is not loaded");
  }
  EXPECT_TRUE(unloaded.load());
  EXPECT_EQ(cat_->Get("slow").status().message(), "database is not loaded");
}

}  // namespace
}  // namespace immudb::db
