// The two small store-wide files: STORE (format version, tx header version and segment size,
// written once at creation) and CHECKPOINT (the last synced prefix, rewritten atomically).
// Both are fixed-size, CRC32C-framed and replaced with write-temp + fsync + rename + fsync dir.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "crypto/sha256.h"
#include "store/env.h"

namespace immudb::store {

struct StoreMeta {
  int32_t header_version = 1;
  uint64_t segment_size = 0;
};

struct Checkpoint {
  uint64_t tx_id = 0;
  crypto::Digest alh{};
  crypto::Digest aht_root{};  // root(tx_id) of the ahtree; zeros when tx_id == 0
  uint64_t tx_log_end = 0;
  uint64_t value_log_end = 0;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// Writes dir/STORE atomically (durable on return).
Status WriteStoreMeta(Env* env, const std::string& dir, const StoreMeta& meta);
// Reads dir/STORE: NotFound if missing, Corruption if damaged or of an unknown version.
Result<StoreMeta> ReadStoreMeta(Env* env, const std::string& dir);

// Writes dir/CHECKPOINT atomically (durable on return).
Status WriteCheckpoint(Env* env, const std::string& dir, const Checkpoint& cp);
// Reads dir/CHECKPOINT: nullopt if missing, Corruption if damaged.
Result<std::optional<Checkpoint>> ReadCheckpoint(Env* env, const std::string& dir);

}  // namespace immudb::store
