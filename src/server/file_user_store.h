// A UserStore kept in one JSON file (<data dir>/users.json), loaded at open and rewritten
// atomically on every change (write a temporary file, fsync it, rename it over the old one,
// fsync the folder), so a crash leaves either the old or the new user list, never a mix.
// Interim home for users until the system database can hold them.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "server/user_store.h"

namespace immudb::server {

class FileUserStore : public UserStore {
 public:
  // Opens (or starts empty when the file does not exist) the store at `path`.
  static Result<std::unique_ptr<FileUserStore>> Open(const std::string& path);

  Result<std::optional<UserRecord>> Get(const std::string& username) override;
  Result<std::vector<UserRecord>> List() override;
  Status Put(const UserRecord& user) override;

 private:
  explicit FileUserStore(std::string path) : path_(std::move(path)) {}
  Status WriteLocked();

  const std::string path_;
  std::mutex mu_;
  std::map<std::string, UserRecord> users_;
};

}  // namespace immudb::server
