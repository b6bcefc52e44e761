// The databases the server knows, as the user/permission logic needs them. The database
// layer provides the real catalog; until then StaticDatabaseDirectory lists defaultdb only.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace immudb::server {

class DatabaseDirectory {
 public:
  virtual ~DatabaseDirectory() = default;
  // True when a user database (not systemdb) with this name exists.
  virtual bool Exists(const std::string& name) const = 0;
  // Names of the user databases.
  virtual std::vector<std::string> List() const = 0;
};

class StaticDatabaseDirectory : public DatabaseDirectory {
 public:
  explicit StaticDatabaseDirectory(std::vector<std::string> names) : names_(std::move(names)) {}
  bool Exists(const std::string& name) const override {
    for (const auto& n : names_) {
      if (n == name) return true;
    }
    return false;
  }
  std::vector<std::string> List() const override { return names_; }

 private:
  std::vector<std::string> names_;
};

}  // namespace immudb::server
