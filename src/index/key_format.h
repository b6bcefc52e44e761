// Layout of the index's RocksDB keys. Constants and pure encoders only.
//
// Every RocksDB key starts with one record-type byte:
//   kMetaRecord     0x00 ‖ name                          -> meta values (watermark, format)
//   kVersionRecord  0x01 ‖ Esc(storeKey) ‖ 00 01 ‖ u64(~tx) -> VersionValue (version_value.h)
//   kRevisionRecord 0x02 ‖ Esc(storeKey) ‖ 00 01 ‖ u64(rev) -> u64(tx), only for the
//                   revisions 1, 1+K, 1+2K, ... (K = kRevisionCheckpointEvery): a
//                   revision r is found from the checkpoint at or below it plus at most
//                   K-1 steps over the key's version records, and indexing a write costs
//                   two RocksDB puts instead of three (the memtable inserts dominate it)
//   kCountRecord    0x03 ‖ Esc(storeKey) ‖ 00 01           -> u64(latest rev) ‖ u64(its tx)
// Esc() doubles every 0x00 byte as 00 FF; the terminator 00 01 therefore sorts before any
// continuation of the key, so records of one key are contiguous and keys keep their
// lexicographic order. Storing ~tx makes newer versions sort first: "latest version at or
// before tx N" is a single Seek to Esc(key) ‖ 00 01 ‖ u64(~N).
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"

namespace immudb::index {

inline constexpr uint8_t kMetaRecord = 0x00;
inline constexpr uint8_t kVersionRecord = 0x01;
inline constexpr uint8_t kRevisionRecord = 0x02;
inline constexpr uint8_t kCountRecord = 0x03;

// Appends Esc(key) ‖ 00 01 to out.
void AppendEscapedKey(Bytes& out, ByteView key);

// record ‖ Esc(key) ‖ 00 01: the common prefix of all records of `key`.
Bytes KeyRecordsPrefix(uint8_t record, ByteView key);

// record ‖ Esc(key) ‖ 00 01 ‖ u64(~tx).
Bytes VersionKey(ByteView key, uint64_t tx);

// record ‖ Esc(key) ‖ 00 01 ‖ u64(rev).
Bytes RevisionKey(ByteView key, uint64_t revision);

// 0x03 ‖ Esc(key) ‖ 00 01: the per-key version counter, a point lookup (bloom filtered)
// so indexing a write never needs a seek.
Bytes CountKey(ByteView key);

// record ‖ Esc(prefix) without the terminator: every record of every key that starts with
// `prefix` starts with these bytes.
Bytes EscapedPrefix(uint8_t record, ByteView prefix);

// A decoded version or revision record key.
struct DecodedRecordKey {
  Bytes key;         // the store key, unescaped
  uint64_t suffix;   // tx for version records, revision for revision records
};

// Decodes a version/revision record key; nullopt if malformed.
std::optional<DecodedRecordKey> DecodeRecordKey(ByteView record_key);

// The meta record holding the last indexed tx id.
Bytes WatermarkKey();
// The meta record holding the on-disk format version of the index.
Bytes FormatKey();
inline constexpr uint32_t kIndexFormatVersion = 3;

// Every K-th revision of a key (1, 1+K, ...) has a revision record.
inline constexpr uint64_t kRevisionCheckpointEvery = 64;
inline constexpr bool IsRevisionCheckpoint(uint64_t revision) {
  return revision > 0 && (revision - 1) % kRevisionCheckpointEvery == 0;
}

}  // namespace immudb::index
