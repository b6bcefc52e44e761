// The key index of one database: every indexed version of every key, by tx id, kept in
// RocksDB and derived from the store (so it can always be rebuilt from it).
//
// Writes come from one thread (the database's indexer); reads may run concurrently from any
// thread. Every read takes `at_tx`, the newest tx it may see; passing the watermark gives a
// consistent point-in-time view because versions are keyed by tx id and each Apply() is one
// atomic RocksDB batch that also moves the watermark.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "index/indexed_entry.h"

namespace rocksdb {
class DB;
class Cache;
class Iterator;
}  // namespace rocksdb

namespace immudb::index {

struct IndexOptions {
  size_t block_cache_bytes = 64u << 20;
  size_t write_buffer_bytes = 64u << 20;
  // In-memory filter of the keys the index holds (key_filter.h), so indexing a new key needs
  // no RocksDB seek: ~1.25 bytes per key, grown as keys come; past this size it is dropped
  // (0 = no filter). Built from the index in the background at open.
  size_t key_filter_max_bytes = 256u << 20;
  // Capacity of the filter's first segment; 0 = RocksDB's estimate of the index's records.
  uint64_t key_filter_initial_keys = 0;
};

// Bounds of an ordered scan over store keys; semantics follow immudb's key reader:
// ascending scans start at max(seek_key, prefix) and stop after end_key; descending scans
// start at seek_key (or the greatest key with `prefix`) and stop before end_key. Empty
// seek_key / end_key mean unbounded. Only keys starting with `prefix` are visited.
struct ScanSpec {
  Bytes prefix;
  Bytes seek_key;
  Bytes end_key;
  bool inclusive_seek = false;
  bool inclusive_end = false;
  bool desc = false;
};

class KeyFilter;

class Index {
 public:
  // Opens (creating if missing) the index stored in folder `path`. Fails with kCorruption if
  // the folder exists but cannot be read as an index of this format.
  static Result<std::unique_ptr<Index>> Open(const std::string& path, const IndexOptions& opts = {});

  // Removes the index folder entirely (used before a full rebuild).
  static Status Destroy(const std::string& path);

  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Flushes memtables to disk (the index has no WAL) and closes RocksDB. Idempotent. Every
  // later call fails with kUnavailable.
  Status Close();

  // Last tx id whose writes are in the index (0 for an empty index).
  uint64_t Watermark() const { return watermark_.load(std::memory_order_acquire); }

  // Indexes consecutive txs, atomically with the new watermark. txs[0].tx must equal
  // Watermark()+1 and ids must be consecutive; a tx may carry no writes. Single writer only.
  Status Apply(std::span<const IndexTx> txs);

  // Flushes RocksDB memtables so the indexed state survives a crash without catch-up.
  Status Flush();

  // Compacts the whole key range (immudb's CompactIndex).
  Status Compact();

  // Whether Apply trusts the key filter yet (it is built in the background at open), and
  // how many written keys it found new without a seek. For tests and diagnostics.
  bool KeyFilterReady() const { return filter_ready_.load(std::memory_order_acquire); }
  uint64_t SeeksSkipped() const { return seeks_skipped_.load(std::memory_order_relaxed); }

  // Newest version of `key` written at or before tx `at_tx`, deleted/expired or not.
  // kNotFound if the key has no version <= at_tx.
  Result<IndexedEntry> Latest(ByteView key, uint64_t at_tx) const;

  // The version with 1-based revision `revision`, if it was written at or before `at_tx`.
  Result<IndexedEntry> AtRevision(ByteView key, uint64_t revision, uint64_t at_tx) const;

  // The version written exactly in tx `tx` (kNotFound if the key was not indexed in it).
  Result<IndexedEntry> AtTx(ByteView key, uint64_t tx) const;

  // Versions of `key` visible at `at_tx`, oldest first (or newest first if desc), skipping
  // `offset` and returning at most `limit` (0 = no limit). Empty if the key is unknown.
  Result<std::vector<IndexedEntry>> History(ByteView key, uint64_t offset, uint64_t limit,
                                            bool desc, uint64_t at_tx) const;

  // Visits, in key order per `spec`, the newest version (<= at_tx) of each key. The visitor
  // returns false to stop. Deleted/expired versions are visited too; the caller filters.
  Status Scan(const ScanSpec& spec, uint64_t at_tx,
              const std::function<bool(const IndexedEntry&)>& visit) const;

 private:
  Index(rocksdb::DB* db, std::shared_ptr<rocksdb::Cache> cache, uint64_t watermark);

  // Creates the key filter; an empty index's is ready at once, otherwise a thread fills it
  // from the records visible now and then marks it ready (Apply adds what it writes
  // meanwhile, so no key is missed).
  void StartKeyFilter(const IndexOptions& opts, bool empty);
  void BuildKeyFilter(rocksdb::Iterator* it);

  Result<IndexedEntry> ReadVersion(ByteView key, uint64_t tx) const;
  // Positions `it` on the version record of `key` with this revision (>= 1), from the
  // revision checkpoint at or below it. NotFound if the key has fewer versions.
  Status SeekRevision(ByteView key, uint64_t revision, rocksdb::Iterator* it) const;
  Result<IndexedEntry> LatestLocked(ByteView key, uint64_t at_tx) const;

  // Guards db_ against Close() racing with readers; every operation holds it shared (a Scan
  // visitor may re-enter reads: glibc rwlocks let readers nest).
  mutable std::shared_mutex mu_;
  rocksdb::DB* db_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::atomic<uint64_t> watermark_;

  std::mutex filter_mu_;
  std::unique_ptr<KeyFilter> filter_;  // guarded by filter_mu_; null without a filter
  std::atomic<bool> filter_ready_{false};
  std::atomic<bool> filter_stop_{false};
  std::atomic<uint64_t> seeks_skipped_{0};
  std::thread filter_builder_;
};

}  // namespace immudb::index
