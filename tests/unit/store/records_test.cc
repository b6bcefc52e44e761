// Record codecs on their own: commit records, tx records, STORE and CHECKPOINT files.
#include <gtest/gtest.h>

#include "ledger/tx.h"
#include "store/commit_log.h"
#include "store/log_format.h"
#include "store/store_files.h"
#include "store/tx_record.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::TempDir;

Digest D(uint8_t b) {
  Digest d;
  d.fill(b);
  return d;
}

TEST(CommitRecordTest, RoundTripsAndRejectsAnyFlippedBit) {
  CommitRecord r{7, 123456789, 4321, 987654321, D(0xab)};
  uint8_t buf[format::kCommitRecordSize];
  EncodeCommitRecord(r, buf);
  CommitRecord got;
  ASSERT_TRUE(DecodeCommitRecord(buf, &got));
  EXPECT_EQ(got, r);
  EXPECT_EQ(got.tx_end(), 123456789u + 4321u);
  for (size_t byte = 0; byte < sizeof(buf); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      buf[byte] ^= uint8_t(1 << bit);
      EXPECT_FALSE(DecodeCommitRecord(buf, &got)) << byte << ":" << bit;
      buf[byte] ^= uint8_t(1 << bit);
    }
  }
  uint8_t zeros[format::kCommitRecordSize] = {};
  EXPECT_FALSE(DecodeCommitRecord(zeros, &got));  // never-written space is not a record
}

class TxRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    header_.id = 42;
    header_.ts = 1700000000;
    header_.bl_tx_id = 41;
    header_.bl_root = D(1);
    header_.prev_alh = D(2);
    header_.version = 1;
    header_.metadata.extra = ToBytes("xyz");
    entries_.resize(3);
    for (size_t i = 0; i < entries_.size(); ++i) {
      entries_[i].key = ToBytes("key" + std::to_string(i));
      entries_[i].value_hash = D(uint8_t(10 + i));
      entries_[i].value_len = uint32_t(100 * i);
      offsets_.push_back(1000 + 100 * i);
    }
    entries_[1].metadata.expires_at = 99;
    entries_[2].metadata.deleted = true;
    for (const auto& e : entries_) mds_.push_back(e.metadata.Encode());
    header_.n_entries = 3;
    header_.eh = *ledger::ComputeEh(1, entries_);
    size_ = AppendTxRecord(header_, *header_.metadata.Encode(), entries_, mds_, offsets_, &rec_);
  }

  ledger::TxHeader header_;
  std::vector<ledger::TxEntry> entries_;
  std::vector<Bytes> mds_;
  std::vector<uint64_t> offsets_;
  Bytes rec_;
  size_t size_ = 0;
};

TEST_F(TxRecordTest, RoundTrips) {
  ASSERT_EQ(size_, rec_.size());
  Tx tx;
  ASSERT_TRUE(DecodeTxRecord(rec_, "here", &tx).ok());
  EXPECT_EQ(tx.header, header_);
  EXPECT_EQ(tx.entries, entries_);
  ASSERT_EQ(tx.value_refs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(tx.value_refs[i], (ValueRef{42, offsets_[i], entries_[i].value_len,
                                          entries_[i].value_hash}));
  }
  Tx header_only;
  ASSERT_TRUE(DecodeTxRecord(rec_, "here", &header_only, true).ok());
  EXPECT_EQ(header_only.header, header_);
  EXPECT_TRUE(header_only.entries.empty());
}

TEST_F(TxRecordTest, EveryFlippedByteAndEveryCutIsCorruption) {
  for (size_t i = 0; i < rec_.size(); ++i) {
    Bytes bad = rec_;
    bad[i] ^= 0x40;
    Tx tx;
    Status st = DecodeTxRecord(bad, "file.seg at byte 9", &tx);
    EXPECT_EQ(st.code(), Code::kCorruption) << i;
    EXPECT_NE(st.message().find("file.seg at byte 9"), std::string::npos);
  }
  for (size_t n = 0; n < rec_.size(); ++n) {
    Tx tx;
    EXPECT_EQ(DecodeTxRecord(ByteView(rec_).first(n), "x", &tx).code(), Code::kCorruption) << n;
  }
}

TEST(StoreFilesTest, MetaAndCheckpointRoundTrip) {
  TempDir dir;
  EXPECT_EQ(ReadStoreMeta(Env::Default(), dir.path()).status().code(), Code::kNotFound);
  ASSERT_TRUE(WriteStoreMeta(Env::Default(), dir.path(), {0, 4096}).ok());
  auto meta = ReadStoreMeta(Env::Default(), dir.path());
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->header_version, 0);
  EXPECT_EQ(meta->segment_size, 4096u);

  auto none = ReadCheckpoint(Env::Default(), dir.path());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Checkpoint cp{9, D(3), D(4), 777, 888};
  ASSERT_TRUE(WriteCheckpoint(Env::Default(), dir.path(), cp).ok());
  auto got = ReadCheckpoint(Env::Default(), dir.path());
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, cp);
  EXPECT_FALSE(Env::Default()->FileExists(dir.Sub("CHECKPOINT.tmp")));
}

}  // namespace
}  // namespace immudb::store
