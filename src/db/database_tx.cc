// Database: transactions by id, verifiable transactions and tx scans (PROTOCOL.md 2.9).
#include "db/database.h"
#include "db/encoding.h"
#include "db/errors.h"

namespace immudb::db {

namespace {

std::optional<KvMetadata> MdOrNull(const KvMetadata& md) {
  if (md.IsEmpty()) return std::nullopt;
  return md;
}

TxEntry RawEntry(const ledger::TxEntry& e) {
  TxEntry out;
  out.key = e.key;
  out.h_value = e.value_hash;
  out.v_len = int32_t(e.value_len);
  out.metadata = MdOrNull(e.metadata);
  return out;
}

EntryTypeAction ActionOf(const std::optional<EntryTypeAction>& a) {
  return a.value_or(EntryTypeAction::kExclude);
}

}  // namespace

Result<Tx> Database::RenderTx(const store::Tx& tx, const std::optional<EntriesSpec>& spec,
                              bool keep_refs_unresolved, const ReadCtx& rc) {
  Tx out;
  out.header = tx.header;
  if (!spec) {
    out.entries.reserve(tx.entries.size());
    for (const ledger::TxEntry& e : tx.entries) out.entries.push_back(RawEntry(e));
    return out;
  }
  const uint64_t now = rc.now ? rc.now : NowUnixSeconds();
  for (size_t i = 0; i < tx.entries.size(); ++i) {
    const ledger::TxEntry& e = tx.entries[i];
    if (e.key.empty()) continue;
    EntryTypeAction action;
    switch (e.key[0]) {
      case kSetKeyPrefix: action = ActionOf(spec->kv_entries_spec); break;
      case kSortedSetKeyPrefix: action = ActionOf(spec->z_entries_spec); break;
      case kSqlKeyPrefix: action = ActionOf(spec->sql_entries_spec); break;
      default: continue;
    }
    if (action == EntryTypeAction::kExclude) continue;
    if (action == EntryTypeAction::kOnlyDigest) {
      out.entries.push_back(RawEntry(e));
      continue;
    }
    bool expired = e.metadata.expires_at && *e.metadata.expires_at <= now;
    if (action == EntryTypeAction::kRawValue) {
      if (expired) continue;
      IMMUDB_ASSIGN_OR_RETURN(Bytes v, store_->ReadValue(tx.value_refs[i]));
      TxEntry te = RawEntry(e);
      te.value = std::move(v);
      out.entries.push_back(std::move(te));
      continue;
    }
    // RESOLVE
    if (e.key[0] == kSqlKeyPrefix) {
      return errors::IllegalArguments("sql entry resolution is not supported");
    }
    if (e.key[0] == kSetKeyPrefix) {
      if (expired) continue;
      IMMUDB_ASSIGN_OR_RETURN(Bytes v, store_->ReadValue(tx.value_refs[i]));
      auto resolved = ResolveValue(e.key, v, tx.header.id, e.metadata, 0, 0,
                                   keep_refs_unresolved ? nullptr : &rc);
      if (!resolved.ok()) {
        if (resolved.status().code() == Code::kNotFound) continue;
        return resolved.status();
      }
      out.kv_entries.push_back(std::move(resolved).value());
      continue;
    }
    IMMUDB_ASSIGN_OR_RETURN(ZAddKey z, ParseZAddKey(e.key));
    ZEntry ze;
    if (!keep_refs_unresolved) {
      auto member = GetAtTx(z.member_key, z.at_tx, 1, rc);
      if (!member.ok()) {
        if (member.status().code() == Code::kNotFound) continue;
        return member.status();
      }
      ze.entry = std::move(member).value();
    }
    ze.set = std::move(z.set);
    ze.key.assign(z.member_key.begin() + 1, z.member_key.end());
    ze.score = z.score;
    ze.at_tx = z.at_tx;
    out.z_entries.push_back(std::move(ze));
  }
  return out;
}

Result<Tx> Database::TxById(const TxRequest& req) {
  if (req.tx == 0) return errors::IllegalArguments();
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, req.no_wait, /*wait_all=*/true));
  auto tx = store_->ReadTx(req.tx);
  if (!tx.ok()) {
    if (tx.status().code() == Code::kNotFound) return errors::TxNotFound();
    return tx.status();
  }
  return RenderTx(*tx, req.entries_spec, req.keep_references_unresolved, rc);
}

Result<VerifiableTx> Database::VerifiableTxById(const VerifiableTxRequest& req) {
  uint64_t last = LastCommittedTx();
  if (req.prove_since_tx > last) {
    return errors::IllegalState("latest txID=" + std::to_string(last) +
                                " is lower than specified as initial tx=" +
                                std::to_string(req.prove_since_tx));
  }
  if (req.tx == 0) return errors::IllegalArguments();
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, req.no_wait, /*wait_all=*/true));
  auto tx = store_->ReadTx(req.tx);
  if (!tx.ok()) {
    if (tx.status().code() == Code::kNotFound) return errors::TxNotFound();
    return tx.status();
  }
  uint64_t source, target;
  if (req.prove_since_tx <= req.tx) {
    source = req.prove_since_tx == 0 ? req.tx : req.prove_since_tx;
    target = req.tx;
  } else {
    source = req.tx;
    target = req.prove_since_tx;
  }
  VerifiableTx vt;
  IMMUDB_ASSIGN_OR_RETURN(vt.dual_proof, store_->DualProof(source, target));
  IMMUDB_ASSIGN_OR_RETURN(vt.tx, RenderTx(*tx, req.entries_spec, req.keep_references_unresolved, rc));
  return vt;
}

Result<std::vector<Tx>> Database::TxScan(const TxScanRequest& req) {
  IMMUDB_RETURN_IF_ERROR(CheckResultLimit(req.limit));
  if (req.initial_tx == 0) return errors::IllegalArguments();
  IMMUDB_ASSIGN_OR_RETURN(ReadCtx rc, PrepareRead(req.since_tx, req.no_wait, /*wait_all=*/true));
  uint64_t limit = req.limit == 0 ? settings_.max_result_size : req.limit;
  uint64_t last = LastCommittedTx();
  std::vector<Tx> out;
  if (!req.desc) {
    if (req.initial_tx > last) return out;
    uint64_t to = std::min(last, req.initial_tx + limit - 1);
    Status err;
    IMMUDB_RETURN_IF_ERROR(store_->ForEachTx(req.initial_tx, to, [&](const store::Tx& tx) {
      auto r = RenderTx(tx, req.entries_spec, false, rc);
      if (!r.ok()) return r.status();
      out.push_back(std::move(r).value());
      return Status::Ok();
    }));
    return out;
  }
  for (uint64_t id = std::min(req.initial_tx, last); id >= 1 && out.size() < limit; --id) {
    IMMUDB_ASSIGN_OR_RETURN(store::Tx tx, store_->ReadTx(id));
    IMMUDB_ASSIGN_OR_RETURN(Tx r, RenderTx(tx, req.entries_spec, false, rc));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace immudb::db
