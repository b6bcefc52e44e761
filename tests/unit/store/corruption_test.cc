// Corruption: a flipped byte anywhere in the committed content of any file is detected,
// with a Corruption status, at open, when read, or by Verify(); never silently accepted
// and never "repaired" by dropping committed transactions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/ahtree.h"
#include "store/log_format.h"
#include "store/store.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::CopyDir;
using testing::Entries;
using testing::TempDir;

constexpr uint64_t kSegment = 64 << 10;
constexpr uint64_t kTxs = 12;

Options CorruptOptions() {
  Options o = testing::SmallOptions();
  o.segment_size = kSegment;
  return o;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x20));
}

// Where the damage was noticed.
enum class Detected { kNo, kOpen, kRead, kVerify };

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(base_.path(), CorruptOptions());
    ASSERT_TRUE(s.ok());
    for (uint64_t i = 1; i <= kTxs; ++i) {
      auto r = (*s)->Commit(Entries("c" + std::to_string(i), 1 + int(i % 3)));
      ASSERT_TRUE(r.ok());
      results_.push_back(*r);
    }
    value_end_ = results_.back().value_refs.back().offset + results_.back().value_refs.back().length;
    ASSERT_TRUE((*s)->Close().ok());
    // The tx log ends where the last commit record says its tx record ends.
    std::ifstream commit(base_.path() + "/commit/00000000.seg", std::ios::binary);
    Bytes rec(format::kCommitRecordSize);
    commit.seekg(format::kSegmentHeaderSize + (kTxs - 1) * format::kCommitRecordSize);
    commit.read(reinterpret_cast<char*>(rec.data()), rec.size());
    ASSERT_TRUE(commit.good());
    tx_end_ = GetU64(rec.data() + 8) + GetU32(rec.data() + 16);
  }

  // Copies the clean store, flips one byte of `file` at `offset`, and reports where the
  // damage is noticed; every failure seen must be Corruption and name a file.
  Detected FlipAndCheck(const std::string& file, uint64_t offset, std::string* message) {
    std::string work = scratch_.Sub("w" + std::to_string(n_++));
    CopyDir(base_.path(), work);
    FlipByte(work + "/" + file, offset);
    auto s = Store::Open(work, CorruptOptions());
    auto check = [&](const Status& st) {
      EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
      *message = st.message();
    };
    if (!s.ok()) {
      check(s.status());
      return Detected::kOpen;
    }
    Store& store = **s;
    if (store.CurrentState().tx_id != kTxs) {
      ADD_FAILURE() << "committed txs were dropped: " << store.CurrentState().tx_id;
      return Detected::kNo;
    }
    for (uint64_t id = 1; id <= kTxs; ++id) {
      auto tx = store.ReadTx(id);
      if (!tx.ok()) {
        check(tx.status());
        return Detected::kRead;
      }
      for (const ValueRef& ref : tx->value_refs) {
        auto v = store.ReadValue(ref);
        if (!v.ok()) {
          check(v.status());
          return Detected::kRead;
        }
      }
    }
    Status v = store.Verify();
    if (!v.ok()) {
      check(v);
      return Detected::kVerify;
    }
    return Detected::kNo;
  }

  void ExpectEveryFlipDetected(const std::string& file, uint64_t from, uint64_t to,
                               uint64_t step) {
    for (uint64_t off = from; off < to; off += step) {
      std::string message;
      Detected d = FlipAndCheck(file, off, &message);
      EXPECT_NE(d, Detected::kNo) << file << " byte " << off << " flipped, not detected";
      if (d != Detected::kNo) {
        EXPECT_TRUE(message.find("/") != std::string::npos) << "no location in: " << message;
      }
    }
  }

  TempDir base_;
  TempDir scratch_;
  std::vector<CommitResult> results_;
  uint64_t value_end_ = 0;
  uint64_t tx_end_ = 0;
  int n_ = 0;
};

TEST_F(CorruptionTest, CommitLog) {
  ExpectEveryFlipDetected("commit/00000000.seg", format::kSegmentHeaderSize,
                          format::kSegmentHeaderSize + kTxs * format::kCommitRecordSize, 5);
}

TEST_F(CorruptionTest, TxLog) {
  ExpectEveryFlipDetected("tx/00000000.seg", format::kSegmentHeaderSize,
                          format::kSegmentHeaderSize + tx_end_, 13);
}

TEST_F(CorruptionTest, ValueLog) {
  ExpectEveryFlipDetected("val/00000000.seg", format::kSegmentHeaderSize,
                          format::kSegmentHeaderSize + value_end_, 3);
}

TEST_F(CorruptionTest, AhtNodes) {
  ExpectEveryFlipDetected(
      "aht/00000000.seg", format::kSegmentHeaderSize,
      format::kSegmentHeaderSize + ledger::ahtree::NodeCount(kTxs) * format::kAhtNodeSize, 11);
}

TEST_F(CorruptionTest, SegmentHeadersStoreAndCheckpointFiles) {
  for (const char* seg : {"tx/00000000.seg", "val/00000000.seg", "commit/00000000.seg",
                          "aht/00000000.seg"}) {
    ExpectEveryFlipDetected(seg, 0, format::kSegmentHeaderSize, 3);
  }
  ExpectEveryFlipDetected("STORE", 0, format::kMetaSize, 1);
  ExpectEveryFlipDetected("CHECKPOINT", 0, format::kCheckpointSize, 1);
}

TEST_F(CorruptionTest, MessagesNameFileOffsetAndTx) {
  // A value: file, offset and tx.
  const ValueRef& ref = results_[4].value_refs[0];
  std::string message;
  EXPECT_EQ(FlipAndCheck("val/00000000.seg", format::kSegmentHeaderSize + ref.offset, &message),
            Detected::kRead);
  EXPECT_NE(message.find("val/00000000.seg at byte " +
                         std::to_string(format::kSegmentHeaderSize + ref.offset)),
            std::string::npos) << message;
  EXPECT_NE(message.find("tx 5"), std::string::npos) << message;
  // A commit record in the middle of a cleanly closed store: noticed when read.
  EXPECT_EQ(FlipAndCheck("commit/00000000.seg",
                         format::kSegmentHeaderSize + 3 * format::kCommitRecordSize + 9, &message),
            Detected::kRead);
  EXPECT_NE(message.find("commit/00000000.seg"), std::string::npos) << message;
  EXPECT_NE(message.find("tx 4"), std::string::npos) << message;
}

TEST_F(CorruptionTest, DamagedRecordAfterACrashIsNotMistakenForATornTail) {
  // Without a checkpoint covering them (a crash image), recovery scans the commit records;
  // a damaged record followed by intact ones is Corruption, not the end of the log.
  std::string work = scratch_.Sub("nockpt");
  CopyDir(base_.path(), work);
  std::filesystem::remove(work + "/CHECKPOINT");
  FlipByte(work + "/commit/00000000.seg",
           format::kSegmentHeaderSize + 6 * format::kCommitRecordSize + 30);
  auto s = Store::Open(work, CorruptOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorruption);
  EXPECT_NE(s.status().message().find("tx 7"), std::string::npos) << s.status().message();
}

TEST(CorruptionMultiSegmentTest, DamagedHeaderOfAnOlderCommitSegmentIsNotATornTail) {
  TempDir dir, scratch;
  Options o = testing::SmallOptions();  // 4 KiB segments: 64 commit records each
  {
    auto s = Store::Open(dir.path(), o);
    ASSERT_TRUE(s.ok());
    for (int i = 0; i < 200; ++i) ASSERT_TRUE((*s)->Commit(Entries("m" + std::to_string(i), 1)).ok());
  }
  for (const char* seg : {"commit/00000001.seg", "tx/00000001.seg", "aht/00000001.seg"}) {
    std::string work = scratch.Sub(std::string("w-") + seg[0]);
    CopyDir(dir.path(), work);
    std::filesystem::remove(work + "/CHECKPOINT");  // as after a crash
    FlipByte(work + "/" + seg, 2);
    auto s = Store::Open(work, o);
    ASSERT_FALSE(s.ok()) << seg;
    EXPECT_EQ(s.status().code(), Code::kCorruption) << s.status().ToString();
    EXPECT_NE(s.status().message().find(seg), std::string::npos) << s.status().message();
  }
}

}  // namespace
}  // namespace immudb::store
