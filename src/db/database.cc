// Database: opening, the indexer (store -> index) and the shared read path.
#include "db/database.h"

#include <pthread.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "db/encoding.h"
#include "db/errors.h"

namespace immudb::db {

namespace fs = std::filesystem;

uint64_t NowUnixSeconds() { return uint64_t(std::time(nullptr)); }

namespace {

constexpr size_t kCatchUpBatchTxs = 1024;
constexpr size_t kCatchUpBatchWrites = 32768;

Bytes EncodeValueRef(const store::ValueRef& r) {
  Bytes b;
  AppendU64(b, r.offset);
  AppendU32(b, r.length);
  return b;
}

std::optional<KvMetadata> MdOrNull(const KvMetadata& md) {
  if (md.IsEmpty()) return std::nullopt;
  return md;
}

}  // namespace

Database::Database(std::string name, std::string dir, DatabaseSettings settings)
    : name_(std::move(name)), dir_(std::move(dir)), settings_(settings) {}

Database::~Database() { (void)Close(); }

Result<std::unique_ptr<Database>> Database::Open(const std::string& name, const std::string& dir,
                                                 const DatabaseSettings& settings,
                                                 const CommitTuning& tuning) {
  IMMUDB_RETURN_IF_ERROR(settings.Validate());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create database folder " + dir + ": " + ec.message());
  std::unique_ptr<Database> db(new Database(name, dir, settings));

  store::Options so;
  so.create_if_missing = true;
  so.segment_size = settings.file_size;
  so.preallocate = settings.prealloc_files;
  so.synced = settings.synced;
  so.header_version = int32_t(settings.write_tx_header_version);
  so.max_entries_per_tx = settings.max_tx_entries;
  so.max_key_len = settings.max_key_len;
  so.max_value_len = settings.max_value_len;
  so.group_delay = tuning.group_delay;
  so.group_delay_min_txs = tuning.group_delay_min_txs;
  if (settings.exclude_commit_time) so.clock = [] { return int64_t(0); };
  IMMUDB_ASSIGN_OR_RETURN(db->store_, store::Store::Open((fs::path(dir) / "store").string(), so));
  IMMUDB_RETURN_IF_ERROR(db->OpenIndex());

  Database* self = db.get();
  if (settings.sync_indexing) {
    // Index each committed group before its writers are acknowledged (OnCommitted).
    db->pipe_min_entries_ = tuning.index_pipeline_min_entries;
    if (db->pipe_min_entries_ > 0) {
      db->pipe_thread_ = std::thread([self] { self->IndexPipelineLoop(); });
    }
    db->store_->SetCommitListener([self](std::span<store::Tx> group) { self->OnCommitted(group); });
  } else {
    db->indexer_ = std::thread([self] { self->BackgroundIndexer(); });
    db->store_->SetCommitListener([self](std::span<const store::Tx> group) {
      self->index_target_.store(group.back().header.id, std::memory_order_release);
      std::lock_guard<std::mutex> l(self->indexer_wake_mu_);
      self->indexer_wake_.notify_one();
    });
  }
  return db;
}

Status Database::OpenIndex() {
  std::string path = (fs::path(dir_) / "index").string();
  index::IndexOptions io;
  io.block_cache_bytes = settings_.index_cache_bytes;
  io.write_buffer_bytes = settings_.index_write_buffer_bytes;
  uint64_t last = store_->CurrentState().tx_id;
  auto idx = index::Index::Open(path, io);
  if (idx.ok() && (*idx)->Watermark() > last) {
    // The index saw txs the store no longer has (an unsynced store lost its tail): rebuild.
    (void)(*idx)->Close();
    idx = Status(Code::kCorruption, "index ahead of store");
  }
  if (!idx.ok()) {
    open_report_.rebuilt = true;
    IMMUDB_RETURN_IF_ERROR(index::Index::Destroy(path));
    idx = index::Index::Open(path, io);
    if (!idx.ok()) return idx.status();
  }
  index_ = std::move(idx).value();
  uint64_t before = index_->Watermark();
  IMMUDB_RETURN_IF_ERROR(CatchUpTo(last));
  open_report_.caught_up_txs = index_->Watermark() - before;
  return Status::Ok();
}

Status Database::Close() {
  std::lock_guard<std::mutex> cl(close_mu_);
  if (closed_) return Status::Ok();
  closed_ = true;
  Status st = store_ ? store_->Close() : Status::Ok();
  closing_.store(true);
  {
    std::lock_guard<std::mutex> l(indexer_wake_mu_);
    indexer_wake_.notify_all();
  }
  if (indexer_.joinable()) indexer_.join();
  if (store_) store_->SetCommitListener(nullptr);
  // The store is closed: no group comes any more, and every writer was answered (their
  // completions waited for the pipeline). Whatever is still queued is applied first.
  {
    std::lock_guard<std::mutex> l(pipe_mu_);
    pipe_stop_ = true;
  }
  pipe_cv_.notify_all();
  if (pipe_thread_.joinable()) pipe_thread_.join();
  if (index_) {
    std::lock_guard<std::mutex> l(index_mu_);
    Status ist = index_->Close();
    if (st.ok()) st = ist;
  }
  return st;
}

int32_t Database::header_version() const { return store_->header_version(); }

uint64_t Database::LastCommittedTx() const { return store_->CurrentState().tx_id; }

ImmutableState Database::CurrentState() const {
  store::StoreState s = store_->CurrentState();
  ImmutableState out;
  out.db = name_;
  out.tx_id = s.tx_id;
  out.tx_hash = s.alh;
  out.precommitted_tx_id = s.tx_id;
  out.precommitted_tx_hash = s.alh;
  return out;
}

void Database::BackgroundIndexer() {
  for (;;) {
    {
      std::unique_lock<std::mutex> l(indexer_wake_mu_);
      indexer_wake_.wait_for(l, std::chrono::milliseconds(200), [&] {
        return closing_.load() || index_target_.load() > index_->Watermark();
      });
    }
    if (closing_.load()) return;
    (void)CatchUpTo(index_target_.load());
  }
}

Status Database::CatchUpTo(uint64_t target) {
  if (index_->Watermark() >= target) return Status::Ok();
  {
    // Handed to the index thread: wait for it rather than read the txs back from the store.
    std::unique_lock<std::mutex> l(pipe_mu_);
    pipe_done_cv_.wait(l, [&] { return index_->Watermark() >= target || pipe_upto_ < target; });
  }
  if (index_->Watermark() >= target) return Status::Ok();
  std::lock_guard<std::mutex> l(index_mu_);
  return CatchUpLocked(target);
}

void Database::OnCommitted(std::span<store::Tx> group) {
  if (group.empty()) return;
  size_t entries = 0;
  for (const store::Tx& tx : group) entries += tx.entries.size();
  std::unique_lock<std::mutex> l(pipe_mu_);
  // A small group goes straight in, unless an earlier group is still queued or being
  // indexed: the index thread then takes it too, behind that one.
  if (!pipe_thread_.joinable() || pipe_stop_ ||
      (entries < pipe_min_entries_ && !pipe_busy_ && pipe_queue_.empty())) {
    l.unlock();
    // A failure here is not fatal: writers and readers retry the catch-up themselves.
    (void)CatchUpWith(group);
    return;
  }
  // At most two groups wait behind the one being indexed: past that the committer waits,
  // as it would if it indexed the group itself.
  constexpr size_t kMaxQueuedGroups = 2;
  pipe_cv_.wait(l, [&] { return pipe_queue_.size() < kMaxQueuedGroups || pipe_stop_; });
  pipe_queue_.emplace_back(std::make_move_iterator(group.begin()),
                           std::make_move_iterator(group.end()));
  pipe_upto_ = group.back().header.id;
  l.unlock();
  pipe_cv_.notify_all();
}

void Database::IndexPipelineLoop() {
  pthread_setname_np(pthread_self(), "db-index");
  for (;;) {
    std::vector<store::Tx> group;
    {
      std::unique_lock<std::mutex> l(pipe_mu_);
      pipe_cv_.wait(l, [&] { return pipe_stop_ || !pipe_queue_.empty(); });
      if (pipe_queue_.empty()) return;  // stopping and drained
      group = std::move(pipe_queue_.front());
      pipe_queue_.pop_front();
      pipe_busy_ = true;
    }
    pipe_cv_.notify_all();  // room in the queue
    Status st = CatchUpWith(group);
    {
      std::lock_guard<std::mutex> l(pipe_mu_);
      pipe_busy_ = false;
      // Given up: waiters index what they need themselves (CatchUpTo reads the store), and
      // the next group handed over catches up the gap first (CatchUpWith).
      if (!st.ok() && pipe_queue_.empty()) pipe_upto_ = index_->Watermark();
      pipe_done_cv_.notify_all();
    }
  }
}

namespace {

// What the index records of tx's entries.
index::IndexTx ToIndexTx(const store::Tx& tx) {
  index::IndexTx it;
  it.tx = tx.header.id;
  it.writes.reserve(tx.entries.size());
  for (size_t i = 0; i < tx.entries.size(); ++i) {
    const ledger::TxEntry& e = tx.entries[i];
    if (e.metadata.non_indexable) continue;
    index::IndexWrite w;
    w.key = e.key;
    w.entry_index = uint32_t(i);
    w.deleted = e.metadata.deleted;
    w.expires_at = e.metadata.expires_at;
    w.metadata = e.metadata.Encode();
    w.value_len = e.value_len;
    w.value_hash = e.value_hash;
    w.value_ref = EncodeValueRef(tx.value_refs[i]);
    it.writes.push_back(std::move(w));
  }
  return it;
}

// Feeds txs to the index in batches of at most kCatchUpBatchTxs txs / kCatchUpBatchWrites
// writes.
class IndexBatcher {
 public:
  explicit IndexBatcher(index::Index* index) : index_(index) {}
  Status Add(const store::Tx& tx) {
    batch_.push_back(ToIndexTx(tx));
    writes_ += batch_.back().writes.size();
    if (batch_.size() >= kCatchUpBatchTxs || writes_ >= kCatchUpBatchWrites) return Flush();
    return Status::Ok();
  }
  Status Flush() {
    if (batch_.empty()) return Status::Ok();
    Status st = index_->Apply(batch_);
    batch_.clear();
    writes_ = 0;
    return st;
  }

 private:
  index::Index* index_;
  std::vector<index::IndexTx> batch_;
  size_t writes_ = 0;
};

}  // namespace

Status Database::CatchUpLocked(uint64_t target) {
  if (!index_) return Unavailable("database is closed");
  uint64_t from = index_->Watermark() + 1;
  if (target < from) return Status::Ok();
  IndexBatcher batcher(index_.get());
  IMMUDB_RETURN_IF_ERROR(
      store_->ForEachTx(from, target, [&](const store::Tx& tx) { return batcher.Add(tx); }));
  return batcher.Flush();
}

Status Database::CatchUpWith(std::span<const store::Tx> group) {
  if (group.empty()) return Status::Ok();
  const uint64_t first = group.front().header.id;
  const uint64_t last = group.back().header.id;
  if (index_->Watermark() >= last) return Status::Ok();
  std::lock_guard<std::mutex> l(index_mu_);
  if (!index_) return Unavailable("database is closed");
  // Behind the group (an earlier catch-up failed): read the gap from the store first.
  if (index_->Watermark() + 1 < first) IMMUDB_RETURN_IF_ERROR(CatchUpLocked(first - 1));
  uint64_t from = index_->Watermark() + 1;
  if (from > last) return Status::Ok();
  IndexBatcher batcher(index_.get());
  for (const store::Tx& tx : group.subspan(static_cast<size_t>(from - first))) {
    IMMUDB_RETURN_IF_ERROR(batcher.Add(tx));
  }
  return batcher.Flush();
}

Status Database::WaitForIndexingUpto(uint64_t tx) {
  if (index_->Watermark() >= tx) return Status::Ok();
  IMMUDB_RETURN_IF_ERROR(CatchUpTo(tx));
  if (index_->Watermark() < tx) return errors::TxNotFound();
  return Status::Ok();
}

Status Database::FlushIndex() {
  IMMUDB_RETURN_IF_ERROR(CatchUpTo(LastCommittedTx()));
  return index_->Flush();
}

Status Database::CompactIndex() { return index_->Compact(); }

Result<Database::ReadCtx> Database::PrepareRead(uint64_t since_tx, bool no_wait, bool wait_all) {
  uint64_t last = LastCommittedTx();
  if (since_tx > last) {
    return errors::IllegalArguments("SinceTx must not be greater than the current transaction ID");
  }
  if (!no_wait) {
    uint64_t until = since_tx;
    if (until == 0 && wait_all) until = last;
    IMMUDB_RETURN_IF_ERROR(WaitForIndexingUpto(until));
  }
  return ReadCtx{index_->Watermark(), NowUnixSeconds()};
}

Result<index::IndexedEntry> Database::LiveVersion(ByteView store_key, const ReadCtx& rc) {
  auto v = index_->Latest(store_key, rc.at_tx);
  if (!v.ok()) {
    if (v.status().code() == Code::kNotFound) return errors::KeyNotFound();
    return v.status();
  }
  if (v->deleted) return errors::KeyNotFound();
  if (v->ExpiredAt(rc.now)) return errors::ExpiredEntry();
  return v;
}

Result<Bytes> Database::ReadIndexedValue(const index::IndexedEntry& e) {
  if (e.value_ref.size() != 12) return Corruption("corrupted index: bad value reference");
  store::ValueRef ref;
  ref.tx_id = e.tx;
  ref.offset = GetU64(e.value_ref.data());
  ref.length = GetU32(e.value_ref.data() + 8);
  ref.hash = e.value_hash;
  return store_->ReadValue(ref);
}

Result<std::pair<ledger::TxEntry, Bytes>> Database::ReadEntryAtTx(ByteView store_key, uint64_t tx,
                                                                  uint64_t now) {
  auto t = store_->ReadTx(tx);
  if (!t.ok()) {
    if (t.status().code() == Code::kNotFound) return errors::TxNotFound();
    return t.status();
  }
  auto i = t->FindEntry(store_key);
  if (!i.ok()) return errors::KeyNotFound();
  const ledger::TxEntry& e = t->entries[*i];
  if (e.metadata.expires_at && *e.metadata.expires_at <= now) return errors::ExpiredEntry();
  IMMUDB_ASSIGN_OR_RETURN(Bytes v, store_->ReadValue(t->value_refs[*i]));
  return std::make_pair(e, std::move(v));
}

Result<Entry> Database::ResolveValue(ByteView store_key, const Bytes& value, uint64_t tx,
                                     const KvMetadata& md, uint64_t revision, int resolved,
                                     const ReadCtx* rc) {
  if (md.deleted) return errors::KeyNotFound();
  if (value.empty()) {
    return Corruption("data is corrupted: internal value consistency error - missing value prefix");
  }
  if (value[0] == kReferenceValuePrefix) {
    if (resolved >= 1) return errors::KeyResolutionLimitReached();
    IMMUDB_ASSIGN_OR_RETURN(ReferenceValue ref, ParseReferenceValue(value));
    Entry e;
    if (rc != nullptr) {
      IMMUDB_ASSIGN_OR_RETURN(e, GetAtTx(ref.referenced_key, ref.at_tx, resolved + 1, *rc));
    } else {
      e.key.assign(ref.referenced_key.begin() + 1, ref.referenced_key.end());
      e.tx = ref.at_tx;
    }
    Reference r;
    r.tx = tx;
    r.key.assign(store_key.begin() + 1, store_key.end());
    r.metadata = MdOrNull(md);
    r.at_tx = ref.at_tx;
    r.revision = revision;
    e.referenced_by = std::move(r);
    return e;
  }
  Entry e;
  e.tx = tx;
  e.key.assign(store_key.begin() + 1, store_key.end());
  e.metadata = MdOrNull(md);
  e.value.assign(value.begin() + 1, value.end());
  e.revision = revision;
  return e;
}

Result<Entry> Database::GetAtTx(ByteView store_key, uint64_t at_tx, int resolved,
                                const ReadCtx& rc) {
  if (at_tx == 0) {
    IMMUDB_ASSIGN_OR_RETURN(index::IndexedEntry v, LiveVersion(store_key, rc));
    IMMUDB_ASSIGN_OR_RETURN(Bytes value, ReadIndexedValue(v));
    IMMUDB_ASSIGN_OR_RETURN(KvMetadata md, KvMetadata::Parse(v.metadata));
    return ResolveValue(store_key, value, v.tx, md, v.revision, resolved, &rc);
  }
  IMMUDB_ASSIGN_OR_RETURN(auto ev, ReadEntryAtTx(store_key, at_tx, rc.now));
  return ResolveValue(store_key, ev.second, at_tx, ev.first.metadata, 0, resolved, &rc);
}

Status Database::CheckResultLimit(uint64_t limit) const {
  if (limit > settings_.max_result_size) {
    return errors::ResultSizeLimitExceeded(limit, settings_.max_result_size);
  }
  return Status::Ok();
}

}  // namespace immudb::db
