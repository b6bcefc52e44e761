// A pid file held for the life of the process: created with the process id (refusing to
// overwrite one whose process is still alive), removed on destruction.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace immudb::server {

class PidFile {
 public:
  static Result<std::unique_ptr<PidFile>> Create(const std::string& path);
  ~PidFile();
  const std::string& path() const { return path_; }

 private:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace immudb::server
