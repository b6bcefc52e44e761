// How the database layer encodes its data as store keys and values (PROTOCOL.md section 3).
// These bytes enter entry digests, so they must match immudb byte for byte.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"

namespace immudb::db {

// First byte of every store key.
inline constexpr uint8_t kSetKeyPrefix = 0x00;        // plain KV and reference keys
inline constexpr uint8_t kSortedSetKeyPrefix = 0x01;  // sorted-set members
inline constexpr uint8_t kSqlKeyPrefix = 0x02;        // SQL engine
inline constexpr uint8_t kDocumentKeyPrefix = 0x03;   // document engine

// First byte of every store value under kSetKeyPrefix.
inline constexpr uint8_t kPlainValuePrefix = 0x00;
inline constexpr uint8_t kReferenceValuePrefix = 0x01;

// 0x00 ‖ key.
Bytes EncodeKey(ByteView user_key);
// prefix ‖ bytes.
Bytes WrapWithPrefix(ByteView b, uint8_t prefix);
// 0x00 ‖ value.
Bytes EncodePlainValue(ByteView user_value);
// 0x01 ‖ u64(at_tx) ‖ 0x00 ‖ referenced_key.
Bytes EncodeReferenceValue(ByteView referenced_user_key, uint64_t at_tx);

// A parsed reference value.
struct ReferenceValue {
  uint64_t at_tx = 0;
  Bytes referenced_key;  // store key of the target (0x00 ‖ user key)
};
// Parses a store value starting with 0x01; Corruption if too short.
Result<ReferenceValue> ParseReferenceValue(ByteView store_value);

// 0x01 ‖ u64(len(set)) ‖ set: the common prefix of every member of `set`.
Bytes SortedSetPrefix(ByteView set);
// 0x01 ‖ u64(len(set)) ‖ set ‖ f64(score) ‖ u64(len(0x00‖key)) ‖ 0x00 ‖ key ‖ u64(at_tx).
Bytes EncodeZAddKey(ByteView set, double score, ByteView user_key, uint64_t at_tx);

// A parsed sorted-set member key.
struct ZAddKey {
  Bytes set;
  double score = 0;
  Bytes member_key;  // store key of the member (0x00 ‖ user key)
  uint64_t at_tx = 0;
};
// Parses EncodeZAddKey output; Corruption if malformed.
Result<ZAddKey> ParseZAddKey(ByteView store_key);

}  // namespace immudb::db
