#include "client/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>

#include "client/base64.h"

namespace immudb::client {
namespace {

Status Errno(const std::string& what) { return IoError(what + ": " + std::strerror(errno)); }

// db -> base64 line payload. (Plain POSIX reads: a verified call reads this file twice, and
// an ifstream's set-up cost more than the read itself.)
Result<std::map<std::string, std::string>> ReadLines(const std::string& path) {
  std::map<std::string, std::string> out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return out;
    return Errno("cannot open " + path);
  }
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = Errno("cannot read " + path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  ::close(fd);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) return Corruption("malformed state file " + path);
    out[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return out;
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write " + path);
    }
    done += size_t(n);
  }
  return Status::Ok();
}

}  // namespace

// The in-memory states: one lock for the whole store (held across a verified call, so a
// flag rather than a mutex, which only its owning thread may unlock), and the states by
// server UUID and database.
struct StateStore::Memory {
  std::mutex mu;
  std::condition_variable cv;
  bool held = false;
  std::map<std::pair<std::string, std::string>, schema::ImmutableState> states;
};

StateStore StateStore::InMemory() {
  StateStore s("");
  s.memory_ = std::make_shared<Memory>();
  return s;
}

StateStore::Lock& StateStore::Lock::operator=(Lock&& o) noexcept {
  if (this != &o) {
    Release();
    fd_ = o.fd_;
    o.fd_ = -1;
    memory_ = std::move(o.memory_);
  }
  return *this;
}

void StateStore::Lock::Release() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  fd_ = -1;
  if (memory_ != nullptr) {
    {
      std::lock_guard<std::mutex> l(memory_->mu);
      memory_->held = false;
    }
    memory_->cv.notify_one();
    memory_.reset();
  }
}

std::string StateStore::FilePath(const std::string& server_uuid) const {
  return dir_ + "/.state-" + server_uuid;
}

Result<StateStore::Lock> StateStore::LockServer(const std::string& server_uuid) const {
  if (memory_ != nullptr) {
    std::unique_lock<std::mutex> l(memory_->mu);
    memory_->cv.wait(l, [&] { return !memory_->held; });
    memory_->held = true;
    return Lock(memory_);
  }
  std::string path = FilePath(server_uuid) + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {  // first use of the folder
    ::mkdir(dir_.c_str(), 0700);
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  }
  if (fd < 0) return Errno("cannot open " + path);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      Status st = Errno("cannot lock " + path);
      ::close(fd);
      return st;
    }
  }
  return Lock(fd);
}

Result<std::optional<schema::ImmutableState>> StateStore::Get(const std::string& server_uuid,
                                                              const std::string& db) const {
  if (memory_ != nullptr) {
    std::lock_guard<std::mutex> l(memory_->mu);
    auto it = memory_->states.find({server_uuid, db});
    if (it == memory_->states.end()) return std::optional<schema::ImmutableState>();
    return std::optional<schema::ImmutableState>(it->second);
  }
  std::string path = FilePath(server_uuid);
  IMMUDB_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  auto it = lines.find(db);
  if (it == lines.end()) return std::optional<schema::ImmutableState>();
  Bytes raw;
  schema::ImmutableState state;
  if (!Base64Decode(it->second, &raw) || !state.ParseFromArray(raw.data(), int(raw.size()))) {
    return Corruption("malformed state of database " + db + " in " + path);
  }
  return std::optional<schema::ImmutableState>(std::move(state));
}

Status StateStore::Put(const std::string& server_uuid, const schema::ImmutableState& state) const {
  if (memory_ != nullptr) {
    std::lock_guard<std::mutex> l(memory_->mu);
    memory_->states[{server_uuid, state.db()}] = state;
    return Status::Ok();
  }
  std::string path = FilePath(server_uuid);
  IMMUDB_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  std::string raw;
  if (!state.SerializeToString(&raw)) return Internal("cannot serialise state");
  lines[state.db()] = Base64Encode(AsBytes(raw));
  std::string text;
  for (const auto& [db, payload] : lines) {
    if (!text.empty()) text += '\n';
    text += db + ":" + payload;
  }

  // The new content goes into the sibling `.tmp` file, overwritten in place, which is then
  // swapped with the state file by renameat2(RENAME_EXCHANGE): atomic like a rename, but no
  // inode dies (on a file system mounted with `discard`, freeing the replaced file's blocks
  // was a synchronous discard per verified call) and ext4 does not force the new file's data
  // out as it does for a rename over an existing file. The old state stays in `.tmp`.
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {  // first use of the folder
    ::mkdir(dir_.c_str(), 0700);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  }
  if (fd < 0) return Errno("cannot create " + tmp);
  Status st = WriteAll(fd, text, tmp);
  if (st.ok() && ::ftruncate(fd, off_t(text.size())) != 0) st = Errno("cannot truncate " + tmp);
  if (st.ok() && sync_ && ::fsync(fd) != 0) st = Errno("cannot sync " + tmp);
  ::close(fd);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
    // First state of this server (nothing to exchange with), or a file system without
    // RENAME_EXCHANGE: a plain rename is just as atomic.
    if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("cannot rename " + tmp);
  }
  if (!sync_) return Status::Ok();
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace immudb::client
