// Database: references, sorted sets and ExecAll.
#include <bit>
#include <cfloat>
#include <map>
#include <set>

#include "db/database.h"
#include "db/encoding.h"
#include "db/errors.h"

namespace immudb::db {

namespace {

bool IsNotFound(const Status& s) { return s.code() == Code::kNotFound; }

// The tx id a commit will get is only known on the committer thread, but entries of an
// ExecAll with self-bound references embed it. We predict it and let the commit check
// fail with this marker if another writer got there first; the caller retries.
Status IdMismatch() { return Unavailable("exec-all: tx id changed, retry"); }

}  // namespace

Result<TxHeader> Database::SetReference(const ReferenceRequest& req) {
  if (req.key.empty() || req.referenced_key.empty()) return errors::IllegalArguments();
  if ((req.at_tx == 0 && req.bound_ref) || (req.at_tx > 0 && !req.bound_ref)) {
    return errors::IllegalArguments();
  }
  IMMUDB_RETURN_IF_ERROR(CheckPreconditions(req.preconditions));
  std::vector<store::EntryInput> entries(1);
  entries[0].key = EncodeKey(req.key);
  entries[0].value = EncodeReferenceValue(req.referenced_key, req.at_tx);
  auto check = [this, &req](uint64_t last) -> Status {
    IMMUDB_RETURN_IF_ERROR(CatchUpTo(last));
    ReadCtx rc{last, NowUnixSeconds()};
    auto existing = GetAtTx(EncodeKey(req.key), req.at_tx, 0, rc);
    if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
    if (existing.ok() && !existing->referenced_by) {
      return errors::FinalKeyCannotBeConvertedIntoReference();
    }
    IMMUDB_ASSIGN_OR_RETURN(Entry target, GetAtTx(EncodeKey(req.referenced_key), req.at_tx, 0, rc));
    if (target.referenced_by) return errors::ReferencedKeyCannotBeAReference();
    return EvalPreconditions(req.preconditions, last);
  };
  IMMUDB_ASSIGN_OR_RETURN(store::CommitResult r, Commit(std::move(entries), check, req.no_wait));
  return r.header;
}

Result<VerifiableTx> Database::VerifiableSetReference(const VerifiableReferenceRequest& req) {
  if (req.prove_since_tx > LastCommittedTx()) return errors::IllegalArguments();
  IMMUDB_ASSIGN_OR_RETURN(TxHeader hdr, SetReference(req.reference_request));
  return MakeVerifiableTx(hdr.id, req.prove_since_tx);
}

Result<TxHeader> Database::ZAdd(const ZAddRequest& req) {
  if (req.set.empty() || req.key.empty()) return errors::IllegalArguments();
  if ((req.at_tx == 0 && req.bound_ref) || (req.at_tx > 0 && !req.bound_ref)) {
    return errors::IllegalArguments();
  }
  std::vector<store::EntryInput> entries(1);
  entries[0].key = EncodeZAddKey(req.set, req.score, req.key, req.at_tx);
  auto check = [this, &req](uint64_t last) -> Status {
    IMMUDB_RETURN_IF_ERROR(CatchUpTo(last));
    ReadCtx rc{last, NowUnixSeconds()};
    IMMUDB_ASSIGN_OR_RETURN(Entry member, GetAtTx(EncodeKey(req.key), req.at_tx, 0, rc));
    if (member.referenced_by) return errors::ReferencedKeyCannotBeAReference();
    return Status::Ok();
  };
  IMMUDB_ASSIGN_OR_RETURN(store::CommitResult r, Commit(std::move(entries), check, req.no_wait));
  return r.header;
}

Result<VerifiableTx> Database::VerifiableZAdd(const VerifiableZAddRequest& req) {
  if (req.prove_since_tx > LastCommittedTx()) return errors::IllegalArguments();
  IMMUDB_ASSIGN_OR_RETURN(TxHeader hdr, ZAdd(req.zadd_request));
  return MakeVerifiableTx(hdr.id, req.prove_since_tx);
}

Result<std::vector<ZEntry>> Database::ZScan(const ZScanRequest& req) {
  if (req.set.empty()) return errors::IllegalArguments();
  IMMUDB_RETURN_IF_ERROR(CheckResultLimit(req.limit));
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, req.no_wait, /*wait_all=*/true));
  uint64_t limit = req.limit == 0 ? settings_.max_result_size : req.limit;
  index::ScanSpec spec;
  spec.prefix = SortedSetPrefix(req.set);
  spec.desc = req.desc;
  spec.inclusive_seek = req.inclusive_seek;
  if (!req.seek_key.empty()) {
    spec.seek_key = EncodeZAddKey(req.set, req.seek_score, req.seek_key, req.seek_at_tx);
  } else if (!req.desc && req.min_score) {
    spec.seek_key = spec.prefix;
    AppendU64(spec.seek_key, std::bit_cast<uint64_t>(*req.min_score));
    spec.inclusive_seek = true;
  } else if (req.desc && req.max_score) {
    // Every member with score == max sorts below prefix ‖ f64(max) ‖ FF..FF.
    spec.seek_key = spec.prefix;
    AppendU64(spec.seek_key, std::bit_cast<uint64_t>(*req.max_score));
    AppendU64(spec.seek_key, ~uint64_t{0});
    spec.inclusive_seek = true;
  }
  std::vector<ZEntry> out;
  uint64_t skipped = 0;
  Status err;
  IMMUDB_RETURN_IF_ERROR(index_->Scan(spec, rc.at_tx, [&](const index::IndexedEntry& v) {
    if (v.deleted || v.ExpiredAt(rc.now)) return true;
    auto z = ParseZAddKey(v.key);
    if (!z.ok()) {
      err = z.status();
      return false;
    }
    if (req.min_score && z->score < *req.min_score) return true;
    if (req.max_score && z->score > *req.max_score) return true;
    if (skipped < req.offset) {
      ++skipped;
      return true;
    }
    auto e = GetAtTx(z->member_key, z->at_tx, 1, rc);
    if (!e.ok()) {
      if (IsNotFound(e.status())) return true;
      err = e.status();
      return false;
    }
    ZEntry ze;
    ze.set = req.set;
    ze.key.assign(z->member_key.begin() + 1, z->member_key.end());
    ze.entry = std::move(e).value();
    ze.score = z->score;
    ze.at_tx = z->at_tx;
    out.push_back(std::move(ze));
    return out.size() < limit;
  }));
  IMMUDB_RETURN_IF_ERROR(err);
  return out;
}

Result<TxHeader> Database::ExecAll(const ExecAllRequest& req) {
  if (req.operations.empty()) return errors::IllegalArguments("no operations");
  IMMUDB_RETURN_IF_ERROR(CheckPreconditions(req.preconditions));
  // Validate and collect the keys set by kv ops (references and zAdds may bind to them).
  std::set<Bytes> kv_keys;
  std::set<Bytes> z_keys;
  std::set<Bytes> ref_keys;
  bool needs_tx_id = false;
  for (const Op& op : req.operations) {
    if (const auto* kv = std::get_if<KeyValue>(&op)) {
      if (kv->key.empty()) return errors::IllegalArguments();
      if (!kv_keys.insert(kv->key).second) return errors::DuplicatedKeys();
    } else if (const auto* z = std::get_if<ZAddRequest>(&op)) {
      if (z->set.empty() || z->key.empty()) return errors::IllegalArguments();
      if (!z->bound_ref && z->at_tx > 0) return errors::IllegalArguments();
      Bytes id = z->set;
      id.push_back(0);
      Append(id, z->key);
      AppendU64(id, z->at_tx);
      if (!z_keys.insert(id).second) return errors::DuplicatedZAdd();
      if (z->bound_ref && z->at_tx == 0) needs_tx_id = true;
    } else {
      const auto& r = std::get<ReferenceRequest>(op);
      if (r.key.empty() || r.referenced_key.empty()) return errors::IllegalArguments();
      if (!r.bound_ref && r.at_tx > 0) return errors::IllegalArguments();
      if (!ref_keys.insert(r.key).second) return errors::DuplicatedReferences();
      if (r.bound_ref && r.at_tx == 0) needs_tx_id = true;
    }
  }
  if (req.no_wait) {
    for (const Op& op : req.operations) {
      if (const auto* z = std::get_if<ZAddRequest>(&op)) {
        if (!(z->bound_ref && z->at_tx == 0 && kv_keys.count(z->key))) {
          return errors::NoWaitNotSelfContained();
        }
      } else if (const auto* r = std::get_if<ReferenceRequest>(&op)) {
        if (!(r->bound_ref && r->at_tx == 0 && kv_keys.count(r->referenced_key))) {
          return errors::NoWaitNotSelfContained();
        }
      }
    }
  }
  for (int attempt = 0;; ++attempt) {
    uint64_t predicted = LastCommittedTx() + 1;
    std::vector<store::EntryInput> entries;
    entries.reserve(req.operations.size());
    for (const Op& op : req.operations) {
      store::EntryInput in;
      if (const auto* kv = std::get_if<KeyValue>(&op)) {
        in.key = EncodeKey(kv->key);
        in.value = EncodePlainValue(kv->value);
        if (kv->metadata) in.metadata = *kv->metadata;
      } else if (const auto* z = std::get_if<ZAddRequest>(&op)) {
        uint64_t at = (z->bound_ref && z->at_tx == 0) ? predicted : z->at_tx;
        in.key = EncodeZAddKey(z->set, z->score, z->key, at);
      } else {
        const auto& r = std::get<ReferenceRequest>(op);
        uint64_t at = (r.bound_ref && r.at_tx == 0) ? predicted : r.at_tx;
        in.key = EncodeKey(r.key);
        in.value = EncodeReferenceValue(r.referenced_key, at);
      }
      entries.push_back(std::move(in));
    }
    auto check = [&](uint64_t last) -> Status {
      if (needs_tx_id && last + 1 != predicted) return IdMismatch();
      IMMUDB_RETURN_IF_ERROR(CatchUpTo(last));
      ReadCtx rc{last, NowUnixSeconds()};
      for (const Op& op : req.operations) {
        const Bytes* member = nullptr;
        uint64_t at = 0;
        bool self_bound = false;
        if (const auto* z = std::get_if<ZAddRequest>(&op)) {
          member = &z->key;
          at = z->at_tx;
          self_bound = z->bound_ref && z->at_tx == 0;
        } else if (const auto* r = std::get_if<ReferenceRequest>(&op)) {
          member = &r->referenced_key;
          at = r->at_tx;
          self_bound = r->bound_ref && r->at_tx == 0;
          // The reference key must not be a plain key already.
          auto existing = GetAtTx(EncodeKey(r->key), 0, 0, rc);
          if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
          if (existing.ok() && !existing->referenced_by) {
            return errors::FinalKeyCannotBeConvertedIntoReference();
          }
          if (kv_keys.count(r->key)) return errors::FinalKeyCannotBeConvertedIntoReference();
        } else {
          continue;
        }
        if (kv_keys.count(*member)) continue;  // set by this very tx
        if (self_bound) return errors::KeyNotFound();
        if (ref_keys.count(*member)) return errors::ReferencedKeyCannotBeAReference();
        IMMUDB_ASSIGN_OR_RETURN(Entry target, GetAtTx(EncodeKey(*member), at, 0, rc));
        if (target.referenced_by) return errors::ReferencedKeyCannotBeAReference();
      }
      return EvalPreconditions(req.preconditions, last);
    };
    auto r = Commit(std::move(entries), check, req.no_wait);
    if (!r.ok() && r.status().code() == Code::kUnavailable &&
        r.status().message() == IdMismatch().message() && attempt < 1000) {
      continue;
    }
    if (!r.ok()) return r.status();
    return r->header;
  }
}

}  // namespace immudb::db
