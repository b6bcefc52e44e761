// The commit path: writers validate and hash their transaction, queue it and wait; one
// committer thread takes the whole queue, gives each tx its id, header and Alh, appends the
// group to the value log, tx log and ahtree nodes, syncs, appends the group's commit records,
// syncs again (one fdatasync per file per group), publishes the new state and wakes writers.
// Under many concurrent writers (the previous group held >= group_delay_min_txs txs and
// fewer are queued), the committer waits group_delay (100 us) once before cutting the next
// group, so the writers share fewer groups and fdatasyncs; a lone writer never waits.
// A CommitAsync writer does not wait: its tx goes to the completion thread, which runs its
// callback, so one wake-up per group replaces one per writer. (The commit listener runs on
// the committer: the database indexes small groups there and hands large ones to its own
// index thread; moving every group off the committer let it start smaller groups and cost
// throughput, docs/benchmarks.md.)
//
// Sync order: values and tx records are durable before any commit record that points at them
// is written, so a durable commit record always describes durable data. The ahtree nodes are
// derived data (recovery rebuilds them from the commit log's Alhs after the last checkpoint),
// so they are only synced at checkpoints.
#include <pthread.h>

#include <algorithm>
#include <ctime>
#include <string_view>
#include <unordered_set>

#include "store/log_format.h"
#include "store/store_impl.h"
#include "store/tx_record.h"

namespace immudb::store {
namespace {

// Groups are cut when their values pass this size, to bound the committer's buffers.
constexpr size_t kMaxGroupValueBytes = 64u << 20;

std::string KeyForMessage(ByteView key) {
  constexpr size_t kShown = 32;
  std::string hex = HexEncode(key.first(std::min(key.size(), kShown)));
  return key.size() > kShown ? hex + "..." : hex;
}

}  // namespace

Status Store::Impl::HashEntries(int32_t version, std::vector<EntryInput>* inputs,
                               PendingTx* p) {
  std::vector<ByteView> values;
  values.reserve(inputs->size());
  for (const EntryInput& in : *inputs) values.emplace_back(in.value);
  std::vector<Digest> hashes(inputs->size());
  if (!values.empty()) crypto::Sha256Many(values, hashes.data());
  p->entries.resize(inputs->size());
  p->mds.resize(inputs->size());
  for (size_t i = 0; i < inputs->size(); ++i) {
    ledger::TxEntry& e = p->entries[i];
    e.key = std::move((*inputs)[i].key);
    e.metadata = (*inputs)[i].metadata;
    e.value_hash = hashes[i];
    e.value_len = static_cast<uint32_t>((*inputs)[i].value.size());
    p->mds[i] = e.metadata.Encode();
  }
  IMMUDB_ASSIGN_OR_RETURN(p->eh, ledger::ComputeEh(version, p->entries));
  p->inputs = std::move(*inputs);
  return Status::Ok();
}

Status Store::Impl::Prepare(std::vector<EntryInput> inputs, CommitOptions options,
                            PendingTx* pending) {
  const int32_t version = meta_.header_version;
  if (inputs.empty() && !options.metadata.truncated_upto_tx.has_value()) {
    return InvalidArgument("a transaction needs at least one entry");
  }
  if (inputs.size() > opts_.max_entries_per_tx) {
    return InvalidArgument("too many entries in one transaction: " + std::to_string(inputs.size()) +
                           " (max " + std::to_string(opts_.max_entries_per_tx) + ")");
  }
  if (version == ledger::kTxHeaderVersion0 && inputs.size() > ledger::kMaxEntriesV0) {
    return InvalidArgument("tx header version 0 allows at most 65535 entries");
  }
  if (version == ledger::kTxHeaderVersion0 && !options.metadata.IsEmpty()) {
    return InvalidArgument("tx metadata needs tx header version 1 (store uses version 0)");
  }
  PendingTx& p = *pending;
  IMMUDB_ASSIGN_OR_RETURN(p.txmd, options.metadata.Encode());
  p.metadata = std::move(options.metadata);
  p.precondition = std::move(options.precondition);
  p.ts = options.timestamp;

  // Limits and duplicates, before any hashing.
  std::vector<ByteView> keys;
  keys.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const EntryInput& in = inputs[i];
    if (in.key.empty()) return InvalidArgument("entry " + std::to_string(i) + ": empty key");
    if (in.key.size() > opts_.max_key_len) {
      return InvalidArgument("entry " + std::to_string(i) + ": key of " +
                             std::to_string(in.key.size()) + " bytes exceeds the maximum of " +
                             std::to_string(opts_.max_key_len));
    }
    if (in.value.size() > opts_.max_value_len) {
      return InvalidArgument("entry " + std::to_string(i) + ": value of " +
                             std::to_string(in.value.size()) + " bytes exceeds the maximum of " +
                             std::to_string(opts_.max_value_len));
    }
    if (version == ledger::kTxHeaderVersion0 && !in.metadata.IsEmpty()) {
      return InvalidArgument("entry metadata needs tx header version 1 (store uses version 0)");
    }
    keys.emplace_back(in.key);
  }
  std::sort(keys.begin(), keys.end(), [](ByteView a, ByteView b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  });
  for (size_t i = 1; i < keys.size(); ++i) {
    if (std::equal(keys[i].begin(), keys[i].end(), keys[i - 1].begin(), keys[i - 1].end())) {
      return InvalidArgument("duplicate key in one transaction: " + KeyForMessage(keys[i]));
    }
  }

  // Value hashes, entry digests and Eh: the writer's share of the work, done in parallel
  // with other writers and outside the committer. At most one writer per core hashes at a
  // time: more would only take CPU from the committer, which every writer waits for.
  hash_gate_.Acquire();
  Status prepared = HashEntries(version, &inputs, &p);
  hash_gate_.Release();
  return prepared;
}

Status Store::Impl::Enqueue(PendingTx* p) {
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    if (stopping_) return FailedPrecondition("store is closed");
    if (!poisoned_.ok()) {
      return FailedPrecondition("store refuses commits after a failed commit-log write (" +
                                poisoned_.message() + "); reopen it");
    }
    queue_.push_back(p);
  }
  queue_cv_.notify_one();
  return Status::Ok();
}

namespace {

Result<CommitResult> TakeResult(PendingTx& p) {
  if (!p.status.ok()) return p.status;
  CommitResult r;
  r.header = std::move(p.header);
  r.alh = p.alh;
  r.value_refs = std::move(p.value_refs);
  return r;
}

}  // namespace

Result<CommitResult> Store::Impl::Commit(std::vector<EntryInput> inputs, CommitOptions options) {
  PendingTx p;
  IMMUDB_RETURN_IF_ERROR(Prepare(std::move(inputs), std::move(options), &p));
  IMMUDB_RETURN_IF_ERROR(Enqueue(&p));
  p.done.Wait();
  return TakeResult(p);
}

Status Store::Impl::CommitAsync(std::vector<EntryInput> inputs, CommitOptions options,
                                CommitCallback done) {
  if (!done) return InvalidArgument("CommitAsync needs a callback");
  auto p = std::make_unique<PendingTx>();
  IMMUDB_RETURN_IF_ERROR(Prepare(std::move(inputs), std::move(options), p.get()));
  p->callback = std::move(done);
  IMMUDB_RETURN_IF_ERROR(Enqueue(p.get()));
  p.release();  // the committer owns it now; the completion thread deletes it
  return Status::Ok();
}

void Store::Impl::Complete(PendingTx* p) {
  if (p->callback) {
    completed_.push_back(p);
  } else {
    p->done.Notify();
  }
}

void Store::Impl::FlushCompletions() {
  if (completed_.empty()) return;
  {
    std::lock_guard<std::mutex> l(completion_mu_);
    completion_queue_.insert(completion_queue_.end(), completed_.begin(), completed_.end());
  }
  completed_.clear();
  completion_cv_.notify_one();
}

void Store::Impl::CompletionLoop() {
  std::vector<PendingTx*> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(completion_mu_);
      completion_cv_.wait(l, [this] { return completion_stop_ || !completion_queue_.empty(); });
      if (completion_queue_.empty()) return;  // stopping and drained
      batch.swap(completion_queue_);
    }
    for (PendingTx* p : batch) {
      std::unique_ptr<PendingTx> owned(p);
      CommitCallback done = std::move(p->callback);
      done(TakeResult(*p));
    }
    batch.clear();
  }
}

void Store::Impl::StartCommitter() {
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store-commit");
    CommitterLoop();
  });
  completer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store-notify");
    CompletionLoop();
  });
}

void Store::Impl::CommitterLoop() {
  std::vector<PendingTx*> batch;
  size_t prev_batch = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(queue_mu_);
      queue_cv_.wait(l, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // Group commit delay (Options::group_delay): under many concurrent writers, let
      // the next group fill up a little instead of cutting it at once.
      if (opts_.group_delay.count() > 0 && opts_.group_delay_min_txs > 0 &&
          prev_batch >= opts_.group_delay_min_txs && queue_.size() < prev_batch && !stopping_) {
        l.unlock();
        std::this_thread::sleep_for(opts_.group_delay);
        l.lock();
      }
      size_t n = std::min<size_t>(queue_.size(), opts_.max_batch_txs);
      prev_batch = n;
      batch.assign(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    }
    ProcessBatch(batch);
    batch.clear();
  }
}

void Store::Impl::ProcessBatch(std::vector<PendingTx*>& batch) {
  std::vector<PendingTx*> group;
  ResetGroupBuffers();
  for (PendingTx* p : batch) {
    Status poisoned;
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      poisoned = poisoned_;
    }
    if (!poisoned.ok()) {
      p->status = FailedPrecondition("store refuses commits after a failed commit-log write (" +
                                     poisoned.message() + "); reopen it");
      Complete(p);
      continue;
    }
    if (p->precondition) {
      // The precondition must see every earlier tx committed: flush the group first.
      WriteGroup(group);
      Status st = p->precondition(last_id_);
      if (!st.ok()) {
        p->status = st;
        Complete(p);
        continue;
      }
    }
    size_t value_bytes = 0;
    for (const EntryInput& in : p->inputs) value_bytes += in.value.size();
    if (!group.empty() && value_buf_.size() + value_bytes > kMaxGroupValueBytes) {
      WriteGroup(group);
    }
    Status st = Assign(p);
    if (!st.ok()) {
      // Assign failed part-way: undo the whole unwritten group.
      group.push_back(p);
      FailGroup(group, st);
      continue;
    }
    group.push_back(p);
  }
  WriteGroup(group);
  FlushCompletions();
}

void Store::Impl::ResetGroupBuffers() {
  // Keep the buffers' memory between groups, unless a rare large group inflated it.
  constexpr size_t kKeepCapacity = 16u << 20;
  for (Bytes* b : {&tx_buf_, &value_buf_, &commit_buf_}) {
    if (b->capacity() > kKeepCapacity) Bytes().swap(*b);
    b->clear();
  }
  group_first_id_ = last_id_ + 1;
  group_start_alh_ = last_alh_;
}

Status Store::Impl::Assign(PendingTx* p) {
  ledger::TxHeader& h = p->header;
  h.id = last_id_ + 1;
  h.ts = p->ts ? *p->ts : opts_.clock ? opts_.clock() : static_cast<int64_t>(std::time(nullptr));
  h.bl_tx_id = h.id - 1;
  if (h.bl_tx_id == 0) {
    h.bl_root = ledger::kZeroDigest;
  } else {
    IMMUDB_ASSIGN_OR_RETURN(h.bl_root, aht_->Root());
  }
  h.prev_alh = last_alh_;
  h.version = meta_.header_version;
  h.metadata = p->metadata;
  h.n_entries = static_cast<uint32_t>(p->entries.size());
  h.eh = p->eh;
  IMMUDB_ASSIGN_OR_RETURN(Digest inner, h.InnerHash());
  p->alh = ledger::ChainAlh(h.id, h.prev_alh, inner);

  // Values go to the value log back to back; the tx record points at them.
  std::vector<uint64_t> offsets(p->entries.size());
  p->value_refs.resize(p->entries.size());
  for (size_t i = 0; i < p->entries.size(); ++i) {
    const Bytes& v = p->inputs[i].value;
    offsets[i] = value_log_end_ + value_buf_.size();
    value_buf_.insert(value_buf_.end(), v.begin(), v.end());
    p->value_refs[i] = ValueRef{h.id, offsets[i], static_cast<uint32_t>(v.size()),
                                p->entries[i].value_hash};
  }
  CommitRecord rec;
  rec.tx_id = h.id;
  rec.tx_offset = tx_log_end_ + tx_buf_.size();
  rec.tx_size = static_cast<uint32_t>(
      AppendTxRecord(h, p->txmd, p->entries, p->mds, offsets, &tx_buf_));
  rec.value_log_end = value_log_end_ + value_buf_.size();
  rec.alh = p->alh;
  commit_buf_.resize(commit_buf_.size() + format::kCommitRecordSize);
  EncodeCommitRecord(rec, commit_buf_.data() + commit_buf_.size() - format::kCommitRecordSize);

  IMMUDB_RETURN_IF_ERROR(aht_->Append(p->alh));
  last_id_ = h.id;
  last_alh_ = p->alh;
  return Status::Ok();
}

void Store::Impl::FailGroup(std::vector<PendingTx*>& group, const Status& st) {
  last_id_ = group_first_id_ - 1;
  last_alh_ = group_start_alh_;
  aht_->Rollback();
  for (PendingTx* p : group) {
    p->status = st;
    Complete(p);
  }
  group.clear();
  ResetGroupBuffers();
  FlushCompletions();
}

void Store::Impl::WriteGroup(std::vector<PendingTx*>& group) {
  if (group.empty()) {
    ResetGroupBuffers();
    return;
  }
  const uint64_t first = group_first_id_;
  const uint64_t last = last_id_;
  // Phase 1: values, tx records and ahtree nodes; values and tx records made durable.
  Status st;
  if (!value_buf_.empty()) st = value_log_->Write(value_log_end_, value_buf_);
  if (st.ok()) st = tx_log_->Write(tx_log_end_, tx_buf_);
  if (st.ok() && opts_.synced) {
    if (value_buf_.empty()) {
      st = tx_log_->Sync();
    } else {
      st = sync_helper_.Run([this] { return value_log_->Sync(); },
                            [this] { return tx_log_->Sync(); });
    }
  }
  // Segment creation and space reservation for the commit records happen here, where a
  // failure (e.g. ENOSPC) still leaves nothing committed.
  if (st.ok()) st = commit_log_->Prepare(CommitRecordOffset(first), commit_buf_.size());
  // Last step of phase 1: once flushed, the staged ahtree nodes cannot be rolled back.
  if (st.ok()) st = aht_->Flush();
  if (!st.ok()) {
    FailGroup(group, st);
    return;
  }
  // Phase 2: the commit records. From here a failure leaves the outcome unknown.
  st = commit_log_->Write(CommitRecordOffset(first), commit_buf_);
  if (st.ok() && opts_.synced) st = commit_log_->Sync();
  if (!st.ok()) {
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      poisoned_ = st;
    }
    FailGroup(group, Status(st.code(), st.message() + " (while writing commit records of txs " +
                                           std::to_string(first) + ".." + std::to_string(last) +
                                           "; their outcome is unknown until reopen)"));
    return;
  }
  tx_log_end_ += tx_buf_.size();
  value_log_end_ += value_buf_.size();
  // Their Eh was computed from these very entries by HashEntries: nothing to re-hash.
  verified_.Add(first, last);
  {
    std::lock_guard<std::mutex> l(state_mu_);
    state_ = StoreState{last, last_alh_};
    committed_.store(last, std::memory_order_release);
  }
  commit_cv_.notify_all();
  {
    std::lock_guard<std::mutex> l(listener_mu_);
    if (listener_) {
      // The group as readers would see it, without reading it back: the entries are no
      // longer needed by the writers (they get header, Alh and value refs).
      listener_txs_.resize(group.size());
      for (size_t i = 0; i < group.size(); ++i) {
        Tx& t = listener_txs_[i];
        t.header = group[i]->header;
        t.alh = group[i]->alh;
        t.entries = std::move(group[i]->entries);
        t.value_refs = group[i]->value_refs;
      }
      listener_(std::span<Tx>(listener_txs_));
      listener_txs_.clear();
    }
  }
  for (PendingTx* p : group) {
    p->status = Status::Ok();
    Complete(p);
  }
  group.clear();
  FlushCompletions();
  if (opts_.checkpoint_interval > 0 && last_id_ - last_checkpoint_id_ >= opts_.checkpoint_interval) {
    // A failed checkpoint loses nothing: the previous one stays valid and recovery re-checks
    // more transactions. It is retried after the next group.
    Status ignored = TakeCheckpoint();
    (void)ignored;
  }
  ResetGroupBuffers();
}

Status Store::Impl::TakeCheckpoint() {
  Checkpoint cp;
  cp.tx_id = last_id_;
  cp.alh = last_alh_;
  cp.tx_log_end = tx_log_end_;
  cp.value_log_end = value_log_end_;
  if (last_id_ > 0) {
    IMMUDB_ASSIGN_OR_RETURN(cp.aht_root, aht_->Root());
  }
  IMMUDB_RETURN_IF_ERROR(value_log_->Sync());
  IMMUDB_RETURN_IF_ERROR(tx_log_->Sync());
  IMMUDB_RETURN_IF_ERROR(aht_file_->Sync());
  IMMUDB_RETURN_IF_ERROR(commit_log_->Sync());
  IMMUDB_RETURN_IF_ERROR(WriteCheckpoint(env_, dir_, cp));
  last_checkpoint_id_ = last_id_;
  return Status::Ok();
}

bool Store::Impl::WaitForCommit(uint64_t tx_id, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(state_mu_);
  commit_cv_.wait_for(l, timeout, [&] { return closed_ || committed() >= tx_id; });
  return committed() >= tx_id;
}

void Store::Impl::SetCommitListener(Store::CommitListener listener) {
  std::lock_guard<std::mutex> l(listener_mu_);
  listener_ = std::move(listener);
}

}  // namespace immudb::store
