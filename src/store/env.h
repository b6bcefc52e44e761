// Env: the store's only way to touch the file system. Every read, write, sync and
// directory operation goes through it, so tests can substitute a FaultInjectionEnv that
// fails writes with ENOSPC/EIO, cuts them short or fails syncs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace immudb::store {

// A file opened for positional reads and writes. Read and Write may be called from
// several threads at once (pread/pwrite); Sync, Allocate and Truncate by one at a time.
class RandomRWFile {
 public:
  virtual ~RandomRWFile() = default;

  // Writes all of data at offset. Returns IoError (with the path and errno text) on any
  // failure, including a short write that could not be completed.
  virtual Status Write(uint64_t offset, ByteView data) = 0;
  // Reads exactly n bytes at offset into out. Reading past the end of the file is
  // OutOfRange, never a partial result.
  virtual Status Read(uint64_t offset, size_t n, uint8_t* out) const = 0;
  // Makes written data durable (fdatasync: data and the metadata needed to read it).
  virtual Status Sync() = 0;
  // Reserves disk blocks so that [0, size) can be written without growing the file
  // (fallocate); the file's size becomes at least size.
  virtual Status Allocate(uint64_t size) = 0;
  // Sets the file's size.
  virtual Status Truncate(uint64_t size) = 0;
  // Current size of the file in bytes.
  virtual Result<uint64_t> Size() const = 0;
  // The path the file was opened with (for error messages).
  virtual const std::string& path() const = 0;
};

// File system operations. Implementations are thread-safe.
class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  // Opens path for reading and writing. With create, a missing file is created (mode 0644);
  // without it a missing file is NotFound.
  virtual Result<std::unique_ptr<RandomRWFile>> OpenFile(const std::string& path,
                                                         bool create) = 0;
  // Creates dir (one level); an existing directory is not an error.
  virtual Status CreateDir(const std::string& dir) = 0;
  // Names (not paths) of the entries of dir, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces to with from (rename(2)).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // fsyncs the directory itself, making created, renamed or removed entries durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive advisory lock on path (created if missing) for the life of the
  // returned object; FailedPrecondition if another process or Store holds it.
  virtual Result<std::unique_ptr<RandomRWFile>> LockFile(const std::string& path) = 0;
};

// Joins a directory and a name with one '/'.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace immudb::store
