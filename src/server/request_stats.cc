#include "server/request_stats.h"

#include <chrono>

namespace immudb::server {

RequestStats::Scope::Scope(RequestStats* stats, std::string database)
    : stats_(stats), database_(std::move(database)) {
  std::lock_guard<std::mutex> lock(stats_->mu_);
  ++stats_->dbs_[database_].pending;
}

RequestStats::Scope::~Scope() {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::lock_guard<std::mutex> lock(stats_->mu_);
  Snapshot& s = stats_->dbs_[database_];
  --s.pending;
  s.last_completed_unix_ms = now;
}

RequestStats::Snapshot RequestStats::Get(const std::string& database) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dbs_.find(database);
  return it == dbs_.end() ? Snapshot{} : it->second;
}

}  // namespace immudb::server
