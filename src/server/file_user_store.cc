#include "server/file_user_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace immudb::server {
namespace {

constexpr int kFormatVersion = 1;

Status Errno(const std::string& what) {
  return IoError(what + ": " + std::strerror(errno));
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync " + path);
  return Status::Ok();
}

nlohmann::json ToJson(const UserRecord& u) {
  nlohmann::json perms = nlohmann::json::object();
  for (const auto& [db, p] : u.permissions) perms[db] = p;
  nlohmann::json privs = nlohmann::json::array();
  for (const auto& p : u.sql_privileges) privs.push_back({{"database", p.database}, {"privilege", p.privilege}});
  return {{"username", u.username},   {"password_hash", u.password_hash},
          {"sysadmin", u.sysadmin},   {"active", u.active},
          {"permissions", perms},     {"sql_privileges", privs},
          {"created_by", u.created_by}, {"created_at", u.created_at}};
}

UserRecord FromJson(const nlohmann::json& j) {
  UserRecord u;
  u.username = j.at("username").get<std::string>();
  u.password_hash = j.at("password_hash").get<std::string>();
  u.sysadmin = j.at("sysadmin").get<bool>();
  u.active = j.at("active").get<bool>();
  for (const auto& [db, p] : j.at("permissions").items()) u.permissions[db] = p.get<uint32_t>();
  for (const auto& p : j.at("sql_privileges")) {
    u.sql_privileges.push_back({p.at("database").get<std::string>(), p.at("privilege").get<std::string>()});
  }
  u.created_by = j.at("created_by").get<std::string>();
  u.created_at = j.at("created_at").get<std::string>();
  return u;
}

}  // namespace

Result<std::unique_ptr<FileUserStore>> FileUserStore::Open(const std::string& path) {
  std::unique_ptr<FileUserStore> store(new FileUserStore(path));
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return store;
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Corruption(path + ": not a valid user file");
  try {
    if (doc.at("version").get<int>() != kFormatVersion) {
      return Corruption(path + ": unsupported user file version");
    }
    for (const auto& j : doc.at("users")) {
      UserRecord u = FromJson(j);
      store->users_[u.username] = std::move(u);
    }
  } catch (const nlohmann::json::exception& e) {
    return Corruption(path + ": " + e.what());
  }
  return store;
}

Result<std::optional<UserRecord>> FileUserStore::Get(const std::string& username) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(username);
  if (it == users_.end()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(it->second);
}

Result<std::vector<UserRecord>> FileUserStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<UserRecord> out;
  for (const auto& [name, u] : users_) out.push_back(u);
  return out;
}

Status FileUserStore::Put(const UserRecord& user) {
  std::lock_guard<std::mutex> lock(mu_);
  auto previous = users_.find(user.username);
  std::optional<UserRecord> old;
  if (previous != users_.end()) old = previous->second;
  users_[user.username] = user;
  Status st = WriteLocked();
  if (!st.ok()) {  // keep memory equal to disk
    if (old) users_[user.username] = *old; else users_.erase(user.username);
  }
  return st;
}

Status FileUserStore::WriteLocked() {
  nlohmann::json doc;
  doc["version"] = kFormatVersion;
  doc["users"] = nlohmann::json::array();
  for (const auto& [name, u] : users_) doc["users"].push_back(ToJson(u));
  std::string text = doc.dump(2);
  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("open " + tmp);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Errno("write " + tmp);
      ::close(fd);
      return st;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status st = Errno("fsync " + tmp);
    ::close(fd);
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return Errno("rename " + tmp);
  std::string dir = std::filesystem::path(path_).parent_path().string();
  return SyncPath(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace immudb::server
