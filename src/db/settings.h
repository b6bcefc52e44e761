// Per-database settings (immudb's DatabaseNullableSettings, the subset this engine honours)
// and their JSON form persisted in each database folder.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace immudb::db {

struct DatabaseSettings {
  // Store (fixed at creation: file_size, write_tx_header_version).
  uint32_t file_size = 512u << 20;        // bytes per segment file
  uint32_t max_key_len = 1024;            // store key length limit (includes the prefix byte)
  uint32_t max_value_len = 32u << 20;     // store value length limit
  uint32_t max_tx_entries = 1024;
  bool exclude_commit_time = false;       // header ts = 0
  uint32_t write_tx_header_version = 1;   // 0 or 1
  bool prealloc_files = true;
  bool synced = true;                     // fdatasync each commit group
  // Database.
  bool autoload = true;                   // load at start-up
  uint32_t max_result_size = 2500;        // cap of Scan/ZScan/History/TxScan results
  bool sync_indexing = true;              // index each commit before acknowledging it
  // Index.
  uint32_t index_cache_bytes = 32u << 20;
  // RocksDB's own default: against 32 MiB, +6 % for 1000-entry Sets over 25 s (fewer L0
  // tables for each written key's seek to probe) for ~40 MiB more resident memory under
  // write load (docs/benchmarks.md). Existing databases keep the value they were created with.
  uint32_t index_write_buffer_bytes = 64u << 20;

  // InvalidArgument if a value is out of range (header version not 0/1, zero limits...).
  Status Validate() const;
  std::string ToJson() const;
  // Parses ToJson() output; unknown fields are ignored, missing ones keep defaults.
  static Result<DatabaseSettings> FromJson(const std::string& json);
};

}  // namespace immudb::db
