#include "store/commit_log.h"

#include <algorithm>

#include "store/crc32c.h"

namespace immudb::store {

void EncodeCommitRecord(const CommitRecord& r, uint8_t* out) {
  PutU64(out, r.tx_id);
  PutU64(out + 8, r.tx_offset);
  PutU32(out + 16, r.tx_size);
  PutU64(out + 20, r.value_log_end);
  std::copy(r.alh.begin(), r.alh.end(), out + 28);
  PutU32(out + 60, crc32c::Mask(crc32c::Value(out, 60)));
}

bool DecodeCommitRecord(const uint8_t* in, CommitRecord* r) {
  if (crc32c::Unmask(GetU32(in + 60)) != crc32c::Value(in, 60)) return false;
  r->tx_id = GetU64(in);
  r->tx_offset = GetU64(in + 8);
  r->tx_size = GetU32(in + 16);
  r->value_log_end = GetU64(in + 20);
  std::copy(in + 28, in + 60, r->alh.begin());
  return true;
}

Result<CommitRecord> ReadCommitRecord(const SegmentedFile& log, uint64_t tx_id) {
  uint8_t buf[format::kCommitRecordSize];
  uint64_t off = CommitRecordOffset(tx_id);
  IMMUDB_RETURN_IF_ERROR(log.Read(off, sizeof(buf), buf));
  CommitRecord r;
  if (!DecodeCommitRecord(buf, &r)) {
    return Corruption("commit record of tx " + std::to_string(tx_id) + " fails its checksum (" +
                      log.Describe(off) + ")");
  }
  if (r.tx_id != tx_id) {
    return Corruption("commit record at " + log.Describe(off) + " names tx " +
                      std::to_string(r.tx_id) + ", expected " + std::to_string(tx_id));
  }
  return r;
}

}  // namespace immudb::store
