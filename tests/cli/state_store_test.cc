// The trusted-state files: format, per-database lines, atomic replacement, corruption.
#include <gtest/gtest.h>

#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/base64.h"
#include "client/state_store.h"

namespace immudb::client {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("immudb-state-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

schema::ImmutableState MakeState(const std::string& db, uint64_t tx, char fill) {
  schema::ImmutableState s;
  s.set_db(db);
  s.set_txid(tx);
  s.set_txhash(std::string(32, fill));
  return s;
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (std::string in : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::string enc = Base64Encode(AsBytes(in));
    Bytes dec;
    ASSERT_TRUE(Base64Decode(enc, &dec)) << enc;
    EXPECT_EQ(ToString(dec), in);
  }
  EXPECT_EQ(Base64Encode(AsBytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(AsBytes("fo")), "Zm8=");
  Bytes out;
  EXPECT_FALSE(Base64Decode("Zm8", &out));
  EXPECT_FALSE(Base64Decode("Z=8=", &out));
  EXPECT_FALSE(Base64Decode("Zm*=", &out));
}

TEST_F(StateStoreTest, MissingStateIsNone) {
  StateStore store(dir_.string());
  auto got = store.Get("uuid1", "defaultdb");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(got->has_value());
}

TEST_F(StateStoreTest, PutGetPerDatabaseAndFileFormat) {
  StateStore store(dir_.string());
  ASSERT_TRUE(store.Put("uuid1", MakeState("defaultdb", 3, 'a')).ok());
  ASSERT_TRUE(store.Put("uuid1", MakeState("otherdb", 7, 'b')).ok());
  ASSERT_TRUE(store.Put("uuid1", MakeState("defaultdb", 4, 'c')).ok());
  ASSERT_TRUE(store.Put("uuid2", MakeState("defaultdb", 1, 'd')).ok());

  auto got = store.Get("uuid1", "defaultdb");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->txid(), 4u);
  EXPECT_EQ((*got)->txhash(), std::string(32, 'c'));
  got = store.Get("uuid1", "otherdb");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->txid(), 7u);
  got = store.Get("uuid2", "defaultdb");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->txid(), 1u);

  // <db>:<base64(proto)> lines joined by '\n', no trailing newline.
  std::string text = ReadFile(store.FilePath("uuid1"));
  std::string raw;
  ASSERT_TRUE(MakeState("defaultdb", 4, 'c').SerializeToString(&raw));
  EXPECT_EQ(text, "defaultdb:" + Base64Encode(AsBytes(raw)) + "\notherdb:" +
                      [&] {
                        std::string r;
                        EXPECT_TRUE(MakeState("otherdb", 7, 'b').SerializeToString(&r));
                        return Base64Encode(AsBytes(r));
                      }());
  // The previous content is swapped into `.tmp` (RENAME_EXCHANGE), never the current one.
  if (std::filesystem::exists(store.FilePath("uuid1") + ".tmp")) {
    EXPECT_NE(ReadFile(store.FilePath("uuid1") + ".tmp"), text);
  }
}

TEST_F(StateStoreTest, CorruptFileIsReportedNotIgnored) {
  StateStore store(dir_.string());
  ASSERT_TRUE(store.Put("uuid1", MakeState("defaultdb", 3, 'a')).ok());
  {
    std::ofstream out(store.FilePath("uuid1"), std::ios::trunc);
    out << "defaultdb:!!!notbase64";
  }
  auto got = store.Get("uuid1", "defaultdb");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kCorruption);
}

TEST_F(StateStoreTest, LockIsExclusiveAcrossDescriptors) {
  StateStore store(dir_.string());
  auto lock = store.LockServer("uuid1");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  // A second open file description cannot take the flock while the first holds it.
  std::string path = store.FilePath("uuid1") + ".lock";
  std::FILE* f = std::fopen(path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(::flock(fileno(f), LOCK_EX | LOCK_NB), 0);
  *lock = StateStore::Lock();  // release
  EXPECT_EQ(::flock(fileno(f), LOCK_EX | LOCK_NB), 0);
  std::fclose(f);
}

// In memory: per-server, per-database states, nothing written to any folder, and a lock
// that a second taker waits for and that another thread may release (as an asynchronous
// verified call's callback does).
TEST_F(StateStoreTest, InMemoryKeepsStatesWithoutFilesAndLocksAcrossThreads) {
  StateStore store = StateStore::InMemory();
  EXPECT_TRUE(store.in_memory());
  auto none = store.Get("uuid1", "defaultdb");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store.Put("uuid1", MakeState("defaultdb", 3, 'a')).ok());
  ASSERT_TRUE(store.Put("uuid1", MakeState("other", 5, 'b')).ok());
  ASSERT_TRUE(store.Put("uuid2", MakeState("defaultdb", 9, 'c')).ok());
  ASSERT_TRUE(store.Put("uuid1", MakeState("defaultdb", 4, 'd')).ok());
  auto a = store.Get("uuid1", "defaultdb");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->txid(), 4u);
  EXPECT_EQ((*a)->txhash(), std::string(32, 'd'));
  auto b = store.Get("uuid1", "other");
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->txid(), 5u);
  auto c = store.Get("uuid2", "defaultdb");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->txid(), 9u);
  EXPECT_FALSE(std::filesystem::exists(dir_));
  StateStore copy = store;  // copies share the states
  auto d = copy.Get("uuid2", "defaultdb");
  ASSERT_TRUE(d.ok() && d->has_value());

  auto lock = store.LockServer("uuid1");
  ASSERT_TRUE(lock.ok());
  std::atomic<bool> second_taken{false};
  std::thread taker([&] {
    auto l2 = store.LockServer("uuid1");
    EXPECT_TRUE(l2.ok());
    second_taken = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(second_taken.load());
  // Released on another thread than the one that took it.
  std::thread releaser([l = std::move(*lock)]() mutable { l = StateStore::Lock(); });
  releaser.join();
  taker.join();
  EXPECT_TRUE(second_taken.load());
  EXPECT_TRUE(store.LockServer("uuid1").ok());  // free again
}

}  // namespace
}  // namespace immudb::client
