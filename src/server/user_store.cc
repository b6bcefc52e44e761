#include "server/user_store.h"

namespace immudb::server {

bool IsGrantablePermission(uint32_t p) {
  return p == kPermissionRead || p == kPermissionReadWrite || p == kPermissionAdmin;
}

uint32_t UserRecord::PermissionOn(const std::string& database) const {
  if (sysadmin) return kPermissionSysAdmin;
  auto it = permissions.find(database);
  return it == permissions.end() ? kPermissionNone : it->second;
}

bool UserRecord::HasPermissionAtLeastOnce(uint32_t permission) const {
  if (sysadmin) return true;
  for (const auto& [db, p] : permissions) {
    if (p == permission) return true;
  }
  return false;
}

}  // namespace immudb::server
