// One immudb database: the key-value model (PROTOCOL.md 1.7 and 3) over a store and its
// key index. Thread-safe: any number of readers and writers may call concurrently.
//
// Folder layout: <dir>/store (the store, source of truth), <dir>/index (RocksDB index,
// rebuilt from the store whenever it is missing, unreadable or ahead of the store).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "base/status.h"
#include "db/settings.h"
#include "db/types.h"
#include "index/index.h"
#include "store/store.h"

namespace immudb::db {

// Server-wide commit tuning, not part of the persisted settings (the server's
// --group-commit-delay and --group-commit-min-txs; store::Options has the semantics).
struct CommitTuning {
  std::chrono::microseconds group_delay = store::Options{}.group_delay;
  uint32_t group_delay_min_txs = store::Options{}.group_delay_min_txs;
  // With synchronous indexing, a committed group of at least this many entries (or any
  // group while an earlier one is still being indexed) is indexed by the database's index
  // thread while the committer writes the next group; smaller groups are indexed on the
  // committer. Either way a writer is acknowledged only once its tx is indexed. 0 indexes
  // every group on the committer (the server's --index-pipeline-min-entries).
  uint32_t index_pipeline_min_entries = 1000;
};

// Outcome of opening a database's index, for logs and tests.
struct IndexOpenReport {
  bool rebuilt = false;         // the index folder was missing/corrupt and was recreated
  uint64_t caught_up_txs = 0;   // txs indexed at open (catch-up or rebuild)
};

class Database {
 public:
  // Opens (creating if missing) the database `name` stored in `dir`. `settings` are used at
  // creation; file_size and write_tx_header_version of an existing store keep their values.
  static Result<std::unique_ptr<Database>> Open(const std::string& name, const std::string& dir,
                                                const DatabaseSettings& settings,
                                                const CommitTuning& tuning = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Stops indexing, closes the store and flushes the index. Idempotent.
  Status Close();

  const std::string& name() const { return name_; }
  const DatabaseSettings& settings() const { return settings_; }
  const IndexOpenReport& index_open_report() const { return open_report_; }
  // Header version of the txs this database writes (0 or 1).
  int32_t header_version() const;

  // ---- state -------------------------------------------------------------------------
  ImmutableState CurrentState() const;
  uint64_t LastCommittedTx() const;
  // Last indexed tx.
  uint64_t IndexWatermark() const { return index_->Watermark(); }
  // Blocks until every tx up to `tx` is indexed (indexing them on this thread if needed).
  Status WaitForIndexingUpto(uint64_t tx);
  // Indexes a group the store just committed, from memory (the commit listener); reads
  // from the store only what the index missed before the group.
  Status CatchUpWith(std::span<const store::Tx> group);
  // FlushIndex RPC: indexes everything committed and persists the index (RocksDB flush).
  Status FlushIndex();
  // CompactIndex RPC: compacts the index's RocksDB.
  Status CompactIndex();

  // ---- key-value ---------------------------------------------------------------------
  Result<TxHeader> Set(const SetRequest& req);
  // Set without waiting: what Set refuses before committing comes back here and `done` is
  // never called; otherwise `done` gets what Set would have returned, once, on the store's
  // completion thread (store::Store::CommitAsync). Close runs every pending `done` first.
  Status SetAsync(const SetRequest& req, std::function<void(Result<TxHeader>)> done);
  Result<Entry> Get(const KeyRequest& req);
  // Entries of the keys found (missing/deleted/expired keys are skipped).
  Result<std::vector<Entry>> GetAll(const KeyListRequest& req);
  Result<TxHeader> Delete(const DeleteKeysRequest& req);
  Result<std::vector<Entry>> History(const HistoryRequest& req);
  Result<std::vector<Entry>> Scan(const ScanRequest& req);
  // Number of live (not deleted, not expired) keys starting with `prefix`.
  Result<uint64_t> Count(ByteView prefix);
  Result<VerifiableTx> VerifiableSet(const VerifiableSetRequest& req);
  // VerifiableSet without waiting, as SetAsync: refusals come back here, otherwise `done`
  // gets what VerifiableSet would have returned, once, on the store's completion thread
  // (which also builds the proof).
  Status VerifiableSetAsync(const VerifiableSetRequest& req,
                            std::function<void(Result<VerifiableTx>)> done);
  Result<VerifiableEntry> VerifiableGet(const VerifiableGetRequest& req);

  // ---- references and sorted sets ----------------------------------------------------
  Result<TxHeader> SetReference(const ReferenceRequest& req);
  Result<VerifiableTx> VerifiableSetReference(const VerifiableReferenceRequest& req);
  Result<TxHeader> ZAdd(const ZAddRequest& req);
  Result<VerifiableTx> VerifiableZAdd(const VerifiableZAddRequest& req);
  Result<std::vector<ZEntry>> ZScan(const ZScanRequest& req);
  Result<TxHeader> ExecAll(const ExecAllRequest& req);

  // ---- transactions ------------------------------------------------------------------
  Result<Tx> TxById(const TxRequest& req);
  Result<VerifiableTx> VerifiableTxById(const VerifiableTxRequest& req);
  Result<std::vector<Tx>> TxScan(const TxScanRequest& req);

  // ---- replication (replicate.cc) ---------------------------------------------------
  // immudb's ExportTx bytes of committed tx `tx` (store::Store::ExportTx); NotFound
  // ("tx not found") past the last committed tx.
  Result<Bytes> ExportTx(uint64_t tx);
  // Commits an exported tx with its original header after checking that it is the next tx
  // of this database and that its entries and header hash to what it claims
  // (store::Store::ReplicateTx), then indexes it. Returns the committed header.
  Result<TxHeader> ReplicateTx(ByteView exported);

  // The underlying store (read access for the server: export, proofs). Not owned by callers.
  store::Store& store() { return *store_; }

 private:
  Database(std::string name, std::string dir, DatabaseSettings settings);

  Status OpenIndex();
  // Indexes committed txs up to `target` (clamped to the last committed). Serialised.
  Status CatchUpTo(uint64_t target);
  Status CatchUpLocked(uint64_t target);
  void BackgroundIndexer();

  // Entry reading.
  struct ReadCtx {
    uint64_t at_tx;       // newest indexed tx visible to this read
    uint64_t now;         // Unix seconds used for expiration
  };
  Result<ReadCtx> PrepareRead(uint64_t since_tx, bool no_wait, bool wait_all);
  // Latest live version of `store_key` (NotFound if absent, deleted or expired).
  Result<index::IndexedEntry> LiveVersion(ByteView store_key, const ReadCtx& rc);
  // The store value of an indexed version.
  Result<Bytes> ReadIndexedValue(const index::IndexedEntry& e);
  // Reads `store_key` inside tx `tx` straight from the store (non-indexable entries too).
  Result<std::pair<ledger::TxEntry, Bytes>> ReadEntryAtTx(ByteView store_key, uint64_t tx,
                                                          uint64_t now);
  // immudb's resolveValue: turns a stored (key, value, md) into an Entry, following a
  // reference once. `resolved` counts references already followed.
  Result<Entry> ResolveValue(ByteView store_key, const Bytes& value, uint64_t tx,
                             const KvMetadata& md, uint64_t revision, int resolved,
                             const ReadCtx* rc);
  // immudb's getAtTx: latest live (at_tx == 0) or the version inside tx at_tx.
  Result<Entry> GetAtTx(ByteView store_key, uint64_t at_tx, int resolved, const ReadCtx& rc);

  // Writing.
  Status CheckPreconditions(const std::vector<Precondition>& pre);
  Status EvalPreconditions(const std::vector<Precondition>& pre, uint64_t last_committed);
  Result<store::CommitResult> Commit(std::vector<store::EntryInput> entries,
                                     std::function<Status(uint64_t)> check, bool no_wait);
  // The database's limits on a commit (entry count, key and value length, metadata).
  Status CheckEntries(const std::vector<store::EntryInput>& entries) const;
  // Set's entries and precondition check, before anything is committed.
  Status PrepareSet(const SetRequest& req, std::vector<store::EntryInput>* entries,
                    std::function<Status(uint64_t)>* check);
  Result<VerifiableTx> MakeVerifiableTx(uint64_t tx, uint64_t prove_since_tx);
  Result<Tx> RenderTx(const store::Tx& tx, const std::optional<EntriesSpec>& spec,
                      bool keep_refs_unresolved, const ReadCtx& rc);
  Status CheckResultLimit(uint64_t limit) const;

  const std::string name_;
  const std::string dir_;
  DatabaseSettings settings_;
  IndexOpenReport open_report_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<index::Index> index_;

  // The commit listener of synchronous indexing: indexes `group` on the committer, or hands
  // it to the index thread (CommitTuning::index_pipeline_min_entries).
  void OnCommitted(std::span<store::Tx> group);
  void IndexPipelineLoop();

  std::mutex index_mu_;  // serialises index writes
  // Index pipeline (synchronous indexing): groups the committer handed over, applied in
  // order by pipe_thread_. pipe_upto_ is the newest tx handed over and not given up on
  // (after a failed apply it falls back to the watermark, and waiters catch up themselves).
  uint32_t pipe_min_entries_ = 0;
  std::mutex pipe_mu_;
  std::condition_variable pipe_cv_;       // work queued, room in the queue, or stop
  std::condition_variable pipe_done_cv_;  // the watermark moved or the pipeline gave up
  std::deque<std::vector<store::Tx>> pipe_queue_;  // guarded by pipe_mu_
  uint64_t pipe_upto_ = 0;                         // guarded by pipe_mu_
  bool pipe_busy_ = false;                         // guarded by pipe_mu_
  bool pipe_stop_ = false;                         // guarded by pipe_mu_
  std::thread pipe_thread_;
  std::mutex indexer_wake_mu_;
  std::condition_variable indexer_wake_;
  std::atomic<uint64_t> index_target_{0};
  std::atomic<bool> closing_{false};
  std::thread indexer_;
  std::mutex close_mu_;
  bool closed_ = false;
};

// Current Unix time in seconds.
uint64_t NowUnixSeconds();

}  // namespace immudb::db
