// Database: plain key-value operations, preconditions and verifiable set/get.
#include <algorithm>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "db/encoding.h"
#include "db/errors.h"

namespace immudb::db {

namespace {

std::optional<KvMetadata> MdOrNull(const KvMetadata& md) {
  if (md.IsEmpty()) return std::nullopt;
  return md;
}

}  // namespace

Status Database::CheckPreconditions(const std::vector<Precondition>& pre) {
  if (pre.size() > settings_.max_tx_entries) {
    return errors::InvalidPrecondition("too many preconditions");
  }
  for (const Precondition& p : pre) {
    if (p.key.empty()) return errors::InvalidPrecondition("null key");
    if (p.key.size() + 1 > settings_.max_key_len) {
      return errors::InvalidPrecondition("max key length exceeded");
    }
    if (p.kind == Precondition::Kind::kKeyNotModifiedAfterTx && p.tx_id == 0) {
      return errors::InvalidPrecondition("invalid transaction ID");
    }
  }
  return Status::Ok();
}

Status Database::EvalPreconditions(const std::vector<Precondition>& pre, uint64_t last) {
  if (pre.empty()) return Status::Ok();
  IMMUDB_RETURN_IF_ERROR(CatchUpTo(last));
  ReadCtx rc{last, NowUnixSeconds()};
  for (const Precondition& p : pre) {
    Bytes key = EncodeKey(p.key);
    switch (p.kind) {
      case Precondition::Kind::kKeyMustExist: {
        auto v = LiveVersion(key, rc);
        if (!v.ok()) {
          if (v.status().code() == Code::kNotFound) return errors::PreconditionFailed();
          return v.status();
        }
        break;
      }
      case Precondition::Kind::kKeyMustNotExist: {
        auto v = LiveVersion(key, rc);
        if (v.ok()) return errors::PreconditionFailed();
        if (v.status().code() != Code::kNotFound) return v.status();
        break;
      }
      case Precondition::Kind::kKeyNotModifiedAfterTx: {
        auto v = index_->Latest(key, last);
        if (v.ok() && v->tx > p.tx_id) return errors::PreconditionFailed();
        if (!v.ok() && v.status().code() != Code::kNotFound) return v.status();
        break;
      }
    }
  }
  return Status::Ok();
}

Status Database::CheckEntries(const std::vector<store::EntryInput>& entries) const {
  if (entries.empty()) return errors::NoEntriesProvided();
  if (entries.size() > settings_.max_tx_entries) return errors::MaxTxEntriesExceeded();
  for (const store::EntryInput& e : entries) {
    if (e.key.size() > settings_.max_key_len) return errors::MaxKeyLenExceeded();
    if (e.value.size() > settings_.max_value_len) return errors::MaxValueLenExceeded();
    if (header_version() == 0 && !e.metadata.IsEmpty()) {
      return errors::IllegalArguments("metadata is not supported by tx header version 0");
    }
  }
  return Status::Ok();
}

Result<store::CommitResult> Database::Commit(std::vector<store::EntryInput> entries,
                                             std::function<Status(uint64_t)> check,
                                             bool no_wait) {
  IMMUDB_RETURN_IF_ERROR(CheckEntries(entries));
  store::CommitOptions co;
  if (check) co.precondition = std::move(check);
  IMMUDB_ASSIGN_OR_RETURN(store::CommitResult r, store_->Commit(std::move(entries), std::move(co)));
  if (!no_wait) IMMUDB_RETURN_IF_ERROR(WaitForIndexingUpto(r.header.id));
  return r;
}

Status Database::PrepareSet(const SetRequest& req, std::vector<store::EntryInput>* entries,
                            std::function<Status(uint64_t)>* check) {
  // Refusals in request order, as one pass would find them: an empty key, or a key seen
  // before it. Duplicates are found by sorting views of the keys (no copies).
  const size_t n = req.kvs.size();
  size_t first_empty = n, first_dup = n;
  for (size_t i = 0; i < n; ++i) {
    if (req.kvs[i].key.empty()) {
      first_empty = i;
      break;
    }
  }
  if (n > 1) {
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i) order[i] = i;
    auto key = [&](uint32_t i) {
      return std::string_view(reinterpret_cast<const char*>(req.kvs[i].key.data()),
                              req.kvs[i].key.size());
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
    for (size_t j = 1; j < n; ++j) {
      if (key(order[j]) == key(order[j - 1])) first_dup = std::min<size_t>(first_dup, order[j]);
    }
  }
  if (first_dup < first_empty) return errors::DuplicatedKeys();
  if (first_empty < n) return errors::IllegalArguments();
  entries->reserve(n);
  for (const KeyValue& kv : req.kvs) {
    store::EntryInput in;
    in.key = EncodeKey(kv.key);
    in.value = EncodePlainValue(kv.value);
    if (kv.metadata) in.metadata = *kv.metadata;
    entries->push_back(std::move(in));
  }
  IMMUDB_RETURN_IF_ERROR(CheckPreconditions(req.preconditions));
  if (!req.preconditions.empty()) {
    // A copy: the check runs on the committer, possibly after the request is gone.
    *check = [this, pre = req.preconditions](uint64_t last) {
      return EvalPreconditions(pre, last);
    };
  }
  return Status::Ok();
}

Result<TxHeader> Database::Set(const SetRequest& req) {
  std::vector<store::EntryInput> entries;
  std::function<Status(uint64_t)> check;
  IMMUDB_RETURN_IF_ERROR(PrepareSet(req, &entries, &check));
  IMMUDB_ASSIGN_OR_RETURN(store::CommitResult r, Commit(std::move(entries), check, req.no_wait));
  return r.header;
}

Status Database::SetAsync(const SetRequest& req, std::function<void(Result<TxHeader>)> done) {
  std::vector<store::EntryInput> entries;
  std::function<Status(uint64_t)> check;
  IMMUDB_RETURN_IF_ERROR(PrepareSet(req, &entries, &check));
  IMMUDB_RETURN_IF_ERROR(CheckEntries(entries));
  store::CommitOptions co;
  if (check) co.precondition = std::move(check);
  // `this` outlives the callback: Close closes the store, which runs every pending callback.
  return store_->CommitAsync(
      std::move(entries), std::move(co),
      [this, no_wait = req.no_wait, done = std::move(done)](Result<store::CommitResult> r) {
        if (!r.ok()) return done(r.status());
        if (!no_wait) {
          // Indexed already when indexing is synchronous (the commit listener ran first).
          if (Status st = WaitForIndexingUpto(r->header.id); !st.ok()) return done(st);
        }
        done(std::move(r->header));
      });
}

Result<Entry> Database::Get(const KeyRequest& req) {
  if (req.key.empty()) return errors::IllegalArguments("empty key");
  if (req.at_tx > 0) {
    if (req.since_tx > 0) {
      return errors::IllegalArguments("SinceTx should not be specified when AtTx is used");
    }
    if (req.at_revision != 0) {
      return errors::IllegalArguments("AtRevision should not be specified when AtTx is used");
    }
  }
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, req.no_wait || req.at_tx > 0,
                                                  /*wait_all=*/true));
  Bytes key = EncodeKey(req.key);
  if (req.at_revision == 0) return GetAtTx(key, req.at_tx, 0, rc);

  // n-th version (1-based) or n-th previous one (negative, relative to the latest).
  auto latest = index_->Latest(key, rc.at_tx);
  if (!latest.ok()) {
    if (latest.status().code() == Code::kNotFound) return errors::KeyNotFound();
    return latest.status();
  }
  uint64_t count = latest->revision;
  uint64_t revision;
  if (req.at_revision > 0) {
    revision = uint64_t(req.at_revision);
    if (revision > count) return errors::InvalidRevision();
  } else {
    uint64_t back = uint64_t(-(req.at_revision + 1)) + 1;
    if (back >= count) return errors::InvalidRevision();
    revision = count - back;
  }
  IMMUDB_ASSIGN_OR_RETURN(index::IndexedEntry v, index_->AtRevision(key, revision, rc.at_tx));
  if (v.ExpiredAt(rc.now)) return errors::ExpiredEntry();
  IMMUDB_ASSIGN_OR_RETURN(Bytes value, ReadIndexedValue(v));
  IMMUDB_ASSIGN_OR_RETURN(KvMetadata md, KvMetadata::Parse(v.metadata));
  return ResolveValue(key, value, v.tx, md, revision, 0, &rc);
}

Result<std::vector<Entry>> Database::GetAll(const KeyListRequest& req) {
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, false, /*wait_all=*/true));
  std::vector<Entry> out;
  for (const Bytes& k : req.keys) {
    auto e = GetAtTx(EncodeKey(k), 0, 0, rc);
    if (e.ok()) {
      out.push_back(std::move(e).value());
    } else if (e.status().code() != Code::kNotFound) {
      return e.status();
    }
  }
  return out;
}

Result<TxHeader> Database::Delete(const DeleteKeysRequest& req) {
  if (req.keys.empty()) return errors::IllegalArguments();
  if (req.since_tx > LastCommittedTx()) return errors::TxNotFound();
  std::vector<store::EntryInput> entries;
  std::vector<Bytes> keys;
  for (const Bytes& k : req.keys) {
    if (k.empty()) return errors::IllegalArguments();
    store::EntryInput in;
    in.key = EncodeKey(k);
    in.metadata.deleted = true;
    keys.push_back(in.key);
    entries.push_back(std::move(in));
  }
  auto check = [this, &keys](uint64_t last) -> Status {
    IMMUDB_RETURN_IF_ERROR(CatchUpTo(last));
    ReadCtx rc{last, NowUnixSeconds()};
    for (const Bytes& k : keys) {
      auto v = LiveVersion(k, rc);
      if (!v.ok()) return v.status();
    }
    return Status::Ok();
  };
  IMMUDB_ASSIGN_OR_RETURN(store::CommitResult r, Commit(std::move(entries), check, req.no_wait));
  return r.header;
}

Result<std::vector<Entry>> Database::History(const HistoryRequest& req) {
  if (req.limit < 0) return errors::IllegalArguments("negative limit");
  IMMUDB_RETURN_IF_ERROR(CheckResultLimit(uint64_t(req.limit)));
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, false, /*wait_all=*/true));
  uint64_t limit = req.limit == 0 ? settings_.max_result_size : uint64_t(req.limit);
  IMMUDB_ASSIGN_OR_RETURN(std::vector<index::IndexedEntry> versions,
                          index_->History(EncodeKey(req.key), req.offset, limit, req.desc,
                                          rc.at_tx));
  std::vector<Entry> out;
  out.reserve(versions.size());
  for (const index::IndexedEntry& v : versions) {
    Entry e;
    e.tx = v.tx;
    e.key = req.key;
    IMMUDB_ASSIGN_OR_RETURN(KvMetadata md, KvMetadata::Parse(v.metadata));
    e.metadata = MdOrNull(md);
    e.revision = v.revision;
    if (v.ExpiredAt(rc.now)) {
      e.expired = true;
    } else {
      IMMUDB_ASSIGN_OR_RETURN(Bytes value, ReadIndexedValue(v));
      if (!value.empty()) e.value.assign(value.begin() + 1, value.end());
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Entry>> Database::Scan(const ScanRequest& req) {
  IMMUDB_RETURN_IF_ERROR(CheckResultLimit(req.limit));
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, req.no_wait, /*wait_all=*/true));
  uint64_t limit = req.limit == 0 ? settings_.max_result_size : req.limit;
  index::ScanSpec spec;
  spec.prefix = EncodeKey(req.prefix);
  if (!req.seek_key.empty()) spec.seek_key = EncodeKey(req.seek_key);
  if (!req.end_key.empty()) spec.end_key = EncodeKey(req.end_key);
  spec.inclusive_seek = req.inclusive_seek;
  spec.inclusive_end = req.inclusive_end;
  spec.desc = req.desc;
  std::vector<Entry> out;
  uint64_t skipped = 0, reads = 0;
  Status err;
  IMMUDB_RETURN_IF_ERROR(index_->Scan(spec, rc.at_tx, [&](const index::IndexedEntry& v) {
    if (v.deleted || v.ExpiredAt(rc.now)) return true;
    if (skipped < req.offset) {
      ++skipped;
      return true;
    }
    ++reads;
    auto value = ReadIndexedValue(v);
    if (!value.ok()) {
      err = value.status();
      return false;
    }
    auto md = KvMetadata::Parse(v.metadata);
    if (!md.ok()) {
      err = md.status();
      return false;
    }
    auto e = ResolveValue(v.key, *value, v.tx, *md, v.revision, 0, &rc);
    if (e.ok()) {
      out.push_back(std::move(e).value());
    } else if (e.status().code() != Code::kNotFound) {
      err = e.status();
      return false;
    }
    return reads < limit;
  }));
  IMMUDB_RETURN_IF_ERROR(err);
  return out;
}

Result<uint64_t> Database::Count(ByteView prefix) {
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(0, false, /*wait_all=*/true));
  index::ScanSpec spec;
  spec.prefix = EncodeKey(prefix);
  uint64_t n = 0;
  IMMUDB_RETURN_IF_ERROR(index_->Scan(spec, rc.at_tx, [&](const index::IndexedEntry& v) {
    if (!v.deleted && !v.ExpiredAt(rc.now)) ++n;
    return true;
  }));
  return n;
}

Result<VerifiableTx> Database::MakeVerifiableTx(uint64_t tx_id, uint64_t prove_since_tx) {
  IMMUDB_ASSIGN_OR_RETURN(store::Tx tx, store_->ReadTx(tx_id));
  uint64_t source = prove_since_tx == 0 ? tx_id : prove_since_tx;
  uint64_t target = tx_id;
  if (source > target) std::swap(source, target);
  VerifiableTx vt;
  IMMUDB_ASSIGN_OR_RETURN(vt.dual_proof, store_->DualProof(source, target));
  ReadCtx unused{0, 0};
  IMMUDB_ASSIGN_OR_RETURN(vt.tx, RenderTx(tx, std::nullopt, true, unused));
  return vt;
}

Result<VerifiableTx> Database::VerifiableSet(const VerifiableSetRequest& req) {
  if (req.prove_since_tx > LastCommittedTx()) return errors::IllegalState();
  IMMUDB_ASSIGN_OR_RETURN(TxHeader hdr, Set(req.set_request));
  return MakeVerifiableTx(hdr.id, req.prove_since_tx);
}

Status Database::VerifiableSetAsync(const VerifiableSetRequest& req,
                                    std::function<void(Result<VerifiableTx>)> done) {
  if (req.prove_since_tx > LastCommittedTx()) return errors::IllegalState();
  // `this` outlives the callback (SetAsync); the store is still readable while Close runs
  // the pending callbacks.
  return SetAsync(req.set_request, [this, since = req.prove_since_tx,
                                    done = std::move(done)](Result<TxHeader> hdr) {
    if (!hdr.ok()) return done(hdr.status());
    done(MakeVerifiableTx(hdr->id, since));
  });
}

Result<VerifiableEntry> Database::VerifiableGet(const VerifiableGetRequest& req) {
  if (req.prove_since_tx > LastCommittedTx()) return errors::IllegalState();
  VerifiableEntry ve;
  IMMUDB_ASSIGN_OR_RETURN(ve.entry, Get(req.key_request));
  uint64_t v_tx;
  Bytes v_key;
  if (!ve.entry.referenced_by) {
    v_tx = ve.entry.tx;
    v_key = ve.entry.key;
  } else {
    v_tx = ve.entry.referenced_by->tx;
    v_key = ve.entry.referenced_by->key;
  }
  IMMUDB_ASSIGN_OR_RETURN(store::Tx tx, store_->ReadTx(v_tx));
  IMMUDB_ASSIGN_OR_RETURN(size_t i, tx.FindEntry(EncodeKey(v_key)));
  IMMUDB_ASSIGN_OR_RETURN(ve.inclusion_proof, tx.EntryProof(i));
  uint64_t source, target;
  if (req.prove_since_tx <= v_tx) {
    source = req.prove_since_tx == 0 ? v_tx : req.prove_since_tx;
    target = v_tx;
  } else {
    source = v_tx;
    target = req.prove_since_tx;
  }
  IMMUDB_ASSIGN_OR_RETURN(ve.verifiable_tx.dual_proof, store_->DualProof(source, target));
  ReadCtx unused{0, 0};
  IMMUDB_ASSIGN_OR_RETURN(ve.verifiable_tx.tx, RenderTx(tx, std::nullopt, true, unused));
  return ve;
}

}  // namespace immudb::db
