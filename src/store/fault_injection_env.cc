#include "store/fault_injection_env.h"

#include <algorithm>

namespace immudb::store {
namespace {

Status FaultStatus(FaultKind kind, const char* what, const std::string& path) {
  if (kind == FaultKind::kNoSpace) {
    return ResourceExhausted(std::string(what) + " " + path +
                             ": No space left on device (injected)");
  }
  return IoError(std::string(what) + " " + path + ": Input/output error (injected)");
}

class FaultFile final : public RandomRWFile {
 public:
  FaultFile(FaultInjectionEnv* env, std::unique_ptr<RandomRWFile> base)
      : env_(env), base_(std::move(base)) {}

  Status Write(uint64_t offset, ByteView data) override {
    FaultKind kind;
    if (env_->ShouldFail(FaultOp::kWrite, path(), &kind)) {
      if (kind != FaultKind::kShortWrite) return FaultStatus(kind, "write", path());
      ByteView half = data.first(data.size() / 2);
      IMMUDB_RETURN_IF_ERROR(SaveAndWrite(offset, half));
      return IoError("write " + path() + ": short write, " + std::to_string(half.size()) +
                     " of " + std::to_string(data.size()) + " bytes (injected)");
    }
    return SaveAndWrite(offset, data);
  }

  Status Read(uint64_t offset, size_t n, uint8_t* out) const override {
    FaultKind kind;
    if (env_->ShouldFail(FaultOp::kRead, path(), &kind)) return FaultStatus(kind, "read", path());
    return base_->Read(offset, n, out);
  }

  Status Sync() override {
    FaultKind kind;
    if (env_->ShouldFail(FaultOp::kSync, path(), &kind)) {
      return FaultStatus(kind, "fdatasync", path());
    }
    IMMUDB_RETURN_IF_ERROR(base_->Sync());
    env_->RecordSync(path());
    return Status::Ok();
  }

  Status Allocate(uint64_t size) override {
    FaultKind kind;
    if (env_->ShouldFail(FaultOp::kAllocate, path(), &kind)) {
      return FaultStatus(kind, "fallocate", path());
    }
    return base_->Allocate(size);
  }

  Status Truncate(uint64_t size) override { return base_->Truncate(size); }
  Result<uint64_t> Size() const override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  Status SaveAndWrite(uint64_t offset, ByteView data) {
    IMMUDB_ASSIGN_OR_RETURN(uint64_t size, base_->Size());
    Bytes old;
    if (offset < size) {
      old.resize(std::min<uint64_t>(data.size(), size - offset));
      IMMUDB_RETURN_IF_ERROR(base_->Read(offset, old.size(), old.data()));
    }
    env_->RecordWrite(path(), offset, std::move(old), size);
    return base_->Write(offset, data);
  }

  FaultInjectionEnv* env_;
  std::unique_ptr<RandomRWFile> base_;
};

}  // namespace

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::AddRule(const FaultRule& rule) {
  std::lock_guard<std::mutex> l(mu_);
  rules_.push_back({rule, 0});
}

void FaultInjectionEnv::ClearRules() {
  std::lock_guard<std::mutex> l(mu_);
  rules_.clear();
}

uint64_t FaultInjectionEnv::injected() const {
  std::lock_guard<std::mutex> l(mu_);
  return injected_;
}

bool FaultInjectionEnv::ShouldFail(FaultOp op, const std::string& path, FaultKind* kind) {
  std::lock_guard<std::mutex> l(mu_);
  for (RuleState& r : rules_) {
    if (r.rule.op != op) continue;
    if (!r.rule.path_contains.empty() && path.find(r.rule.path_contains) == std::string::npos) {
      continue;
    }
    uint64_t n = r.seen++;
    if (n < r.rule.skip) return false;
    if (n - r.rule.skip >= r.rule.count) continue;
    *kind = r.rule.kind;
    ++injected_;
    return true;
  }
  return false;
}

void FaultInjectionEnv::RecordWrite(const std::string& path, uint64_t offset, Bytes old_bytes,
                                    uint64_t old_size) {
  std::lock_guard<std::mutex> l(mu_);
  unsynced_[path].push_back({offset, std::move(old_bytes), old_size});
}

void FaultInjectionEnv::RecordSync(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  unsynced_.erase(path);
}

Status FaultInjectionEnv::SimulatePowerLoss() {
  std::map<std::string, std::vector<Undo>> pending;
  {
    std::lock_guard<std::mutex> l(mu_);
    pending.swap(unsynced_);
  }
  for (auto& [path, undos] : pending) {
    IMMUDB_ASSIGN_OR_RETURN(auto file, base_->OpenFile(path, false));
    for (auto it = undos.rbegin(); it != undos.rend(); ++it) {
      if (!it->old_bytes.empty()) {
        IMMUDB_RETURN_IF_ERROR(file->Write(it->offset, it->old_bytes));
      }
      IMMUDB_ASSIGN_OR_RETURN(uint64_t size, file->Size());
      if (size > it->old_size) IMMUDB_RETURN_IF_ERROR(file->Truncate(it->old_size));
    }
    IMMUDB_RETURN_IF_ERROR(file->Sync());
  }
  return Status::Ok();
}

Result<std::unique_ptr<RandomRWFile>> FaultInjectionEnv::OpenFile(const std::string& path,
                                                                  bool create) {
  IMMUDB_ASSIGN_OR_RETURN(auto base, base_->OpenFile(path, create));
  return std::unique_ptr<RandomRWFile>(new FaultFile(this, std::move(base)));
}

}  // namespace immudb::store
