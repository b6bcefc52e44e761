// The store-level encodings the client rebuilds before hashing (PROTOCOL.md 3.2-3.4): user keys
// and values become store keys and values with their one-byte prefixes.
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace immudb::client {

inline constexpr uint8_t kSetKeyPrefix = 0x00;
inline constexpr uint8_t kSortedSetKeyPrefix = 0x01;
inline constexpr uint8_t kPlainValuePrefix = 0x00;
inline constexpr uint8_t kReferenceValuePrefix = 0x01;

// 0x00 || key
Bytes KvStoreKey(ByteView key);
// 0x00 || value
Bytes PlainStoreValue(ByteView value);
// 0x01 || u64(at_tx) || 0x00 || referenced_key
Bytes ReferenceStoreValue(uint64_t at_tx, ByteView referenced_key);
// 0x01 || u64(len(set)) || set || f64(score) || u64(len(key)+1) || 0x00 || key || u64(at_tx)
Bytes ZAddStoreKey(ByteView set, double score, ByteView key, uint64_t at_tx);

}  // namespace immudb::client
