// Fuzzes the decoders of the store's on-disk records, the bytes a damaged or hostile data
// folder hands to recovery: tx log records (DecodeTxRecord) and commit log records
// (DecodeCommitRecord). CRC32C is not a defence against a deliberate change, so the harness
// can frame fuzzed payloads with a correct length and checksum to reach the payload parser.
// Property: no crash, no sanitizer report, no unbounded allocation, and every accepted
// record re-encodes to exactly the bytes it was decoded from.
//
// Input: byte 0 selects the mode (low 2 bits), the rest is the record or payload.
//   0: a raw tx record (framing as given)   1: a tx payload, framed by the harness
//   2: a raw 64-byte commit record          3: 60 bytes, checksum added by the harness
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_init.h"
#include "store/commit_log.h"
#include "store/crc32c.h"
#include "store/log_format.h"
#include "store/store.h"
#include "store/tx_record.h"

namespace {

using namespace immudb;
using namespace immudb::store;

void CheckTxRoundTrip(ByteView record, const Tx& tx) {
  auto txmd = tx.header.metadata.Encode();
  FUZZ_CHECK(txmd.ok(), "decoded tx metadata does not encode");
  std::vector<Bytes> mds;
  std::vector<uint64_t> offsets;
  for (size_t i = 0; i < tx.entries.size(); ++i) {
    mds.push_back(tx.entries[i].metadata.Encode());
    offsets.push_back(tx.value_refs[i].offset);
    FUZZ_CHECK(tx.value_refs[i].length == tx.entries[i].value_len, "value ref length");
    FUZZ_CHECK(tx.value_refs[i].hash == tx.entries[i].value_hash, "value ref hash");
  }
  FUZZ_CHECK(tx.entries.size() == tx.header.n_entries, "entry count");
  Bytes out;
  size_t n = AppendTxRecord(tx.header, *txmd, tx.entries, mds, offsets, &out);
  FUZZ_CHECK(n == record.size() && out.size() == record.size(), "re-encoded size differs");
  FUZZ_CHECK(std::memcmp(out.data(), record.data(), record.size()) == 0,
             "re-encoded tx record differs");
}

void FuzzTxRecord(ByteView record) {
  Tx tx;
  if (DecodeTxRecord(record, "fuzz", &tx).ok()) CheckTxRoundTrip(record, tx);
}

void FuzzCommitRecord(const uint8_t* rec) {
  CommitRecord r;
  if (!DecodeCommitRecord(rec, &r)) return;
  uint8_t out[format::kCommitRecordSize];
  EncodeCommitRecord(r, out);
  FUZZ_CHECK(std::memcmp(out, rec, sizeof(out)) == 0, "re-encoded commit record differs");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0] & 3;
  ByteView rest(data + 1, size - 1);
  switch (mode) {
    case 0:
      FuzzTxRecord(rest);
      break;
    case 1: {
      if (rest.size() > UINT32_MAX) return 0;
      Bytes rec(format::kTxRecordHeaderSize + rest.size());
      PutU32(rec.data(), static_cast<uint32_t>(rest.size()));
      PutU32(rec.data() + 4, crc32c::Mask(crc32c::Value(rest)));
      std::copy(rest.begin(), rest.end(), rec.begin() + format::kTxRecordHeaderSize);
      FuzzTxRecord(rec);
      break;
    }
    case 2:
      if (rest.size() < format::kCommitRecordSize) return 0;
      FuzzCommitRecord(rest.data());
      break;
    case 3: {
      if (rest.size() < 60) return 0;
      uint8_t rec[format::kCommitRecordSize];
      std::memcpy(rec, rest.data(), 60);
      PutU32(rec + 60, crc32c::Mask(crc32c::Value(rec, 60)));
      FuzzCommitRecord(rec);
      break;
    }
  }
  return 0;
}
