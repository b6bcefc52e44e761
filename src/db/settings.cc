#include "db/settings.h"

#include <nlohmann/json.hpp>

namespace immudb::db {

Status DatabaseSettings::Validate() const {
  if (write_tx_header_version > 1) {
    return InvalidArgument("illegal arguments: unsupported tx header version " +
                           std::to_string(write_tx_header_version));
  }
  if (max_key_len == 0 || max_key_len > 1024 * 1024) {
    return InvalidArgument("illegal arguments: invalid max key length");
  }
  if (max_value_len == 0) return InvalidArgument("illegal arguments: invalid max value length");
  if (max_tx_entries == 0) return InvalidArgument("illegal arguments: invalid max tx entries");
  if (write_tx_header_version == 0 && max_tx_entries > 65535) {
    return InvalidArgument("illegal arguments: header version 0 allows at most 65535 entries");
  }
  if (file_size < 1024 * 1024) return InvalidArgument("illegal arguments: file size too small");
  if (max_result_size == 0) return InvalidArgument("illegal arguments: invalid max result size");
  return Status::Ok();
}

std::string DatabaseSettings::ToJson() const {
  nlohmann::json j = {
      {"fileSize", file_size},
      {"maxKeyLen", max_key_len},
      {"maxValueLen", max_value_len},
      {"maxTxEntries", max_tx_entries},
      {"excludeCommitTime", exclude_commit_time},
      {"writeTxHeaderVersion", write_tx_header_version},
      {"preallocFiles", prealloc_files},
      {"synced", synced},
      {"autoload", autoload},
      {"maxResultSize", max_result_size},
      {"syncIndexing", sync_indexing},
      {"indexCacheBytes", index_cache_bytes},
      {"indexWriteBufferBytes", index_write_buffer_bytes},
  };
  return j.dump(2);
}

Result<DatabaseSettings> DatabaseSettings::FromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corruption("database settings: invalid JSON");
  DatabaseSettings s;
  auto get = [&](const char* name, auto& field) -> bool {
    auto it = j.find(name);
    if (it == j.end()) return true;
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) return false;
      field = it->template get<bool>();
    } else {
      if (!it->is_number_unsigned()) return false;
      field = it->template get<T>();
    }
    return true;
  };
  bool ok = get("fileSize", s.file_size) && get("maxKeyLen", s.max_key_len) &&
            get("maxValueLen", s.max_value_len) && get("maxTxEntries", s.max_tx_entries) &&
            get("excludeCommitTime", s.exclude_commit_time) &&
            get("writeTxHeaderVersion", s.write_tx_header_version) &&
            get("preallocFiles", s.prealloc_files) && get("synced", s.synced) &&
            get("autoload", s.autoload) && get("maxResultSize", s.max_result_size) &&
            get("syncIndexing", s.sync_indexing) && get("indexCacheBytes", s.index_cache_bytes) &&
            get("indexWriteBufferBytes", s.index_write_buffer_bytes);
  if (!ok) return Corruption("database settings: a field has the wrong type");
  IMMUDB_RETURN_IF_ERROR(s.Validate());
  return s;
}

}  // namespace immudb::db
