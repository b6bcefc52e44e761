#include "server/pidfile.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace immudb::server {

Result<std::unique_ptr<PidFile>> PidFile::Create(const std::string& path) {
  {
    std::ifstream in(path);
    long old_pid = 0;
    if (in && (in >> old_pid) && old_pid > 0 && old_pid != ::getpid() &&
        ::kill(static_cast<pid_t>(old_pid), 0) == 0) {
      return FailedPrecondition("pid file " + path + " belongs to running process " +
                                std::to_string(old_pid));
    }
  }
  const std::string text = std::to_string(::getpid()) + "\n";
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create pid file " + path + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return IoError("cannot write pid file " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<PidFile>(new PidFile(path));
}

PidFile::~PidFile() { ::unlink(path_.c_str()); }

}  // namespace immudb::server
