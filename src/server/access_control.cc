#include "server/access_control.h"

#include <cctype>
#include <ctime>

#include "crypto/password_hash.h"

namespace immudb::server {
namespace {

constexpr const char* kDefaultAdminPassword = "immudb";

Status MaintenanceRefusal() { return InvalidArgument("operation not allowed in maintenance mode"); }
Status AuthOffRefusal() {
  return FailedPrecondition("this command is available only with authentication on");
}

}  // namespace

AccessControl::AccessControl(UserStore* store, SessionManager* sessions,
                             const DatabaseDirectory* databases, Options options)
    : store_(store), sessions_(sessions), databases_(databases), options_(options) {}

std::string AccessControl::NowText() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Status AccessControl::Bootstrap(const std::string& admin_password, bool force) {
  std::lock_guard<std::mutex> lock(write_mu_);
  IMMUDB_ASSIGN_OR_RETURN(std::optional<UserRecord> existing, store_->Get(kSysAdminUsername));
  if (!existing || force) {
    UserRecord admin = existing.value_or(UserRecord{});
    admin.username = kSysAdminUsername;
    admin.sysadmin = true;
    admin.active = true;
    if (!existing) admin.created_at = NowText();
    IMMUDB_ASSIGN_OR_RETURN(admin.password_hash, crypto::HashPassword(admin_password));
    IMMUDB_RETURN_IF_ERROR(store_->Put(admin));
    default_password_in_use_ = admin_password == kDefaultAdminPassword;
    return Status::Ok();
  }
  IMMUDB_ASSIGN_OR_RETURN(bool is_default,
                          crypto::VerifyPassword(kDefaultAdminPassword, existing->password_hash));
  default_password_in_use_ = is_default;
  return Status::Ok();
}

Result<UserRecord> AccessControl::Authenticate(const std::string& username,
                                               const std::string& password) {
  IMMUDB_ASSIGN_OR_RETURN(std::optional<UserRecord> user, store_->Get(username));
  if (!user) {
    // Spend the same work as a real check so timing does not reveal which names exist.
    (void)crypto::HashPassword(password);
    return Unauthenticated("invalid user name or password");
  }
  IMMUDB_ASSIGN_OR_RETURN(bool ok, crypto::VerifyPassword(password, user->password_hash));
  if (!ok) return Unauthenticated("invalid user name or password");
  if (!user->active) return PermissionDenied("user is not active");
  return *user;
}

Result<UserRecord> AccessControl::CallerRecord(const Principal& caller) {
  IMMUDB_ASSIGN_OR_RETURN(std::optional<UserRecord> user, store_->Get(caller.username));
  if (!user) return Unauthenticated("not logged in");
  if (!user->active) return PermissionDenied("user is not active");
  return *user;
}

Status AccessControl::Authorize(const UserRecord& user, const std::string& database,
                                Access access) const {
  if (database.empty()) return FailedPrecondition("please select a database first");
  if (database == kSystemDatabase) return PermissionDenied("permission denied");
  if (user.sysadmin) return Status::Ok();
  uint32_t p = user.PermissionOn(database);
  bool ok = false;
  switch (access) {
    case Access::kRead:
      ok = p == kPermissionRead || p == kPermissionReadWrite || p == kPermissionAdmin;
      break;
    case Access::kReadWrite:
      ok = p == kPermissionReadWrite || p == kPermissionAdmin;
      break;
    case Access::kAdmin:
      ok = p == kPermissionAdmin;
      break;
    case Access::kSysAdmin:
      ok = false;
      break;
  }
  return ok ? Status::Ok() : PermissionDenied("permission denied");
}

Status AccessControl::CanUseDatabase(const UserRecord& user, const std::string& database) const {
  if (database == kSystemDatabase) {
    return user.sysadmin ? Status::Ok() : PermissionDenied("permission denied");
  }
  if (!databases_->Exists(database)) return NotFound("database does not exist");
  if (user.sysadmin || user.PermissionOn(database) != kPermissionNone) return Status::Ok();
  return PermissionDenied("permission denied");
}

Result<UserRecord> AccessControl::LoadExisting(const std::string& username,
                                               const std::string& not_found_msg) {
  IMMUDB_ASSIGN_OR_RETURN(std::optional<UserRecord> user, store_->Get(username));
  if (!user) return NotFound(not_found_msg);
  return *user;
}

Result<std::vector<UserRecord>> AccessControl::ListUsers(const UserRecord& caller,
                                                         const std::string& caller_db) {
  if (!options_.maintenance && !options_.auth) return AuthOffRefusal();
  IMMUDB_ASSIGN_OR_RETURN(std::vector<UserRecord> all, store_->List());
  if (caller.sysadmin || options_.maintenance) return all;
  if (!caller_db.empty() && caller.PermissionOn(caller_db) == kPermissionAdmin) {
    std::vector<UserRecord> out;
    for (auto& u : all) {
      if (u.permissions.count(caller_db) != 0) out.push_back(std::move(u));
    }
    return out;
  }
  return std::vector<UserRecord>{caller};
}

Status AccessControl::CreateUser(const UserRecord& caller, const std::string& username,
                                 const std::string& password, uint32_t permission,
                                 const std::string& database_in) {
  if (options_.maintenance) return MaintenanceRefusal();
  if (!options_.auth) return AuthOffRefusal();
  if (username.empty()) return InvalidArgument("username can not be empty");
  IMMUDB_RETURN_IF_ERROR(CheckUsername(username));
  std::string database = database_in;
  if (database.empty()) {
    if (databases_->List().size() > 1) {
      return InvalidArgument("database name can not be empty when there are multiple databases");
    }
    database = kDefaultDatabase;
  }
  if (!databases_->Exists(database)) {
    return InvalidArgument("database " + database + " does not exist");
  }
  if (permission == kPermissionSysAdmin) {
    return InvalidArgument("can not create another system admin");
  }
  if (!IsGrantablePermission(permission)) return InvalidArgument("unrecognized permission");
  if (!caller.sysadmin && caller.PermissionOn(database) != kPermissionAdmin) {
    return PermissionDenied("you do not have permission on this database");
  }
  IMMUDB_RETURN_IF_ERROR(CheckPasswordStrength(password));
  std::lock_guard<std::mutex> lock(write_mu_);
  IMMUDB_ASSIGN_OR_RETURN(std::optional<UserRecord> existing, store_->Get(username));
  if (existing) return AlreadyExists("user already exists");
  UserRecord user;
  user.username = username;
  IMMUDB_ASSIGN_OR_RETURN(user.password_hash, crypto::HashPassword(password));
  user.active = true;
  user.permissions[database] = permission;
  user.created_by = caller.username;
  user.created_at = NowText();
  return store_->Put(user);
}

Status AccessControl::ChangePassword(const UserRecord& caller, const std::string& username,
                                     const std::string& old_password,
                                     const std::string& new_password) {
  if (options_.maintenance) return MaintenanceRefusal();
  if (!options_.auth) return AuthOffRefusal();
  if (username.empty()) return InvalidArgument("username can not be empty");
  const bool self = username == caller.username;
  if (self || username == kSysAdminUsername) {
    // Changing your own (or the sysadmin's) password needs the current one.
    IMMUDB_ASSIGN_OR_RETURN(UserRecord target,
                            LoadExisting(username, "user " + username + " was not found"));
    IMMUDB_ASSIGN_OR_RETURN(bool ok, crypto::VerifyPassword(old_password, target.password_hash));
    if (!ok) return PermissionDenied("old password is incorrect");
  }
  if (!self && !caller.sysadmin && !caller.HasPermissionAtLeastOnce(kPermissionAdmin)) {
    return PermissionDenied("user is not system admin nor admin in any of the databases");
  }
  IMMUDB_RETURN_IF_ERROR(CheckPasswordStrength(new_password));
  std::lock_guard<std::mutex> lock(write_mu_);
  const std::string not_yours = "user " + username + " was not found or it was not created by you";
  IMMUDB_ASSIGN_OR_RETURN(UserRecord target, LoadExisting(username, not_yours));
  if (!self && !caller.sysadmin && target.created_by != caller.username) {
    return NotFound(not_yours);
  }
  IMMUDB_ASSIGN_OR_RETURN(target.password_hash, crypto::HashPassword(new_password));
  IMMUDB_RETURN_IF_ERROR(store_->Put(target));
  if (target.username == kSysAdminUsername) default_password_in_use_ = false;
  sessions_->EndUserContexts(target.username);
  return Status::Ok();
}

Status AccessControl::ChangePermission(const UserRecord& caller, bool grant,
                                       const std::string& username, const std::string& database,
                                       uint32_t permission) {
  if (options_.maintenance) return MaintenanceRefusal();
  if (username.empty()) return InvalidArgument("username can not be empty");
  if (database.empty()) return InvalidArgument("database can not be empty");
  if (!databases_->Exists(database)) return InvalidArgument("database does not exist");
  if (grant && !IsGrantablePermission(permission)) {
    return InvalidArgument("unrecognized permission");
  }
  if (username == caller.username) {
    return InvalidArgument("changing your own permissions is not allowed");
  }
  if (username == kSysAdminUsername) {
    return InvalidArgument("changing sysadmin permissions is not allowed");
  }
  if (!caller.sysadmin && caller.PermissionOn(database) != kPermissionAdmin) {
    return PermissionDenied("permission denied");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  IMMUDB_ASSIGN_OR_RETURN(UserRecord target, LoadExisting(username, "user " + username + " not found"));
  if (!target.active) return FailedPrecondition("user " + username + " is not active");
  if (grant) {
    target.permissions[database] = permission;
  } else {
    target.permissions.erase(database);
  }
  IMMUDB_RETURN_IF_ERROR(store_->Put(target));
  sessions_->EndUserContexts(target.username);
  return Status::Ok();
}

Status AccessControl::SetActiveUser(const UserRecord& caller, const std::string& username,
                                    bool active) {
  if (options_.maintenance) return MaintenanceRefusal();
  if (!options_.auth) return AuthOffRefusal();
  if (username.empty()) return InvalidArgument("username can not be empty");
  if (!caller.sysadmin && !caller.HasPermissionAtLeastOnce(kPermissionAdmin)) {
    return PermissionDenied("user is not system admin nor admin in any of the databases");
  }
  if (username == caller.username) {
    return InvalidArgument("changing your own status is not allowed");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  IMMUDB_ASSIGN_OR_RETURN(UserRecord target, LoadExisting(username, "user " + username + " not found"));
  if (!caller.sysadmin && target.created_by != caller.username) {
    return PermissionDenied(username + " was not created by you");
  }
  target.active = active;
  IMMUDB_RETURN_IF_ERROR(store_->Put(target));
  if (!active) sessions_->EndUserContexts(target.username);
  return Status::Ok();
}

Status AccessControl::CheckPasswordStrength(const std::string& password) {
  static const char* kMsg =
      "password must have between 8 and 32 letters, digits and special characters of which at "
      "least 1 uppercase letter, 1 digit and 1 special character";
  if (password.size() < 8 || password.size() > 32) return InvalidArgument(kMsg);
  bool upper = false, digit = false, symbol = false;
  for (unsigned char c : password) {
    if (std::isupper(c)) upper = true;
    else if (std::isdigit(c)) digit = true;
    else if (std::ispunct(c)) symbol = true;
    else if (!std::isalpha(c)) return InvalidArgument(kMsg);
  }
  return upper && digit && symbol ? Status::Ok() : InvalidArgument(kMsg);
}

Status AccessControl::CheckUsername(const std::string& username) {
  if (username.empty() || username.size() > 63) {
    return InvalidArgument("username must have between 1 and 63 characters");
  }
  for (unsigned char c : username) {
    if (!std::isalnum(c) && c != '_') {
      return InvalidArgument("username can only contain letters, digits and underscores");
    }
  }
  return Status::Ok();
}

}  // namespace immudb::server
