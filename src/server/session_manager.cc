#include "server/session_manager.h"

#include "crypto/random.h"
#include "server/base64.h"

namespace immudb::server {
namespace {

Status SessionNotFound() { return PermissionDenied("session not found"); }

Result<std::string> NewId() {
  IMMUDB_ASSIGN_OR_RETURN(Bytes raw, crypto::RandomBytes(32));
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()),
                      Base64Alphabet::kUrl);
}

}  // namespace

SessionManager::SessionManager(SessionLimits limits) : limits_(limits) {}

SessionManager::~SessionManager() { StopGuard(); }

Result<std::string> SessionManager::OpenSession(const std::string& username,
                                                const std::string& database) {
  IMMUDB_ASSIGN_OR_RETURN(std::string id, NewId());
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(sessions_.size()) >= limits_.max_sessions) {
    return ResourceExhausted("can not create new session: max sessions number reached");
  }
  auto now = Clock::now();
  sessions_[id] = Session{username, database, now, now, false};
  return id;
}

Result<Principal> SessionManager::TouchSession(const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return SessionNotFound();
  it->second.last_activity = Clock::now();
  it->second.inactive = false;
  return Principal{it->second.username, it->second.database, session_id};
}

Status SessionManager::SetSessionDatabase(const std::string& session_id,
                                          const std::string& database) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return SessionNotFound();
  it->second.database = database;
  return Status::Ok();
}

Status SessionManager::CloseSession(const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.erase(session_id) == 0) return SessionNotFound();
  return Status::Ok();
}

Result<std::string> SessionManager::IssueToken(const std::string& username,
                                               const std::string& database) {
  IMMUDB_ASSIGN_OR_RETURN(std::string token, NewId());
  std::lock_guard<std::mutex> lock(mu_);
  tokens_[token] = Token{username, database, Clock::now() + limits_.token_expiry};
  return token;
}

Result<Principal> SessionManager::ResolveToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.expires <= Clock::now()) {
    return Unauthenticated("invalid token");
  }
  return Principal{it->second.username, it->second.database, ""};
}

void SessionManager::RevokeToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.erase(token);
}

size_t SessionManager::RevokeUserTokens(const std::string& username) {
  std::lock_guard<std::mutex> lock(mu_);
  return std::erase_if(tokens_, [&](const auto& kv) { return kv.second.username == username; });
}

size_t SessionManager::EndUserContexts(const std::string& username) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = std::erase_if(sessions_, [&](const auto& kv) { return kv.second.username == username; });
  n += std::erase_if(tokens_, [&](const auto& kv) { return kv.second.username == username; });
  return n;
}

void SessionManager::ExpireAt(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Session& s = it->second;
    bool too_old = limits_.max_age.count() > 0 && now - s.created > limits_.max_age;
    bool timed_out = limits_.timeout.count() > 0 && now - s.last_activity > limits_.timeout;
    if (now - s.last_activity > limits_.inactivity_time) s.inactive = true;
    if (too_old || timed_out) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires <= now; });
}

void SessionManager::StartGuard() {
  std::lock_guard<std::mutex> lock(mu_);
  if (guard_.joinable()) return;
  guard_stop_ = false;
  guard_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!guard_stop_) {
      guard_cv_.wait_for(lock, limits_.guard_interval, [this] { return guard_stop_; });
      if (guard_stop_) break;
      lock.unlock();
      ExpireAt(Clock::now());
      lock.lock();
    }
  });
}

void SessionManager::StopGuard() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    guard_stop_ = true;
  }
  guard_cv_.notify_all();
  if (guard_.joinable()) guard_.join();
}

size_t SessionManager::SessionCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

}  // namespace immudb::server
