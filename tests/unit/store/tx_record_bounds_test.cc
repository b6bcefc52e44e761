// Regression (found by fuzz/store_records_fuzzer): a tx record whose checksum is right but
// whose entry count is huge (CRC32C is no defence against a deliberate edit) made the
// decoder reserve room for 2^32-1 entries up front (~340 GB) and throw std::bad_alloc out
// of the store. It must be a Corruption status naming the missing entry.
#include <gtest/gtest.h>

#include "ledger/tx.h"
#include "store/crc32c.h"
#include "store/log_format.h"
#include "store/store.h"
#include "store/tx_record.h"

namespace immudb::store {
namespace {

TEST(TxRecordBoundsTest, HugeEntryCountWithValidChecksumIsCorruptionNotAllocation) {
  ledger::TxHeader h;
  h.id = 1;
  h.prev_alh = ledger::GenesisAlh();
  h.n_entries = 0;
  Bytes rec;
  AppendTxRecord(h, ByteView(), {}, {}, {}, &rec);
  // n_entries sits after id, ts, bl_tx_id, bl_root, prev_alh, version and txmd_len (empty).
  const size_t n_entries_at = format::kTxRecordHeaderSize + 8 + 8 + 8 + 32 + 32 + 2 + 2;
  PutU32(rec.data() + n_entries_at, 0xffffffffu);
  ByteView payload = ByteView(rec).subspan(format::kTxRecordHeaderSize);
  PutU32(rec.data() + 4, crc32c::Mask(crc32c::Value(payload)));
  Tx tx;
  Status st;
  EXPECT_NO_THROW(st = DecodeTxRecord(rec, "test", &tx));
  EXPECT_EQ(st.code(), Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("truncated entry 0"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace immudb::store
