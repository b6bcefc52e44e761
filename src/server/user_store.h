// Users and their permissions, and the storage interface they live behind.
//
// immudb keeps users in its system database. Until the database layer can host them, the
// server uses FileUserStore (file_user_store.h); a systemdb-backed UserStore can replace it
// without touching the rest of the server.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace immudb::server {

// Permission values on the wire (Permission.permission).
enum Permission : uint32_t {
  kPermissionNone = 0,
  kPermissionRead = 1,
  kPermissionReadWrite = 2,
  kPermissionAdmin = 254,
  kPermissionSysAdmin = 255,
};

// True for 1, 2, 254 (grantable per database); 255 is the sysadmin flag, never granted.
bool IsGrantablePermission(uint32_t permission);

inline constexpr const char* kSysAdminUsername = "immudb";
inline constexpr const char* kDefaultDatabase = "defaultdb";
inline constexpr const char* kSystemDatabase = "systemdb";

struct SqlPrivilege {
  std::string database;
  std::string privilege;
};

struct UserRecord {
  std::string username;
  std::string password_hash;  // PasswordHash encoding (password_hash.h)
  bool sysadmin = false;
  bool active = true;
  std::map<std::string, uint32_t> permissions;  // database -> permission
  std::vector<SqlPrivilege> sql_privileges;
  std::string created_by;
  std::string created_at;  // UTC, "YYYY-MM-DD HH:MM:SS"

  // The permission held on `database` (kPermissionSysAdmin for the sysadmin).
  uint32_t PermissionOn(const std::string& database) const;
  bool HasPermissionAtLeastOnce(uint32_t permission) const;
};

// Durable user storage. Implementations are thread-safe; Put is durable when it returns.
class UserStore {
 public:
  virtual ~UserStore() = default;
  // The user named `username`, or nullopt.
  virtual Result<std::optional<UserRecord>> Get(const std::string& username) = 0;
  // Every user, ordered by name.
  virtual Result<std::vector<UserRecord>> List() = 0;
  // Inserts or replaces the user with this name.
  virtual Status Put(const UserRecord& user) = 0;
};

}  // namespace immudb::server
