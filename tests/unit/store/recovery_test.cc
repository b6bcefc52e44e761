// Recovery from torn writes: a crash image whose files are cut at every byte of their last
// record opens, keeps every acknowledged transaction and loses only unacknowledged ones;
// cutting into a record that a durable commit record vouches for is Corruption.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/dual_proof.h"
#include "ledger/ahtree.h"
#include "store/fault_injection_env.h"
#include "store/log_format.h"
#include "store/store.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::CopyDir;
using testing::Entries;
using testing::TempDir;
namespace fs = std::filesystem;

constexpr uint64_t kSegment = 64 << 10;

Options TornOptions(Env* env = nullptr) {
  Options o = testing::SmallOptions();
  o.segment_size = kSegment;  // every stream fits in its first segment
  o.env = env;
  return o;
}

std::string SegmentFile(const std::string& dir, std::string_view stream) {
  return dir + "/" + std::string(stream) + "/00000000.seg";
}

// A crash image: txs 1..kAcked acknowledged, then tx kAcked+1 whose values, tx record and
// ahtree nodes were written but whose commit record was not (its commit-log write failed).
class TornWriteTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kAcked = 10;

  void SetUp() override {
    FaultInjectionEnv env(Env::Default());
    auto s = Store::Open(live_.path(), TornOptions(&env));
    ASSERT_TRUE(s.ok());
    for (uint64_t i = 1; i <= kAcked; ++i) {
      auto r = (*s)->Commit(Entries("t" + std::to_string(i), 1));
      ASSERT_TRUE(r.ok());
      acked_.push_back(*r);
    }
    env.AddRule({FaultOp::kWrite, "/commit/", 0, 1, FaultKind::kIoError});
    auto lost = (*s)->Commit(Entries("unacked", 1));
    ASSERT_FALSE(lost.ok());
    image_ = scratch_.Sub("image");
    CopyDir(live_.path(), image_);
    (*s).reset();
  }

  // The image with `stream`'s first segment cut to `size` bytes, opened.
  Result<std::unique_ptr<Store>> OpenCut(std::string_view stream, uint64_t size) {
    std::string work = scratch_.Sub("w" + std::to_string(n_++));
    CopyDir(image_, work);
    fs::resize_file(SegmentFile(work, stream), size);
    return Store::Open(work, TornOptions());
  }

  // Checks that the store holds exactly txs 1..n of acked_, verifiably.
  void ExpectPrefix(Store& s, uint64_t n) {
    ASSERT_EQ(s.CurrentState().tx_id, n);
    for (uint64_t id = 1; id <= n; ++id) {
      auto tx = s.ReadTx(id);
      ASSERT_TRUE(tx.ok()) << tx.status().ToString();
      EXPECT_EQ(tx->header, acked_[id - 1].header);
      EXPECT_EQ(tx->alh, acked_[id - 1].alh);
    }
    if (n > 0) {
      EXPECT_EQ(s.CurrentState().alh, acked_[n - 1].alh);
      auto p = s.DualProof(1, n);
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(ledger::VerifyDualProof(*p, 1, n, acked_[0].alh, acked_[n - 1].alh).ok());
    }
    Status v = s.Verify();
    EXPECT_TRUE(v.ok()) << v.ToString();
  }

  TempDir live_;
  TempDir scratch_;
  std::string image_;
  std::vector<CommitResult> acked_;
  int n_ = 0;
};

TEST_F(TornWriteTest, ImageOpensWithTheAcknowledgedTxsOnly) {
  auto s = Store::Open(image_, TornOptions());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectPrefix(**s, kAcked);
  auto next = (*s)->Commit(Entries("next", 1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->header.id, kAcked + 1);
  EXPECT_EQ(next->header.prev_alh, acked_.back().alh);
}

TEST_F(TornWriteTest, CommitLogCutInsideItsLastRecord) {
  // The last record is tx kAcked's: cut inside it, the tx was not durable, so it is gone.
  const uint64_t start = format::kSegmentHeaderSize + (kAcked - 1) * format::kCommitRecordSize;
  for (uint64_t size = start; size <= start + format::kCommitRecordSize; ++size) {
    auto s = OpenCut(format::kCommitLogDir, size);
    ASSERT_TRUE(s.ok()) << size << ": " << s.status().ToString();
    ExpectPrefix(**s, size == start + format::kCommitRecordSize ? kAcked : kAcked - 1);
  }
}

TEST_F(TornWriteTest, TxLogCutInsideTheUncommittedRecord) {
  uint64_t end_acked = 0, end_all = 0;
  // The unacknowledged tx record starts where the acknowledged ones end; committing the same
  // tx on a copy gives its commit record, hence its size.
  {
    std::string work = scratch_.Sub("bounds");
    CopyDir(image_, work);
    auto s = Store::Open(work, TornOptions());
    ASSERT_TRUE(s.ok());
    auto r = (*s)->Commit(Entries("unacked", 1));
    ASSERT_TRUE(r.ok());
    (*s).reset();
    Bytes rec(format::kCommitRecordSize);
    auto f = Env::Default()->OpenFile(SegmentFile(work, format::kCommitLogDir), false);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Read(format::kSegmentHeaderSize + kAcked * format::kCommitRecordSize,
                           rec.size(), rec.data()).ok());
    end_acked = GetU64(rec.data() + 8);
    end_all = end_acked + GetU32(rec.data() + 16);
  }
  ASSERT_GT(end_all, end_acked);
  for (uint64_t off = end_acked; off <= end_all; ++off) {
    auto s = OpenCut(format::kTxLogDir, format::kSegmentHeaderSize + off);
    ASSERT_TRUE(s.ok()) << off << ": " << s.status().ToString();
    ExpectPrefix(**s, kAcked);
  }
  // Cutting into the last acknowledged record is damage to committed data.
  auto s = OpenCut(format::kTxLogDir, format::kSegmentHeaderSize + end_acked - 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorruption);
  EXPECT_NE(s.status().message().find("tx/00000000.seg"), std::string::npos)
      << s.status().message();
}

TEST_F(TornWriteTest, ValueLogCutInsideTheUncommittedValue) {
  const uint64_t end_acked = acked_.back().value_refs.back().offset +
                             acked_.back().value_refs.back().length;
  const uint64_t end_all = end_acked + std::string("unacked-v0").size();
  for (uint64_t off = end_acked; off <= end_all; ++off) {
    auto s = OpenCut(format::kValueLogDir, format::kSegmentHeaderSize + off);
    ASSERT_TRUE(s.ok()) << off << ": " << s.status().ToString();
    ExpectPrefix(**s, kAcked);
    for (const CommitResult& r : acked_) {
      EXPECT_TRUE((*s)->ReadValue(r.value_refs[0]).ok());
    }
  }
  // Open does not re-hash values (that is Verify's job), but reading a cut value fails.
  auto s = OpenCut(format::kValueLogDir, format::kSegmentHeaderSize + end_acked - 1);
  ASSERT_TRUE(s.ok());
  auto v = (*s)->ReadValue(acked_.back().value_refs[0]);
  EXPECT_EQ(v.status().code(), Code::kCorruption);
  EXPECT_EQ((*s)->Verify().code(), Code::kCorruption);
}

TEST_F(TornWriteTest, AhtNodesCutAnywhereAfterTheCheckpointAreRebuilt) {
  // The image has no checkpoint beyond tx 0, so every node is derived data.
  // Every offset of the last two leaves' nodes, and a coarse sweep below them.
  const uint64_t all = ledger::ahtree::NodeCount(kAcked + 1) * format::kAhtNodeSize;
  const uint64_t last_two = ledger::ahtree::NodeCount(kAcked - 1) * format::kAhtNodeSize;
  for (uint64_t off = 0; off <= all; off += off < last_two ? 29 : 1) {
    auto s = OpenCut(format::kAhtNodesDir, format::kSegmentHeaderSize + off);
    ASSERT_TRUE(s.ok()) << off << ": " << s.status().ToString();
    ExpectPrefix(**s, kAcked);
  }
}

TEST_F(TornWriteTest, CutBelowACheckpointIsCorruption) {
  std::string work = scratch_.Sub("ckpt");
  CopyDir(image_, work);
  {
    auto s = Store::Open(work, TornOptions());  // recovery checkpoints tx kAcked
    ASSERT_TRUE(s.ok());
  }
  std::string cut = scratch_.Sub("ckpt-cut");
  CopyDir(work, cut);
  fs::resize_file(SegmentFile(cut, format::kCommitLogDir),
                  format::kSegmentHeaderSize + kAcked * format::kCommitRecordSize - 1);
  auto s = Store::Open(cut, TornOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kCorruption);
  EXPECT_NE(s.status().message().find("CHECKPOINT"), std::string::npos) << s.status().message();

  std::string cut2 = scratch_.Sub("ckpt-cut2");
  CopyDir(work, cut2);
  fs::resize_file(SegmentFile(cut2, format::kAhtNodesDir), format::kSegmentHeaderSize + 40);
  auto s2 = Store::Open(cut2, TornOptions());
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace immudb::store
