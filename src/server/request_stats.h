// Per-database request accounting for DatabaseHealth: calls in flight and the time the last
// one completed (Unix milliseconds).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace immudb::server {

class RequestStats {
 public:
  // Counts one call on `database` for as long as it lives.
  class Scope {
   public:
    Scope(RequestStats* stats, std::string database);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    RequestStats* stats_;
    std::string database_;
  };

  Scope Begin(const std::string& database) { return Scope(this, database); }

  struct Snapshot {
    uint32_t pending = 0;
    int64_t last_completed_unix_ms = 0;  // 0 = none yet
  };
  Snapshot Get(const std::string& database) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Snapshot> dbs_;
};

}  // namespace immudb::server
