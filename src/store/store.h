// Store: the append-only, verifiable transaction store of one database.
//
// A store is a directory of four segmented, preallocated streams (docs/format.md):
//   tx/      one record per tx: header fields and, per entry, key, metadata, value length,
//            value offset and value hash (CRC32C framed)
//   val/     values, back to back
//   commit/  one fixed-size record per tx: where its tx record lives, the value-log end and
//            its Alh (CRC32C framed). A tx exists once its commit record is durable.
//   aht/     the ahtree nodes over every tx's Alh (ledger/ahtree.h layout), so every proof
//            reads O(log n) nodes and opening does not replay history
// plus STORE (format and header version, written once) and CHECKPOINT (a synced prefix).
//
// Writers call Commit from any thread; one committer thread appends the queued transactions
// as a group and syncs once for the group (group commit). Readers never block on the
// committer: every read method sees the committed prefix [1, CurrentState().tx_id] at the
// moment it is called, and is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/ahtree.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/linear_proof.h"
#include "ledger/metadata.h"
#include "ledger/tx.h"
#include "store/env.h"

namespace immudb::store {

using crypto::Digest;

struct Options {
  // File system access; Env::Default() when null. Not owned; must outlive the Store.
  Env* env = nullptr;
  // Create an empty store when the directory holds none. Otherwise opening a missing store
  // is NotFound.
  bool create_if_missing = true;
  // Data bytes per segment file of every stream. Only used at creation; an existing store
  // keeps the size it was created with (persisted in STORE).
  uint64_t segment_size = 512ull << 20;
  // Reserve disk blocks (fallocate) ahead of the writes, allocation_step bytes at a time up
  // to the whole segment, so a commit's fdatasync rarely has to commit a file-size change
  // while a new store does not take 4 x segment_size of disk at once.
  bool preallocate = true;
  uint64_t allocation_step = 8ull << 20;
  // fdatasync before acknowledging a commit (immudb's --synced). false: the data reaches
  // the page cache only; a process crash keeps it, a power cut may lose recent commits.
  bool synced = true;
  // Header version written into every tx (immudb's writeTxHeaderVersion): 0 or 1. Only used
  // at creation; persisted in STORE. Version 0 forbids tx and entry metadata.
  int32_t header_version = ledger::kTxHeaderVersion1;
  // Limits (immudb's defaults), checked by Commit with InvalidArgument.
  uint32_t max_entries_per_tx = 1024;
  uint32_t max_key_len = 1024;
  uint32_t max_value_len = 32u << 20;
  // Largest number of transactions the committer writes as one group.
  uint32_t max_batch_txs = 1024;
  // Group commit delay: when the previous group held at least group_delay_min_txs txs and
  // fewer are queued now, the committer waits group_delay once before cutting the next
  // group, so many concurrent writers share fewer, larger groups (each group costs three
  // fdatasyncs and their wake-ups; PostgreSQL's commit_delay/commit_siblings in spirit).
  // A lone writer never waits. Zero turns it off. docs/benchmarks.md has the measurements.
  std::chrono::microseconds group_delay{100};
  uint32_t group_delay_min_txs = 12;
  // A checkpoint (everything synced, CHECKPOINT rewritten) is taken after this many
  // transactions and on Close; recovery re-checks only the transactions after it.
  uint64_t checkpoint_interval = 10000;
  // Commit timestamp source, Unix seconds. time(nullptr) when empty. A database with
  // immudb's excludeCommitTime can return 0.
  std::function<int64_t()> clock;
};

// One entry handed to Commit. The key is the full store key (with the database layer's
// prefix byte); the value is the full store value (hashed as given).
struct EntryInput {
  Bytes key;
  Bytes value;
  ledger::KvMetadata metadata;
};

// Where a committed value lives and what it must hash to.
struct ValueRef {
  uint64_t tx_id = 0;     // tx that wrote it (for error messages)
  uint64_t offset = 0;    // logical offset in the value log
  uint32_t length = 0;
  Digest hash{};          // SHA-256 of the value

  friend bool operator==(const ValueRef&, const ValueRef&) = default;
};

// A committed transaction: header, its Alh and its entries (without values).
struct Tx {
  ledger::TxHeader header;
  Digest alh{};
  std::vector<ledger::TxEntry> entries;  // in commit order
  std::vector<ValueRef> value_refs;      // value_refs[i] belongs to entries[i]

  // Index of the entry with this key, or NotFound.
  Result<size_t> FindEntry(ByteView key) const;
  // htree inclusion proof of entry i in header.eh (rebuilds the tx's htree).
  Result<ledger::HTreeProof> EntryProof(size_t i) const;
};

// What Commit returns once the tx is durable (or, with synced=false, written).
struct CommitResult {
  ledger::TxHeader header;
  Digest alh{};
  std::vector<ValueRef> value_refs;  // one per entry, in the order given
};

// Last committed tx and its Alh. {0, H("")} for an empty store.
struct StoreState {
  uint64_t tx_id = 0;
  Digest alh{};

  friend bool operator==(const StoreState&, const StoreState&) = default;
};

// Receives the outcome of a CommitAsync: what Commit would have returned.
using CommitCallback = std::function<void(Result<CommitResult>)>;

// Optional parts of a commit request.
struct CommitOptions {
  ledger::TxMetadata metadata;  // tx metadata (header version 1 only)
  // Runs on the committer thread right before the tx gets its id, after every earlier tx is
  // committed and visible to readers; its argument is that last committed id. A non-ok
  // Status rejects this tx only (Commit returns it) and nothing is written for it. Keep it
  // short: it delays every queued writer. Used for immudb's preconditions.
  std::function<Status(uint64_t last_committed_tx)> precondition;
  // Replication (replicate.cc): commit with this header timestamp instead of the clock.
  std::optional<int64_t> timestamp;
};

class Store {
 public:
  // Opens the store in dir (creating it if allowed), recovers from a crash: cuts the torn
  // tail after the last complete commit record, re-checks every tx after the last
  // checkpoint (record checksums, Alh chain, BlRoot against the ahtree) and rebuilds the
  // ahtree nodes after it. Corruption (naming file and offset) if committed data is damaged;
  // FailedPrecondition if another Store has dir open.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const Options& options);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // Close()s if not done yet (errors are lost; call Close to see them).
  ~Store();

  // Waits for queued commits, syncs, writes a checkpoint, stops the committer and releases
  // the directory lock. Further commits fail with FailedPrecondition; reads of the committed
  // prefix keep working until destruction.
  Status Close();

  // ---- writing -------------------------------------------------------------------------

  // Appends one transaction and returns once it is committed. Thread-safe; concurrent
  // calls are grouped. InvalidArgument for: no entries (unless metadata has
  // truncated_upto_tx), more than max_entries_per_tx, an empty or too long key, a too long
  // value, duplicate keys, metadata with header version 0. IoError/ResourceExhausted if
  // the files could not be written: nothing was committed unless the error happened while
  // writing the commit log, in which case the outcome is unknown and the store refuses
  // further commits (FailedPrecondition) until reopened.
  Result<CommitResult> Commit(std::vector<EntryInput> entries, CommitOptions options = {});

  // Commit without waiting. The refusals Commit makes before queueing (the InvalidArgument
  // list above, a closed or poisoned store) come back here and `done` is never called.
  // Otherwise `done` is called exactly once with what Commit would have returned, on the
  // store's completion thread, after the commit listener saw the tx, in commit order. Close
  // runs every pending `done` before it returns. `done` must be quick (it delays the next
  // callbacks) and must not Close this store or drop the last reference to its owner.
  Status CommitAsync(std::vector<EntryInput> entries, CommitOptions options, CommitCallback done);

  // Blocks until tx_id is committed (true) or the timeout passes or the store closes (false).
  bool WaitForCommit(uint64_t tx_id, std::chrono::milliseconds timeout);

  // Registers a function the committer calls after each group is committed, with the
  // group's txs (consecutive ids, as ReadTx would return them, straight from memory), before
  // their writers are woken. The txs are the listener's to keep (it may move them away).
  // Called on the committer thread: it must be quick and must not call Commit or
  // SetCommitListener. Replaces any earlier listener; empty to remove.
  using CommitListener = std::function<void(std::span<Tx> group)>;
  void SetCommitListener(CommitListener listener);

  // ---- replication (replicate.cc; byte format in ledger/tx_export.h and docs/cli.md) -

  // immudb's ExportTx bytes of committed tx `id`: u32(len(hdr)) || TxHeader.Serialize() ||
  // per entry [u16 kLen || key || u16 mdLen || md || u32 vLen || value] || u16(1) || 0x00.
  // The tx is read through ReadTx (Eh/Alh re-checked) and every value through ReadValue.
  Result<Bytes> ExportTx(uint64_t id) const;
  // Commits an exported tx with its ORIGINAL header (timestamp, metadata, version, ...):
  // parses it, re-hashes the entries into Eh and the header into its Alh, and commits only if
  // the tx is exactly the next one: id == last + 1, PrevAlh == Alh(last), BlTxID == id - 1
  // and BlRoot == root of the ahtree over 1..id-1, version == header_version(). Every
  // refusal names the tx ("tx N: ..."): InvalidArgument for malformed bytes, truncated
  // values or an Eh mismatch, AlreadyExists when tx N is already committed,
  // FailedPrecondition for a gap or a chain (PrevAlh/BlRoot) or version mismatch. Nothing
  // is written on refusal. Returns the committed header and Alh (equal to the exported ones).
  Result<CommitResult> ReplicateTx(ByteView exported);

  // ---- reading -------------------------------------------------------------------------

  // Last committed tx id and Alh.
  StoreState CurrentState() const;
  // Header version new transactions get (persisted at creation).
  int32_t header_version() const;

  // Header, Alh and entries of committed tx `id` (NotFound if 0 or not committed yet).
  // Corruption if its record fails its checksum or disagrees with the commit log.
  // Read-time integrity (docs/format.md): the entries are re-hashed into Eh and the header
  // into Alh, which must equal the Alh in the commit log; otherwise Corruption
  // "tx data is corrupted: ALH mismatch at tx N (<tx/commit log file and offset, reason>)".
  // Each tx is re-hashed at most once per open: txs committed by this process, checked by
  // recovery or already read are remembered (bounded memory; forgotten ones are re-hashed).
  // ForEachTx and EntryProof read through the same check.
  Result<Tx> ReadTx(uint64_t id) const;
  // Header of committed tx `id`; its Alh is checked against the commit log (entries are
  // neither decoded nor re-hashed: nothing from them is returned).
  Result<ledger::TxHeader> ReadTxHeader(uint64_t id) const;
  // Alh of committed tx `id` (from the commit log; GenesisAlh() for id 0).
  Result<Digest> ReadAlh(uint64_t id) const;
  // The value `ref` points at, checked against ref.hash: Corruption naming the value-log
  // file, offset and tx on mismatch.
  Result<Bytes> ReadValue(const ValueRef& ref) const;

  // Calls fn for every committed tx in [from_tx, to_tx] in id order (to_tx is clamped to
  // the last committed tx); stops at fn's first non-ok Status and returns it. For index
  // catch-up and tx scans.
  Status ForEachTx(uint64_t from_tx, uint64_t to_tx,
                   const std::function<Status(const Tx&)>& fn) const;

  // ---- proofs (src/ledger builds them; the store provides the persisted nodes) ----------

  // DualProof(source, target) of immudb (PROTOCOL.md 2.7); 1 <= source <= target <= last.
  Result<ledger::DualProof> DualProof(uint64_t source_tx, uint64_t target_tx) const;
  // DualProofV2 (documents API); 1 <= source <= target <= last.
  Result<ledger::DualProofV2> DualProofV2(uint64_t source_tx, uint64_t target_tx) const;
  // LinearProof(s, t); 1 <= s <= t <= last.
  Result<ledger::LinearProof> LinearProof(uint64_t source_tx, uint64_t target_tx) const;
  // htree inclusion proof of the entry with `key` in tx `tx_id`, with that entry.
  Result<std::pair<ledger::TxEntry, ledger::HTreeProof>> EntryProof(uint64_t tx_id,
                                                                    ByteView key) const;
  // ahtree inclusion proof of leaf i in the tree of size j (1 <= i <= j <= last).
  Result<std::vector<Digest>> AhtInclusionProof(uint64_t i, uint64_t j) const;
  // ahtree consistency proof between sizes i and j (1 <= i <= j <= last).
  Result<std::vector<Digest>> AhtConsistencyProof(uint64_t i, uint64_t j) const;
  // root(n) of the ahtree over Alh(1..n) (1 <= n <= last).
  Result<Digest> AhtRoot(uint64_t n) const;

  // ---- maintenance ---------------------------------------------------------------------

  // Re-reads and re-hashes the whole store: every record checksum, every value against its
  // hash, every Eh, the Alh chain, every BlRoot and every ahtree node. Ok or the first
  // problem (Corruption naming file, offset and tx). Runs beside commits on the committed
  // prefix seen at its start.
  Status Verify() const;

  const std::string& dir() const;

  // How many txs reads have re-hashed (entries into Eh) since open; the others were known
  // verified. For tests and metrics.
  uint64_t TxsHashedOnRead() const;

  class Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace immudb::store
