// What the index keeps about one version of one key, and its on-disk value encoding.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"

namespace immudb::index {

// One write of a key in a tx, as handed to the index by the database layer.
struct IndexWrite {
  Bytes key;                       // store key (with its 1-byte type prefix)
  uint32_t entry_index = 0;        // position of the entry inside its tx
  bool deleted = false;            // KV metadata: deleted
  std::optional<uint64_t> expires_at;  // KV metadata: expiresAt (Unix seconds)
  Bytes metadata;                  // encoded KV metadata (PROTOCOL 2.2); may be empty
  uint32_t value_len = 0;          // length of the store value
  std::array<uint8_t, 32> value_hash{};  // SHA-256 of the store value
  Bytes value_ref;                 // opaque locator the database layer uses to read the value
  Bytes inline_value;              // optional copy of the store value (small values only)
  bool has_inline_value = false;
};

// All indexable writes of one committed tx.
struct IndexTx {
  uint64_t tx = 0;
  std::vector<IndexWrite> writes;
};

// One indexed version of a key, as returned by reads.
struct IndexedEntry {
  Bytes key;                       // store key
  uint64_t tx = 0;                 // tx that wrote this version
  uint64_t revision = 0;           // 1-based version number of the key
  uint32_t entry_index = 0;
  bool deleted = false;
  std::optional<uint64_t> expires_at;
  Bytes metadata;
  uint32_t value_len = 0;
  std::array<uint8_t, 32> value_hash{};
  Bytes value_ref;
  Bytes inline_value;
  bool has_inline_value = false;

  // True if the version is expired at Unix time `now_seconds`.
  bool ExpiredAt(uint64_t now_seconds) const {
    return expires_at.has_value() && *expires_at <= now_seconds;
  }
};

// Serialises the per-version value stored under a version record key.
Bytes EncodeVersionValue(const IndexWrite& w, uint64_t revision);

// Parses a version value into `out` (key and tx are filled by the caller).
Status DecodeVersionValue(ByteView value, IndexedEntry* out);

}  // namespace immudb::index
