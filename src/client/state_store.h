// The client's trusted states, one file per server identity in a state folder, as immudb's
// Go client keeps them: `<dir>/.state-<serverUUID>`, one line per database
// `<db>:<base64(protobuf ImmutableState)>`, lines joined by '\n'. Every update rewrites the
// file atomically (temp file + rename), so a crashed process leaves either the old or the new
// state, never a mix. With `sync` the temp file and the folder are also fsync'd, so the new
// state survives a power loss too; without it (the default, as immudb's clients, which do
// not even write atomically) a power loss may bring back an older state, which is safe: the
// next verified call proves consistency from that older state forward. The fsyncs cost two
// disk flushes per verified call, about half the throughput of VerifiableSet at 32 clients
// (docs/benchmarks.md). Lock() takes an exclusive OS lock (flock on a sibling
// `.lock` file) that the caller holds across a whole verified call, so concurrent clients
// sharing the folder cannot interleave read-verify-write.
//
// InMemory() keeps the states in the process instead (ClientOptions::state_in_memory, as
// immudb-py's default RootService): no file is read or written, the lock is an in-process
// one, and a new process trusts on first use again.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "schema.pb.h"

namespace immudb::client {

class StateStore {
  struct Memory;

 public:
  explicit StateStore(std::string dir, bool sync = false) : dir_(std::move(dir)), sync_(sync) {}
  static StateStore InMemory();
  bool in_memory() const { return memory_ != nullptr; }

  // The exclusive lock on one server's state, released on destruction (on any thread: a
  // verified asynchronous call releases it in its callback).
  class Lock {
   public:
    Lock() = default;
    explicit Lock(int fd) : fd_(fd) {}
    explicit Lock(std::shared_ptr<Memory> memory) : memory_(std::move(memory)) {}
    Lock(Lock&& o) noexcept : fd_(o.fd_), memory_(std::move(o.memory_)) { o.fd_ = -1; }
    Lock& operator=(Lock&& o) noexcept;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    ~Lock() { Release(); }

   private:
    void Release();
    int fd_ = -1;
    std::shared_ptr<Memory> memory_;
  };

  const std::string& dir() const { return dir_; }
  std::string FilePath(const std::string& server_uuid) const;

  Result<Lock> LockServer(const std::string& server_uuid) const;
  // The stored state of db on that server, or nullopt when there is none.
  Result<std::optional<schema::ImmutableState>> Get(const std::string& server_uuid,
                                                    const std::string& db) const;
  // Replaces the state of state.db() on that server (other databases' lines are kept).
  Status Put(const std::string& server_uuid, const schema::ImmutableState& state) const;

 private:
  std::string dir_;
  bool sync_;
  std::shared_ptr<Memory> memory_;  // set by InMemory()
};

}  // namespace immudb::client
