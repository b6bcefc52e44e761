// Users, authentication and authorisation: immudb's rules for who may log in, who may manage
// which users, and which permission each kind of call needs. Passwords are PBKDF2-HMAC-SHA-256
// hashes made by the crypto module (crypto/password_hash.h). Every change that weakens a
// user (password change, deactivation, permission change) ends that user's live sessions and
// tokens.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "server/database_directory.h"
#include "server/session_manager.h"
#include "server/user_store.h"

namespace immudb::server {

// What a call needs on its database (PROTOCOL.md 5.1). Sysadmins always pass.
enum class Access {
  kRead,       // R, RW or admin
  kReadWrite,  // RW or admin
  kAdmin,      // admin on the database
  kSysAdmin,   // sysadmin only
};

inline constexpr const char* kDefaultPasswordWarning =
    "immudb user has the default password: please change it to ensure proper security";

class AccessControl {
 public:
  struct Options {
    bool auth = true;
    bool maintenance = false;
  };

  // None of the pointers is owned; all must outlive this object.
  AccessControl(UserStore* store, SessionManager* sessions, const DatabaseDirectory* databases,
                Options options);

  // Creates the sysadmin `immudb` with `admin_password` when absent, or resets its password
  // when `force` is set. Records whether the default password "immudb" is in use.
  Status Bootstrap(const std::string& admin_password, bool force);
  // True while the sysadmin's password is the default "immudb".
  bool DefaultPasswordInUse() const { return default_password_in_use_.load(); }

  const Options& options() const { return options_; }

  // Checks credentials. Errors: "invalid user name or password", "user is not active".
  Result<UserRecord> Authenticate(const std::string& username, const std::string& password);

  // The live record of an authenticated caller; fails when it was deleted or deactivated.
  Result<UserRecord> CallerRecord(const Principal& caller);

  // Whether `user` may make a call needing `access` on `database`. PermissionDenied
  // otherwise; systemdb is refused to everyone but maintenance calls.
  Status Authorize(const UserRecord& user, const std::string& database, Access access) const;

  // Whether `user` may open a session / select `database` (sysadmin, or any permission).
  Status CanUseDatabase(const UserRecord& user, const std::string& database) const;

  // User management on behalf of `caller` (the record of the authenticated caller) whose
  // selected database is `caller_db`. Error texts follow immudb's.
  Result<std::vector<UserRecord>> ListUsers(const UserRecord& caller, const std::string& caller_db);
  Status CreateUser(const UserRecord& caller, const std::string& username,
                    const std::string& password, uint32_t permission, const std::string& database);
  Status ChangePassword(const UserRecord& caller, const std::string& username,
                        const std::string& old_password, const std::string& new_password);
  // grant = true for GRANT, false for REVOKE.
  Status ChangePermission(const UserRecord& caller, bool grant, const std::string& username,
                          const std::string& database, uint32_t permission);
  Status SetActiveUser(const UserRecord& caller, const std::string& username, bool active);

  // immudb's password policy: 8-32 characters with an upper-case letter, a digit and a
  // symbol. InvalidArgument with immudb's message otherwise.
  static Status CheckPasswordStrength(const std::string& password);
  // Letters, digits and '_' only, 1-63 characters.
  static Status CheckUsername(const std::string& username);

 private:
  Result<UserRecord> LoadExisting(const std::string& username, const std::string& not_found_msg);
  static std::string NowText();

  UserStore* const store_;
  SessionManager* const sessions_;
  const DatabaseDirectory* const databases_;
  const Options options_;
  std::mutex write_mu_;  // serialises read-modify-write of user records
  std::atomic<bool> default_password_in_use_{false};
};

}  // namespace immudb::server
