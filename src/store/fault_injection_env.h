// FaultInjectionEnv: an Env wrapper for tests that makes chosen file operations fail
// (ENOSPC, EIO, a write cut short after half its bytes, a failed fdatasync) and can
// simulate a power loss by undoing every write that was not followed by a Sync.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/env.h"

namespace immudb::store {

enum class FaultOp { kWrite, kSync, kAllocate, kRead };

enum class FaultKind {
  kNoSpace,     // the operation fails with ResourceExhausted ("No space left on device")
  kIoError,     // the operation fails with IoError ("Input/output error")
  kShortWrite,  // a write stores only the first half of its bytes, then fails with IoError
};

// One rule: among operations `op` on files whose path contains `path_contains` (empty
// matches every file), let `skip` succeed, then fail the next `count` with `kind`.
struct FaultRule {
  FaultOp op = FaultOp::kWrite;
  std::string path_contains;
  uint64_t skip = 0;
  uint64_t count = 1;
  FaultKind kind = FaultKind::kIoError;
};

class FaultInjectionEnv final : public Env {
 public:
  // base is not owned and must outlive this Env and every file opened through it.
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;

  // Adds a rule; rules are checked in the order added, the first matching one applies.
  void AddRule(const FaultRule& rule);
  void ClearRules();
  // Number of operations failed so far.
  uint64_t injected() const;

  // Undoes, in every file still open or already closed, the bytes written since that
  // file's last successful Sync, as a power cut would lose them (page cache gone).
  // Files must not be in use by a live Store while this runs.
  Status SimulatePowerLoss();

  Result<std::unique_ptr<RandomRWFile>> OpenFile(const std::string& path, bool create) override;
  Status CreateDir(const std::string& dir) override { return base_->CreateDir(dir); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  Result<std::unique_ptr<RandomRWFile>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }

  // Used by the wrapped files: returns the fault to inject for this operation, if any.
  bool ShouldFail(FaultOp op, const std::string& path, FaultKind* kind);
  // Used by the wrapped files: remembers the bytes a write is about to overwrite.
  void RecordWrite(const std::string& path, uint64_t offset, Bytes old_bytes, uint64_t old_size);
  void RecordSync(const std::string& path);

 private:
  struct Undo {
    uint64_t offset;
    Bytes old_bytes;
    uint64_t old_size;  // file size before the write
  };
  struct RuleState {
    FaultRule rule;
    uint64_t seen = 0;
  };

  Env* base_;
  mutable std::mutex mu_;
  std::vector<RuleState> rules_;
  uint64_t injected_ = 0;
  std::map<std::string, std::vector<Undo>> unsynced_;
};

}  // namespace immudb::store
