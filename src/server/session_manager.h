// Live authenticated contexts: sessions (OpenSession, `sessionid` header) and legacy tokens
// (Login, `authorization: Bearer <token>`). Both are random values from the crypto module's
// DRBG, kept only in memory (as immudb does: they do not survive a restart).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace immudb::server {

using Clock = std::chrono::steady_clock;

struct SessionLimits {
  int max_sessions = 100;
  std::chrono::milliseconds inactivity_time = std::chrono::minutes(3);  // idle -> inactive
  std::chrono::milliseconds timeout = std::chrono::minutes(2);  // idle this long -> closed
  std::chrono::milliseconds max_age{0};                         // 0 = unlimited
  std::chrono::milliseconds guard_interval = std::chrono::minutes(1);
  std::chrono::minutes token_expiry = std::chrono::minutes(1440);
};

// Who is calling and on which database. `database` is empty when none is selected.
struct Principal {
  std::string username;
  std::string database;
  std::string session_id;  // empty for token-authenticated calls
};

class SessionManager {
 public:
  explicit SessionManager(SessionLimits limits);
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Creates a session for `username` on `database`; returns its id (32 random bytes,
  // base64url with padding, 44 characters). ResourceExhausted at max-sessions.
  Result<std::string> OpenSession(const std::string& username, const std::string& database);
  // The session's principal, refreshing its activity time. PermissionDenied "session not
  // found" for unknown or expired ids.
  Result<Principal> TouchSession(const std::string& session_id);
  // Switches the session's database (UseDatabase).
  Status SetSessionDatabase(const std::string& session_id, const std::string& database);
  // Removes the session. PermissionDenied "session not found" when unknown.
  Status CloseSession(const std::string& session_id);

  // Issues a legacy token for `username` bound to `database` (may be empty).
  Result<std::string> IssueToken(const std::string& username, const std::string& database);
  // The token's principal. Unauthenticated when unknown or expired.
  Result<Principal> ResolveToken(const std::string& token);
  // Drops one token.
  void RevokeToken(const std::string& token);
  // Drops every token of `username` (Logout: as immudb, which discards the user's token key
  // pair, a logout ends all of the user's token logins; sessions are not affected). Returns
  // how many tokens were dropped.
  size_t RevokeUserTokens(const std::string& username);

  // Ends every session and token of `username`; returns how many were ended.
  size_t EndUserContexts(const std::string& username);

  // One guard pass at time `now` (immudb's rules): closes sessions idle for longer than the
  // session timeout or older than the max age, marks sessions idle for longer than the
  // inactivity time as inactive, drops expired tokens.
  void ExpireAt(Clock::time_point now);
  // Runs ExpireAt every guard_interval on a background thread until Stop().
  void StartGuard();
  void StopGuard();

  size_t SessionCount() const;

 private:
  struct Session {
    std::string username;
    std::string database;
    Clock::time_point created;
    Clock::time_point last_activity;
    bool inactive = false;
  };
  struct Token {
    std::string username;
    std::string database;
    Clock::time_point expires;
  };

  const SessionLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, Token> tokens_;
  std::condition_variable guard_cv_;
  bool guard_stop_ = false;
  std::thread guard_;
};

}  // namespace immudb::server
