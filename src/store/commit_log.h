// The commit log: one fixed-size, CRC32C-framed record per transaction, the record of tx n
// at logical offset (n-1) * kCommitRecordSize. A transaction is committed once its record
// is durable; the record says where the tx record lives, where the value log ends after
// the tx, and the tx's Alh.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/sha256.h"
#include "store/log_format.h"
#include "store/segmented_file.h"

namespace immudb::store {

struct CommitRecord {
  uint64_t tx_id = 0;
  uint64_t tx_offset = 0;      // logical offset of the tx record in the tx log
  uint32_t tx_size = 0;        // size of the tx record (framing included)
  uint64_t value_log_end = 0;  // value log offset just past this tx's values
  crypto::Digest alh{};

  uint64_t tx_end() const { return tx_offset + tx_size; }
  friend bool operator==(const CommitRecord&, const CommitRecord&) = default;
};

// Writes the kCommitRecordSize-byte encoding of r to out.
void EncodeCommitRecord(const CommitRecord& r, uint8_t* out);
// Decodes kCommitRecordSize bytes; false if the checksum does not match.
bool DecodeCommitRecord(const uint8_t* in, CommitRecord* r);

// Logical offset of tx id's record.
inline uint64_t CommitRecordOffset(uint64_t tx_id) {
  return (tx_id - 1) * format::kCommitRecordSize;
}

// Reads and checks the record of tx_id: Corruption (naming file and offset) if the checksum
// fails or the record names another tx; OutOfRange if the log does not reach it.
Result<CommitRecord> ReadCommitRecord(const SegmentedFile& log, uint64_t tx_id);

}  // namespace immudb::store
