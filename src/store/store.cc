// Store: opening, closing and the public facade over Store::Impl.
#include "store/store.h"

#include <algorithm>

#include "store/log_format.h"
#include "store/store_impl.h"

namespace immudb::store {

Store::Impl::Impl(std::string dir, const Options& options)
    : dir_(std::move(dir)), opts_(options), env_(options.env ? options.env : Env::Default()) {}

Store::Impl::~Impl() {
  Status ignored = Close();
  (void)ignored;
}

Status Store::Impl::OpenFiles() {
  IMMUDB_RETURN_IF_ERROR(env_->CreateDir(dir_));
  IMMUDB_ASSIGN_OR_RETURN(lock_, env_->LockFile(JoinPath(dir_, std::string(format::kLockFile))));

  auto meta = ReadStoreMeta(env_, dir_);
  if (meta.ok()) {
    meta_ = *meta;
  } else if (meta.status().code() == Code::kNotFound) {
    // No STORE: a new store, unless stream folders already exist (a damaged store must not
    // be silently re-created over its data).
    for (std::string_view sub : {format::kTxLogDir, format::kCommitLogDir}) {
      std::string d = JoinPath(dir_, std::string(sub));
      if (env_->FileExists(d)) {
        auto names = env_->ListDir(d);
        if (names.ok() && !names->empty()) {
          return Corruption(JoinPath(dir_, std::string(format::kMetaFile)) +
                            " is missing but " + d + " holds segments");
        }
      }
    }
    if (!opts_.create_if_missing) return NotFound("no store in " + dir_);
    if (opts_.header_version != 0 && opts_.header_version != 1) {
      return InvalidArgument("tx header version must be 0 or 1, not " +
                             std::to_string(opts_.header_version));
    }
    if (opts_.segment_size < 64) return InvalidArgument("segment size must be at least 64 bytes");
    meta_.header_version = opts_.header_version;
    meta_.segment_size = opts_.segment_size;
    IMMUDB_RETURN_IF_ERROR(WriteStoreMeta(env_, dir_, meta_));
  } else {
    return meta.status();
  }

  auto open = [this](std::string_view sub, std::string_view magic,
                     std::unique_ptr<SegmentedFile>* out) -> Status {
    SegmentedFileOptions so;
    so.dir = JoinPath(dir_, std::string(sub));
    so.magic = std::string(magic);
    so.segment_size = meta_.segment_size;
    so.preallocate = opts_.preallocate;
    so.allocation_step = opts_.allocation_step;
    IMMUDB_ASSIGN_OR_RETURN(*out, SegmentedFile::Open(env_, so));
    return Status::Ok();
  };
  IMMUDB_RETURN_IF_ERROR(open(format::kTxLogDir, format::kTxLogMagic, &tx_log_));
  IMMUDB_RETURN_IF_ERROR(open(format::kValueLogDir, format::kValueLogMagic, &value_log_));
  IMMUDB_RETURN_IF_ERROR(open(format::kCommitLogDir, format::kCommitLogMagic, &commit_log_));
  IMMUDB_RETURN_IF_ERROR(open(format::kAhtNodesDir, format::kAhtNodesMagic, &aht_file_));
  IMMUDB_RETURN_IF_ERROR(env_->SyncDir(dir_));
  aht_ = std::make_unique<AhtNodes>(aht_file_.get());
  return Status::Ok();
}

Status Store::Impl::Close() {
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    if (stopping_) return Status::Ok();
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  {
    std::lock_guard<std::mutex> l(completion_mu_);
    completion_stop_ = true;
  }
  completion_cv_.notify_all();
  if (completer_.joinable()) completer_.join();
  Status st;
  bool poisoned;
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    poisoned = !poisoned_.ok();
  }
  // A checkpoint after a failed commit-log write could vouch for a torn record.
  if (aht_ != nullptr && !poisoned && last_id_ != last_checkpoint_id_) st = TakeCheckpoint();
  {
    std::lock_guard<std::mutex> l(state_mu_);
    closed_ = true;
  }
  commit_cv_.notify_all();
  lock_.reset();  // another Store may open the directory now; our reads stay valid
  return st;
}

// ---- facade ----------------------------------------------------------------------------

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const Options& options) {
  if (options.max_batch_txs == 0) return InvalidArgument("max_batch_txs must be positive");
  auto impl = std::make_unique<Impl>(dir, options);
  Status st = impl->OpenFiles();
  if (st.ok()) st = impl->Recover();
  if (!st.ok()) {
    // Nothing to checkpoint: mark the committer as stopped so the destructor does no work.
    std::lock_guard<std::mutex> l(impl->queue_mu_);
    impl->stopping_ = true;
    return st;
  }
  impl->StartCommitter();
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::Close() { return impl_->Close(); }

Result<CommitResult> Store::Commit(std::vector<EntryInput> entries, CommitOptions options) {
  return impl_->Commit(std::move(entries), std::move(options));
}
Status Store::CommitAsync(std::vector<EntryInput> entries, CommitOptions options,
                          CommitCallback done) {
  return impl_->CommitAsync(std::move(entries), std::move(options), std::move(done));
}
bool Store::WaitForCommit(uint64_t tx_id, std::chrono::milliseconds timeout) {
  return impl_->WaitForCommit(tx_id, timeout);
}
void Store::SetCommitListener(CommitListener listener) {
  impl_->SetCommitListener(std::move(listener));
}
StoreState Store::CurrentState() const { return impl_->CurrentState(); }
int32_t Store::header_version() const { return impl_->meta_.header_version; }
Result<Tx> Store::ReadTx(uint64_t id) const { return impl_->ReadTx(id); }
Result<ledger::TxHeader> Store::ReadTxHeader(uint64_t id) const { return impl_->ReadTxHeader(id); }
Result<Digest> Store::ReadAlh(uint64_t id) const { return impl_->ReadAlh(id); }
Result<Bytes> Store::ReadValue(const ValueRef& ref) const { return impl_->ReadValue(ref); }
Status Store::ForEachTx(uint64_t from_tx, uint64_t to_tx,
                        const std::function<Status(const Tx&)>& fn) const {
  return impl_->ForEachTx(from_tx, to_tx, fn);
}
Result<ledger::DualProof> Store::DualProof(uint64_t s, uint64_t t) const {
  return impl_->DualProof(s, t);
}
Result<ledger::DualProofV2> Store::DualProofV2(uint64_t s, uint64_t t) const {
  return impl_->DualProofV2(s, t);
}
Result<ledger::LinearProof> Store::LinearProof(uint64_t s, uint64_t t) const {
  return impl_->LinearProof(s, t);
}
Result<std::pair<ledger::TxEntry, ledger::HTreeProof>> Store::EntryProof(uint64_t tx_id,
                                                                         ByteView key) const {
  return impl_->EntryProof(tx_id, key);
}
Result<std::vector<Digest>> Store::AhtInclusionProof(uint64_t i, uint64_t j) const {
  return impl_->AhtInclusionProof(i, j);
}
Result<std::vector<Digest>> Store::AhtConsistencyProof(uint64_t i, uint64_t j) const {
  return impl_->AhtConsistencyProof(i, j);
}
Result<Digest> Store::AhtRoot(uint64_t n) const { return impl_->AhtRoot(n); }
Status Store::Verify() const { return impl_->Verify(); }
uint64_t Store::TxsHashedOnRead() const {
  return impl_->txs_hashed_on_read_.load(std::memory_order_relaxed);
}
const std::string& Store::dir() const { return impl_->dir_; }

// ---- Tx helpers --------------------------------------------------------------------------

Result<size_t> Tx::FindEntry(ByteView key) const {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (std::equal(entries[i].key.begin(), entries[i].key.end(), key.begin(), key.end())) return i;
  }
  return NotFound("key not found in tx " + std::to_string(header.id));
}

Result<ledger::HTreeProof> Tx::EntryProof(size_t i) const {
  IMMUDB_ASSIGN_OR_RETURN(std::vector<Digest> digests,
                          ledger::EntryDigests(header.version, entries));
  return ledger::HTree::Build(digests).Proof(i);
}

}  // namespace immudb::store
