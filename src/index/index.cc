#include "index/index.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "index/key_filter.h"
#include "index/key_format.h"

namespace immudb::index {
namespace {

rocksdb::Slice S(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
ByteView B(const rocksdb::Slice& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status FromRocks(const rocksdb::Status& s, const char* what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string("index: ") + what + ": " + s.ToString();
  if (s.IsCorruption()) return Corruption(msg);
  if (s.IsIOError()) return IoError(msg);
  return Internal(msg);
}

bool StartsWith(ByteView s, ByteView prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin());
}

int Compare(ByteView a, ByteView b) {
  size_t n = std::min(a.size(), b.size());
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// Smallest byte string greater than every string starting with `s` (empty if none).
Bytes PrefixSuccessor(Bytes s) {
  while (!s.empty() && s.back() == 0xFF) s.pop_back();
  if (!s.empty()) s.back()++;
  return s;
}

// Position right after all records of `key` (its terminator 00 01 becomes 00 02).
Bytes AfterKeyRecords(ByteView key) {
  Bytes b = KeyRecordsPrefix(kVersionRecord, key);
  b.back() = 0x02;
  return b;
}

// RocksDB's prefix extractor: a version or revision record key minus its 8-byte suffix, i.e.
// the record type and Esc(key) ‖ 00 01. Seeks inside one key's records then consult the
// memtable's and the tables' prefix bloom filters, so looking up the newest version of a key
// that was never written touches no skiplist and no data block.
class RecordsPrefixExtractor : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "immudb.index.RecordsPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), key.size() - kRecordSuffixSize};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= 1 + 2 + kRecordSuffixSize &&
           (key[0] == static_cast<char>(kVersionRecord) ||
            key[0] == static_cast<char>(kRevisionRecord));
  }
};

// Reads that stay inside one key's records (prefix mode: bloom-filtered, and the iterator
// ends where the key's records end).
rocksdb::ReadOptions WithinKey() {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  return ro;
}

// Reads that walk across keys.
rocksdb::ReadOptions AcrossKeys() {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  return ro;
}

// True if `rk` is a record of the key whose records prefix is `records`.
bool IsRecordOf(ByteView rk, ByteView records) {
  return rk.size() == records.size() + kRecordSuffixSize && StartsWith(rk, records);
}

}  // namespace

Index::Index(rocksdb::DB* db, std::shared_ptr<rocksdb::Cache> cache, uint64_t watermark)
    : db_(db), cache_(std::move(cache)), watermark_(watermark) {}

Index::~Index() { (void)Close(); }

Result<std::unique_ptr<Index>> Index::Open(const std::string& path, const IndexOptions& opts) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = opts.write_buffer_bytes;
  options.max_background_jobs = 2;
  options.avoid_flush_during_shutdown = false;
  options.paranoid_checks = true;
  // Bloom filters in the memtable, by whole key (point lookups of version and revision
  // records) and by key prefix (indexing seeks every written key's newest version; for new
  // keys the filter answers without a skiplist search).
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  options.prefix_extractor = std::make_shared<RecordsPrefixExtractor>();
  // The upper levels are rewritten by every compaction: not compressing them saves the
  // background CPU that competes with the commit path; the large bottom levels use LZ4.
  options.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression,
                                   rocksdb::kNoCompression, rocksdb::kLZ4Compression,
                                   rocksdb::kLZ4Compression, rocksdb::kLZ4Compression,
                                   rocksdb::kLZ4Compression};
  auto cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  std::error_code ec;
  bool existed = std::filesystem::exists(path, ec) && !std::filesystem::is_empty(path, ec);

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) {
    if (existed) return Corruption("index: cannot open " + path + ": " + s.ToString());
    return FromRocks(s, "open");
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string fmt;
  s = db->Get(rocksdb::ReadOptions(), S(FormatKey()), &fmt);
  if (s.IsNotFound()) {
    // A fresh index: record its format, watermark 0. Without a WAL, sync by flushing.
    rocksdb::WriteBatch wb;
    Bytes v;
    AppendU32(v, kIndexFormatVersion);
    wb.Put(S(FormatKey()), S(v));
    Bytes w;
    AppendU64(w, 0);
    wb.Put(S(WatermarkKey()), S(w));
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    IMMUDB_RETURN_IF_ERROR(FromRocks(db->Write(wo, &wb), "init"));
    IMMUDB_RETURN_IF_ERROR(FromRocks(db->Flush(rocksdb::FlushOptions()), "flush"));
    std::unique_ptr<Index> index(new Index(db.release(), cache, 0));
    index->StartKeyFilter(opts, /*empty=*/true);
    return index;
  }
  if (!s.ok()) return Corruption("index: cannot read format record: " + s.ToString());
  if (fmt.size() != 4 || GetU32(reinterpret_cast<const uint8_t*>(fmt.data())) != kIndexFormatVersion) {
    return Corruption("index: unsupported index format in " + path);
  }
  std::string wm;
  s = db->Get(rocksdb::ReadOptions(), S(WatermarkKey()), &wm);
  if (!s.ok() || wm.size() != 8) return Corruption("index: missing watermark in " + path);
  uint64_t watermark = GetU64(reinterpret_cast<const uint8_t*>(wm.data()));
  std::unique_ptr<Index> index(new Index(db.release(), cache, watermark));
  index->StartKeyFilter(opts, /*empty=*/watermark == 0);
  return index;
}

void Index::StartKeyFilter(const IndexOptions& opts, bool empty) {
  if (opts.key_filter_max_bytes == 0) return;
  uint64_t initial = opts.key_filter_initial_keys;
  if (initial == 0) {
    // Every version and revision record counts: more than the keys, which leaves room.
    uint64_t estimate = 0;
    if (!empty) db_->GetIntProperty("rocksdb.estimate-num-keys", &estimate);
    initial = std::max<uint64_t>(estimate + estimate / 4, uint64_t{1} << 20);
  }
  filter_ = std::make_unique<KeyFilter>(initial, opts.key_filter_max_bytes);
  if (empty) {
    filter_ready_.store(true, std::memory_order_release);
    return;
  }
  // The iterator is created here, before any Apply: every key it does not see is written
  // by an Apply, which adds it to the filter itself.
  rocksdb::ReadOptions ro = AcrossKeys();
  ro.fill_cache = false;
  ro.readahead_size = 2u << 20;
  rocksdb::Iterator* it = db_->NewIterator(ro);
  filter_builder_ = std::thread([this, it] {
    BuildKeyFilter(it);
    delete it;
  });
}

void Index::BuildKeyFilter(rocksdb::Iterator* it) {
  constexpr size_t kChunk = 4096;
  std::vector<uint64_t> chunk;
  chunk.reserve(kChunk);
  auto add_chunk = [&] {
    std::lock_guard<std::mutex> l(filter_mu_);
    for (uint64_t h : chunk) filter_->Add(h);
    chunk.clear();
  };
  std::string prev;  // the previous record's key part: versions of one key are adjacent
  const uint8_t first = kVersionRecord;
  for (it->Seek(S(ByteView(&first, 1))); it->Valid(); it->Next()) {
    if (filter_stop_.load(std::memory_order_relaxed)) return;
    rocksdb::Slice k = it->key();
    if (k.empty() || static_cast<uint8_t>(k[0]) != kVersionRecord) break;
    if (k.size() <= kRecordSuffixSize) continue;
    std::string_view records(k.data(), k.size() - kRecordSuffixSize);
    if (records == prev) continue;  // another version of the same key
    prev.assign(records);
    chunk.push_back(KeyFilter::Hash(records));
    if (chunk.size() >= kChunk) add_chunk();
  }
  if (!it->status().ok()) return;  // stays not ready: Apply keeps seeking every key
  add_chunk();
  filter_ready_.store(true, std::memory_order_release);
}

Status Index::Destroy(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return IoError("index: cannot remove " + path + ": " + ec.message());
  return Status::Ok();
}

Status Index::Close() {
  filter_stop_.store(true, std::memory_order_relaxed);
  if (filter_builder_.joinable()) filter_builder_.join();
  std::unique_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Status::Ok();
  Status st = FromRocks(db_->Flush(rocksdb::FlushOptions()), "flush");
  Status cst = FromRocks(db_->Close(), "close");
  delete db_;
  db_ = nullptr;
  return st.ok() ? cst : st;
}

Status Index::Flush() {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");
  return FromRocks(db_->Flush(rocksdb::FlushOptions()), "flush");
}

Status Index::Compact() {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");
  return FromRocks(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr), "compact");
}

Status Index::Apply(std::span<const IndexTx> txs) {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");

  if (txs.empty()) return Status::Ok();
  uint64_t expected = Watermark() + 1;
  for (const IndexTx& t : txs) {
    if (t.tx != expected) {
      return InvalidArgument("index: expected tx " + std::to_string(expected) + ", got " +
                             std::to_string(t.tx));
    }
    ++expected;
  }
  // Every key the batch writes, once: its records prefix (built once, then reused for the
  // seek target and each of its version keys) and its current (revision, tx), read from its
  // newest version record with one prefix seek per key (in key order, so consecutive seeks
  // share the skiplist's upper levels).
  struct KeyState {
    Bytes prefix;
    uint64_t revision = 0;
    uint64_t tx = 0;
    uint64_t hash = 0;     // KeyFilter::Hash(prefix)
    bool maybe_old = true;  // false: the key filter says the index has never seen it
  };
  size_t n_writes = 0;
  for (const IndexTx& t : txs) n_writes += t.writes.size();
  std::vector<KeyState> keys;
  std::vector<uint32_t> slots;  // the KeyState of each write, in batch order
  std::unordered_map<std::string_view, uint32_t> slot_of;  // views of the batch's own keys
  keys.reserve(n_writes);
  slots.reserve(n_writes);
  slot_of.reserve(n_writes);
  for (const IndexTx& t : txs) {
    for (const IndexWrite& w : t.writes) {
      std::string_view k(reinterpret_cast<const char*>(w.key.data()), w.key.size());
      auto [pos, added] = slot_of.emplace(k, static_cast<uint32_t>(keys.size()));
      if (added) keys.push_back(KeyState{KeyRecordsPrefix(kVersionRecord, w.key)});
      slots.push_back(pos->second);
    }
  }
  // Keys the filter has never seen are new: no seek. The filter is read and added to under
  // its mutex (its builder may be adding keys at the same time).
  const bool use_filter = filter_ != nullptr;
  const bool trust_filter = use_filter && filter_ready_.load(std::memory_order_acquire);
  if (use_filter) {
    std::string_view prefix;
    for (KeyState& ks : keys) {
      prefix = {reinterpret_cast<const char*>(ks.prefix.data()), ks.prefix.size()};
      ks.hash = KeyFilter::Hash(prefix);
    }
    if (trust_filter) {
      uint64_t skipped = 0;
      std::lock_guard<std::mutex> l(filter_mu_);
      for (KeyState& ks : keys) {
        ks.maybe_old = filter_->MayContain(ks.hash);
        skipped += ks.maybe_old ? 0 : 1;
      }
      seeks_skipped_.fetch_add(skipped, std::memory_order_relaxed);
    }
  }
  if (!keys.empty()) {
    std::vector<uint32_t> order;
    order.reserve(keys.size());
    for (uint32_t i = 0; i < keys.size(); ++i) {
      if (keys[i].maybe_old) order.push_back(i);
    }
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return keys[a].prefix < keys[b].prefix; });
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(WithinKey()));
    Bytes newest;
    for (uint32_t i : order) {
      KeyState& ks = keys[i];
      // Seek targets must carry the 8-byte suffix to be in the prefix extractor's domain:
      // u64(~max) is the smallest suffix, i.e. the newest version.
      newest.assign(ks.prefix.begin(), ks.prefix.end());
      newest.resize(ks.prefix.size() + kRecordSuffixSize, 0x00);
      it->Seek(S(newest));
      if (!it->Valid()) {
        IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "seek"));
        continue;
      }
      ByteView rk = B(it->key());
      if (!IsRecordOf(rk, ks.prefix)) continue;
      IndexedEntry latest;
      IMMUDB_RETURN_IF_ERROR(DecodeVersionValue(B(it->value()), &latest));
      ks.revision = latest.revision;
      ks.tx = ~GetU64(rk.data() + ks.prefix.size());
    }
  }
  if (use_filter) {
    // Before the write: a key must be in the filter by the time a later Apply could look.
    std::lock_guard<std::mutex> l(filter_mu_);
    for (const KeyState& ks : keys) {
      if (ks.revision == 0) filter_->Add(ks.hash);
    }
  }
  // The batch's records, put into the WriteBatch in key order (stable: a later put of the
  // same key must stay later): the memtable's skiplist then reuses the previous insert's
  // search path for the next one instead of searching from the top for each random key.
  std::vector<std::pair<Bytes, Bytes>> puts;
  puts.reserve(n_writes + 1);
  size_t wi = 0;
  for (const IndexTx& t : txs) {
    for (const IndexWrite& w : t.writes) {
      KeyState& ks = keys[slots[wi++]];
      // A key written twice in one tx keeps one version (the last write).
      uint64_t revision = ks.revision > 0 && ks.tx == t.tx ? ks.revision : ks.revision + 1;
      ks.revision = revision;
      ks.tx = t.tx;
      Bytes version_key;
      version_key.reserve(ks.prefix.size() + kRecordSuffixSize);
      version_key.assign(ks.prefix.begin(), ks.prefix.end());
      AppendU64(version_key, ~t.tx);  // = VersionKey(w.key, t.tx)
      puts.emplace_back(std::move(version_key), EncodeVersionValue(w, revision));
      if (IsRevisionCheckpoint(revision)) {
        Bytes txb;
        AppendU64(txb, t.tx);
        puts.emplace_back(RevisionKey(w.key, revision), std::move(txb));
      }
    }
  }
  Bytes wm;
  AppendU64(wm, txs.back().tx);
  puts.emplace_back(WatermarkKey(), std::move(wm));
  std::stable_sort(puts.begin(), puts.end(), [](const auto& a, const auto& b) {
    return std::lexicographical_compare(a.first.begin(), a.first.end(), b.first.begin(),
                                        b.first.end());
  });
  rocksdb::WriteBatch wb;
  for (const auto& [k, v] : puts) wb.Put(S(k), S(v));
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  IMMUDB_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "write"));
  watermark_.store(txs.back().tx, std::memory_order_release);
  return Status::Ok();
}

Result<IndexedEntry> Index::Latest(ByteView key, uint64_t at_tx) const {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");
  return LatestLocked(key, at_tx);
}

Result<IndexedEntry> Index::LatestLocked(ByteView key, uint64_t at_tx) const {
  if (at_tx == 0) return NotFound("key not found");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(WithinKey()));
  Bytes records = KeyRecordsPrefix(kVersionRecord, key);
  it->Seek(S(VersionKey(key, at_tx)));
  if (!it->Valid()) {
    IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "seek"));
    return NotFound("key not found");
  }
  ByteView rk = B(it->key());
  if (rk.size() != records.size() + 8 || !StartsWith(rk, records)) return NotFound("key not found");
  IndexedEntry e;
  IMMUDB_RETURN_IF_ERROR(DecodeVersionValue(B(it->value()), &e));
  e.key.assign(key.begin(), key.end());
  e.tx = ~GetU64(rk.data() + records.size());
  return e;
}

Result<IndexedEntry> Index::ReadVersion(ByteView key, uint64_t tx) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), S(VersionKey(key, tx)), &v);
  if (s.IsNotFound()) return NotFound("key not found");
  IMMUDB_RETURN_IF_ERROR(FromRocks(s, "get"));
  IndexedEntry e;
  IMMUDB_RETURN_IF_ERROR(
      DecodeVersionValue({reinterpret_cast<const uint8_t*>(v.data()), v.size()}, &e));
  e.key.assign(key.begin(), key.end());
  e.tx = tx;
  return e;
}

Result<IndexedEntry> Index::AtTx(ByteView key, uint64_t tx) const {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");

  if (tx == 0 || tx > Watermark()) return NotFound("key not found");
  return ReadVersion(key, tx);
}

Status Index::SeekRevision(ByteView key, uint64_t revision, rocksdb::Iterator* it) const {
  uint64_t checkpoint = revision - (revision - 1) % kRevisionCheckpointEvery;
  Bytes records = KeyRecordsPrefix(kVersionRecord, key);
  if (checkpoint == 1) {
    // Revision 1 is the key's oldest version: the last of its records.
    Bytes after = records;
    after.insert(after.end(), kRecordSuffixSize, 0xFF);
    it->SeekForPrev(S(after));
  } else {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), S(RevisionKey(key, checkpoint)), &v);
    if (s.IsNotFound()) return NotFound("key not found");
    IMMUDB_RETURN_IF_ERROR(FromRocks(s, "get"));
    if (v.size() != 8) return Corruption("index: malformed revision record");
    it->Seek(S(VersionKey(key, GetU64(reinterpret_cast<const uint8_t*>(v.data())))));
  }
  auto on_key = [&] { return it->Valid() && IsRecordOf(B(it->key()), records); };
  if (!on_key()) {
    IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "seek"));
    if (checkpoint == 1) return NotFound("key not found");
    return Corruption("index: revision record of a missing version");
  }
  // Newer versions sort first: step back towards them.
  for (uint64_t r = checkpoint; r < revision; ++r) {
    it->Prev();
    if (!on_key()) {
      IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "iterate"));
      return NotFound("key not found");
    }
  }
  return Status::Ok();
}

Result<IndexedEntry> Index::AtRevision(ByteView key, uint64_t revision, uint64_t at_tx) const {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");

  if (revision == 0) return NotFound("key not found");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(WithinKey()));
  IMMUDB_RETURN_IF_ERROR(SeekRevision(key, revision, it.get()));
  IndexedEntry e;
  IMMUDB_RETURN_IF_ERROR(DecodeVersionValue(B(it->value()), &e));
  e.key.assign(key.begin(), key.end());
  e.tx = ~GetU64(reinterpret_cast<const uint8_t*>(it->key().data()) + it->key().size() - 8);
  if (e.revision != revision) return Corruption("index: revision records out of step");
  if (e.tx > at_tx) return NotFound("key not found");
  return e;
}

Result<std::vector<IndexedEntry>> Index::History(ByteView key, uint64_t offset, uint64_t limit,
                                                 bool desc, uint64_t at_tx) const {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");

  std::vector<IndexedEntry> out;
  auto latest = LatestLocked(key, at_tx);
  if (!latest.ok()) {
    if (latest.status().code() == Code::kNotFound) return out;
    return latest.status();
  }
  uint64_t count = latest->revision;
  if (offset >= count) return out;
  // Versions are stored newest first; the first one to return has this revision.
  uint64_t first_rev = desc ? count - offset : offset + 1;
  uint64_t n = count - offset;
  if (limit > 0) n = std::min(n, limit);
  Bytes records = KeyRecordsPrefix(kVersionRecord, key);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(WithinKey()));
  if (desc && offset == 0) {
    it->Seek(S(VersionKey(key, latest->tx)));
  } else {
    Status st = SeekRevision(key, first_rev, it.get());
    if (st.code() == Code::kNotFound) return Corruption("index: missing revision record");
    IMMUDB_RETURN_IF_ERROR(st);
  }
  out.reserve(n);
  while (out.size() < n) {
    if (!it->Valid()) {
      IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "iterate"));
      return Corruption("index: history ended early");
    }
    ByteView rk = B(it->key());
    if (rk.size() != records.size() + 8 || !StartsWith(rk, records)) {
      return Corruption("index: history ended early");
    }
    IndexedEntry e;
    IMMUDB_RETURN_IF_ERROR(DecodeVersionValue(B(it->value()), &e));
    e.key.assign(key.begin(), key.end());
    e.tx = ~GetU64(rk.data() + records.size());
    out.push_back(std::move(e));
    if (desc) {
      it->Next();
    } else {
      it->Prev();
    }
  }
  return out;
}

Status Index::Scan(const ScanSpec& spec, uint64_t at_tx,
                   const std::function<bool(const IndexedEntry&)>& visit) const {
  std::shared_lock<std::shared_mutex> guard(mu_);
  if (db_ == nullptr) return Unavailable("index is closed");

  if (at_tx == 0) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(AcrossKeys()));
  const ByteView prefix = spec.prefix;
  Bytes key;
  // Positions `it` on the newest version <= at_tx of the key whose records start at the
  // iterator; returns false (iterator untouched semantics aside) if that key has none.
  auto visible_version = [&](const Bytes& k, IndexedEntry* e) -> Result<bool> {
    Bytes records = KeyRecordsPrefix(kVersionRecord, k);
    it->Seek(S(VersionKey(k, at_tx)));
    if (!it->Valid()) {
      IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "seek"));
      return false;
    }
    ByteView rk = B(it->key());
    if (rk.size() != records.size() + 8 || !StartsWith(rk, records)) return false;
    IMMUDB_RETURN_IF_ERROR(DecodeVersionValue(B(it->value()), e));
    e->key = k;
    e->tx = ~GetU64(rk.data() + records.size());
    return true;
  };

  if (!spec.desc) {
    Bytes start = spec.seek_key;
    bool inclusive_seek = spec.inclusive_seek;
    if (start.empty() || Compare(start, prefix) < 0) {
      start.assign(prefix.begin(), prefix.end());
      inclusive_seek = true;
    }
    it->Seek(S(KeyRecordsPrefix(kVersionRecord, start)));
    for (;;) {
      if (!it->Valid()) return FromRocks(it->status(), "iterate");
      ByteView rk = B(it->key());
      if (rk.empty() || rk[0] != kVersionRecord) return Status::Ok();
      auto d = DecodeRecordKey(rk);
      if (!d) return Corruption("index: malformed version record key");
      key = std::move(d->key);
      if (!StartsWith(key, prefix)) return Status::Ok();
      if (!spec.end_key.empty()) {
        int c = Compare(key, spec.end_key);
        if (c > 0 || (c == 0 && !spec.inclusive_end)) return Status::Ok();
      }
      if (!(Compare(key, start) == 0 && !inclusive_seek)) {
        IndexedEntry e;
        bool found;
        if (d->suffix <= at_tx) {
          // The iterator already sits on the newest version and it is visible: no seek.
          IMMUDB_RETURN_IF_ERROR(DecodeVersionValue(B(it->value()), &e));
          e.key = key;
          e.tx = d->suffix;
          found = true;
        } else {
          IMMUDB_ASSIGN_OR_RETURN(found, visible_version(key, &e));
        }
        if (found && !visit(e)) return Status::Ok();
      }
      // Step over the key's remaining records; a few Next() calls are cheaper than a seek.
      // (visible_version may already have left them: then the iterator is on the next key.)
      Bytes records = KeyRecordsPrefix(kVersionRecord, key);
      bool moved = !it->Valid() || !StartsWith(B(it->key()), records);
      for (int step = 0; !moved && step < 4; ++step) {
        it->Next();
        moved = !it->Valid() || !StartsWith(B(it->key()), records);
      }
      if (!moved) it->Seek(S(AfterKeyRecords(key)));
    }
  }

  // Descending.
  Bytes upper = PrefixSuccessor(EscapedPrefix(kVersionRecord, prefix));
  bool inclusive_seek = spec.inclusive_seek;
  bool has_seek = !spec.seek_key.empty() && StartsWith(spec.seek_key, prefix);
  if (!spec.seek_key.empty() && !has_seek && Compare(spec.seek_key, prefix) < 0) {
    return Status::Ok();  // the seek key is below every key with the prefix
  }
  if (has_seek) {
    it->Seek(S(AfterKeyRecords(spec.seek_key)));
  } else {
    inclusive_seek = true;
    if (upper.empty()) {
      it->SeekToLast();
    } else {
      it->Seek(S(upper));
    }
  }
  if (it->Valid()) {
    it->Prev();
  } else {
    IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "seek"));
    it->SeekToLast();
  }
  for (;;) {
    if (!it->Valid()) return FromRocks(it->status(), "iterate");
    ByteView rk = B(it->key());
    if (rk.empty() || rk[0] != kVersionRecord) return Status::Ok();
    auto d = DecodeRecordKey(rk);
    if (!d) return Corruption("index: malformed version record key");
    key = std::move(d->key);
    if (!StartsWith(key, prefix)) return Status::Ok();
    if (!spec.end_key.empty()) {
      int c = Compare(key, spec.end_key);
      if (c < 0 || (c == 0 && !spec.inclusive_end)) return Status::Ok();
    }
    if (!(has_seek && !inclusive_seek && Compare(key, spec.seek_key) == 0)) {
      IndexedEntry e;
      IMMUDB_ASSIGN_OR_RETURN(bool found, visible_version(key, &e));
      if (found && !visit(e)) return Status::Ok();
    }
    it->Seek(S(KeyRecordsPrefix(kVersionRecord, key)));
    if (it->Valid()) {
      it->Prev();
    } else {
      IMMUDB_RETURN_IF_ERROR(FromRocks(it->status(), "seek"));
      it->SeekToLast();
    }
  }
}

}  // namespace immudb::index
