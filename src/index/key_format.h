// Layout of the index's RocksDB keys. Constants and pure encoders only.
//
// Every RocksDB key starts with one record-type byte:
//   kMetaRecord     0x00 ‖ name                          -> meta values (watermark, format)
//   kVersionRecord  0x01 ‖ Esc(storeKey) ‖ 00 01 ‖ u64(~tx) -> VersionValue (version_value.h),
//                   which carries the version's revision
//   kRevisionRecord 0x02 ‖ Esc(storeKey) ‖ 00 01 ‖ u64(rev) -> u64(tx), only for the
//                   revisions 1+K, 1+2K, ... (K = kRevisionCheckpointEvery): a revision r
//                   is found from the checkpoint at or below it (or, below 1+K, from the
//                   key's oldest version) plus at most K-1 steps over its version records
// Indexing a new key therefore costs one RocksDB put, and a key's current revision is its
// newest version record: a prefix Seek that the prefix bloom filters answer for new keys
// (the memtable inserts and their flushes and compactions dominate indexing).
// Esc() doubles every 0x00 byte as 00 FF; the terminator 00 01 therefore sorts before any
// continuation of the key, so records of one key are contiguous and keys keep their
// lexicographic order. Storing ~tx makes newer versions sort first: "latest version at or
// before tx N" is a single Seek to Esc(key) ‖ 00 01 ‖ u64(~N). Every version and revision
// record key is its key's records prefix (KeyRecordsPrefix) plus 8 bytes: RocksDB's prefix
// extractor cuts those 8 bytes off.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"

namespace immudb::index {

inline constexpr uint8_t kMetaRecord = 0x00;
inline constexpr uint8_t kVersionRecord = 0x01;
inline constexpr uint8_t kRevisionRecord = 0x02;

// Appends Esc(key) ‖ 00 01 to out.
void AppendEscapedKey(Bytes& out, ByteView key);

// record ‖ Esc(key) ‖ 00 01: the common prefix of all records of `key`.
Bytes KeyRecordsPrefix(uint8_t record, ByteView key);

// record ‖ Esc(key) ‖ 00 01 ‖ u64(~tx).
Bytes VersionKey(ByteView key, uint64_t tx);

// record ‖ Esc(key) ‖ 00 01 ‖ u64(rev).
Bytes RevisionKey(ByteView key, uint64_t revision);

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
inline constexpr uint32_t kIndexFormatVersion = 4;

// Every K-th revision of a key after the first (1+K, 1+2K, ...) has a revision record.
inline constexpr uint64_t kRevisionCheckpointEvery = 64;
inline constexpr bool IsRevisionCheckpoint(uint64_t revision) {
  return revision > 1 && (revision - 1) % kRevisionCheckpointEvery == 0;
}

// Bytes every version and revision record key carries after its key's records prefix.
inline constexpr size_t kRecordSuffixSize = 8;

}  // namespace immudb::index
