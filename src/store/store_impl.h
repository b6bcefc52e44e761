// Store::Impl: the store's state, shared by store.cc (open/close, facade), committer.cc
// (group commit), recovery.cc (open-time checks), reader.cc (reads and proofs) and
// verify.cc. Internal to src/store.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/aht_nodes.h"
#include "store/commit_log.h"
#include "store/segmented_file.h"
#include "store/store.h"
#include "store/store_files.h"
#include "store/sync_helper.h"
#include "store/verified_txs.h"
#include "store/waiters.h"

namespace immudb::store {

// A transaction waiting for the committer. Everything that needs no ordering (value
// hashes, entry digests, Eh, the encoded metadata) is computed by the writer beforehand.
struct PendingTx {
  std::vector<EntryInput> inputs;        // values still needed; keys moved into entries
  std::vector<ledger::TxEntry> entries;
  std::vector<Bytes> mds;                // entries' encoded KV metadata
  ledger::TxMetadata metadata;
  Bytes txmd;                            // metadata encoded
  Digest eh{};
  std::function<Status(uint64_t)> precondition;
  std::optional<int64_t> ts;             // replication: the header's own timestamp

  // Filled by the committer.
  ledger::TxHeader header;
  Digest alh{};
  std::vector<ValueRef> value_refs;
  Status status;
  Notification done;             // Commit: the writer waits on it
  CommitCallback callback;       // CommitAsync: run on the completion thread instead
};

class Store::Impl {
 public:
  Impl(std::string dir, const Options& options);
  ~Impl();

  // store.cc
  Status OpenFiles();
  Status Close();

  // recovery.cc: establishes the committed prefix and the committer's state.
  Status Recover();

  // committer.cc
  Result<CommitResult> Commit(std::vector<EntryInput> entries, CommitOptions options);
  Status CommitAsync(std::vector<EntryInput> entries, CommitOptions options,
                     CommitCallback done);
  // The writer's share of a commit: limits, duplicates, value hashes and Eh into *p.
  Status Prepare(std::vector<EntryInput> inputs, CommitOptions options, PendingTx* p);
  // Queues p for the committer; FailedPrecondition if the store is closed or poisoned.
  Status Enqueue(PendingTx* p);
  // Hands a finished p (status set) to its writer: wakes it, or (CommitAsync) passes it to
  // the completion thread with the next FlushCompletions.
  void Complete(PendingTx* p);
  void FlushCompletions();
  void CompletionLoop();
  void StartCommitter();
  bool WaitForCommit(uint64_t tx_id, std::chrono::milliseconds timeout);
  void SetCommitListener(Store::CommitListener listener);
  Status TakeCheckpoint();

  // reader.cc
  StoreState CurrentState() const;
  uint64_t committed() const { return committed_.load(std::memory_order_acquire); }
  Result<Tx> ReadTx(uint64_t id) const;
  Result<ledger::TxHeader> ReadTxHeader(uint64_t id) const;
  Result<Digest> ReadAlh(uint64_t id) const;
  Result<Bytes> ReadValue(const ValueRef& ref) const;
  Status ForEachTx(uint64_t from, uint64_t to, const std::function<Status(const Tx&)>& fn) const;
  Result<ledger::DualProof> DualProof(uint64_t s, uint64_t t) const;
  Result<ledger::DualProofV2> DualProofV2(uint64_t s, uint64_t t) const;
  Result<ledger::LinearProof> LinearProof(uint64_t s, uint64_t t) const;
  Result<std::pair<ledger::TxEntry, ledger::HTreeProof>> EntryProof(uint64_t tx,
                                                                    ByteView key) const;
  Result<std::vector<Digest>> AhtInclusionProof(uint64_t i, uint64_t j) const;
  Result<std::vector<Digest>> AhtConsistencyProof(uint64_t i, uint64_t j) const;
  Result<Digest> AhtRoot(uint64_t n) const;
  // Reads the tx record a commit record points at, decodes it and checks it against the
  // record (id, Alh). Corruption naming the file and offset otherwise.
  // With header_only the entries are checksummed but not decoded.
  Status ReadTxAt(const CommitRecord& rec, Tx* tx, bool header_only = false) const;
  // ReadTxAt plus the read-time integrity check: unless the tx is in verified_, recomputes
  // its entry digests and Eh and compares them with the header (whose Alh ReadTxAt already
  // matched with the commit log), then adds it to verified_. Corruption "tx data is
  // corrupted: ALH mismatch at tx N (<file, offset, reason>)" on mismatch. Every path that
  // hands entries to a caller goes through this.
  Status ReadVerifiedTxAt(const CommitRecord& rec, Tx* tx) const;
  // Recomputes Eh from tx's entries (header version and entry count included) and compares
  // it with tx.header.eh; `where` names the record. Counts in txs_hashed_on_read_.
  Status CheckEntriesHashToEh(const Tx& tx, const std::string& where) const;

  // verify.cc
  Status Verify() const;

  const std::string dir_;
  Options opts_;
  Env* env_;
  StoreMeta meta_;

  std::unique_ptr<RandomRWFile> lock_;
  std::unique_ptr<SegmentedFile> tx_log_;
  std::unique_ptr<SegmentedFile> value_log_;
  std::unique_ptr<SegmentedFile> commit_log_;
  std::unique_ptr<SegmentedFile> aht_file_;
  std::unique_ptr<AhtNodes> aht_;

  // Txs whose entries are known to hash to their Eh in this open (committed by this
  // process, checked by recovery, or re-hashed once by a read).
  mutable VerifiedTxs verified_;
  // Txs whose entries a read re-hashed since open (tests, metrics).
  mutable std::atomic<uint64_t> txs_hashed_on_read_{0};

  // Published state: the committed prefix readers may see.
  std::atomic<uint64_t> committed_{0};
  mutable std::mutex state_mu_;
  std::condition_variable commit_cv_;  // signalled on every publish and on close
  StoreState state_;                   // guarded by state_mu_
  bool closed_ = false;                // guarded by state_mu_

  // Committer-only state (set by Recover before the committer starts).
  uint64_t last_id_ = 0;
  Digest last_alh_{};
  uint64_t tx_log_end_ = 0;
  uint64_t value_log_end_ = 0;
  uint64_t last_checkpoint_id_ = 0;

  // The queue between writers and the committer.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingTx*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;         // guarded by queue_mu_
  Status poisoned_;               // guarded by queue_mu_: set when the commit log may be torn
  std::thread committer_;

  // CommitAsync callbacks: the committer collects finished txs in completed_ and hands them
  // over once per group; the completion thread runs their callbacks in commit order.
  std::vector<PendingTx*> completed_;        // committer-only
  std::mutex completion_mu_;
  std::condition_variable completion_cv_;
  std::vector<PendingTx*> completion_queue_;  // guarded by completion_mu_
  bool completion_stop_ = false;              // guarded by completion_mu_
  std::thread completer_;

  // Writers hashing at once (one per core).
  CountingGate hash_gate_{std::max(1u, std::thread::hardware_concurrency())};

  std::mutex listener_mu_;
  Store::CommitListener listener_;  // guarded by listener_mu_
  std::vector<Tx> listener_txs_;    // committer-only: the group handed to listener_

 private:
  // Hashes values, computes entry digests and Eh into p, moving keys and values of inputs.
  Status HashEntries(int32_t version, std::vector<EntryInput>* inputs, PendingTx* p);
  void CommitterLoop();
  void ProcessBatch(std::vector<PendingTx*>& batch);
  // Gives `tx` its id, header and Alh and stages its bytes in the group buffers.
  Status Assign(PendingTx* tx);
  // Writes the staged group, syncs, publishes and wakes its writers.
  void WriteGroup(std::vector<PendingTx*>& group);
  void FailGroup(std::vector<PendingTx*>& group, const Status& st);
  void ResetGroupBuffers();

  SyncHelper sync_helper_;  // second thread for the value-log sync

  // Group buffers (committer only).
  Bytes tx_buf_;
  Bytes value_buf_;
  Bytes commit_buf_;
  uint64_t group_first_id_ = 0;
  Digest group_start_alh_{};
};

}  // namespace immudb::store
