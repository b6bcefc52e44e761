// Shared fixture for database tests: a fresh database in a temp folder.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "db/database.h"

namespace immudb::db::testing {

inline std::string TempDirFor(const std::string& tag) {
  auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  auto dir = std::filesystem::temp_directory_path() /
             ("immudb_db_" + tag + "_" + std::to_string(getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

inline DatabaseSettings TestSettings(uint32_t header_version = 1) {
  DatabaseSettings s;
  s.file_size = 8u << 20;
  s.prealloc_files = false;
  s.synced = false;
  s.write_tx_header_version = header_version;
  s.index_cache_bytes = 4u << 20;
  s.index_write_buffer_bytes = 4u << 20;
  return s;
}

// Commit tuning of the test databases: the default, or with IMMUDB_TEST_INDEX_PIPELINE_MIN_ENTRIES
// set (the db_kv_pipelined_test run of kv_test), every group of at least that many entries
// indexed on the index thread.
inline CommitTuning TestTuning() {
  CommitTuning t;
  if (const char* v = std::getenv("IMMUDB_TEST_INDEX_PIPELINE_MIN_ENTRIES")) {
    t.index_pipeline_min_entries = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
  }
  return t;
}

inline Bytes B(std::string_view s) { return ToBytes(s); }

inline KeyValue KV(std::string_view k, std::string_view v) { return {B(k), B(v), std::nullopt}; }

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TempDirFor("db"); }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(const DatabaseSettings& s = TestSettings(), const CommitTuning& t = TestTuning()) {
    db_.reset();
    auto r = Database::Open("defaultdb", dir_, s, t);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  uint64_t Set(std::string_view k, std::string_view v) {
    SetRequest req;
    req.kvs.push_back(KV(k, v));
    auto r = db_->Set(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  }
  Result<Entry> Get(std::string_view k) {
    KeyRequest req;
    req.key = B(k);
    return db_->Get(req);
  }
  std::string dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace immudb::db::testing
