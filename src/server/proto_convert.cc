#include "server/proto_convert.h"

namespace immudb::server {
namespace {

Bytes ToBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string ToString(const Bytes& b) { return std::string(b.begin(), b.end()); }
std::string ToString(const crypto::Digest& d) { return std::string(d.begin(), d.end()); }

std::optional<ledger::KvMetadata> MetadataFromProto(const schema::KVMetadata& in) {
  ledger::KvMetadata md;
  md.deleted = in.deleted();
  if (in.has_expiration()) md.expires_at = static_cast<uint64_t>(in.expiration().expiresat());
  md.non_indexable = in.nonindexable();
  return md;
}

std::optional<db::EntriesSpec> SpecFromProto(bool has, const schema::EntriesSpec& in) {
  if (!has) return std::nullopt;
  db::EntriesSpec spec;
  auto one = [](bool set, const schema::EntryTypeSpec& s) -> std::optional<db::EntryTypeAction> {
    if (!set) return std::nullopt;
    return static_cast<db::EntryTypeAction>(s.action());
  };
  spec.kv_entries_spec = one(in.has_kventriesspec(), in.kventriesspec());
  spec.z_entries_spec = one(in.has_zentriesspec(), in.zentriesspec());
  spec.sql_entries_spec = one(in.has_sqlentriesspec(), in.sqlentriesspec());
  return spec;
}

void DigestsToProto(const std::vector<crypto::Digest>& in,
                    google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const auto& d : in) out->Add(ToString(d));
}

}  // namespace

Result<db::KeyValue> FromProto(const schema::KeyValue& in) {
  db::KeyValue kv;
  kv.key = ToBytes(in.key());
  kv.value = ToBytes(in.value());
  if (in.has_metadata()) kv.metadata = MetadataFromProto(in.metadata());
  return kv;
}

Result<db::Precondition> FromProto(const schema::Precondition& in) {
  switch (in.precondition_case()) {
    case schema::Precondition::kKeyMustExist:
      return db::Precondition::MustExist(ToBytes(in.keymustexist().key()));
    case schema::Precondition::kKeyMustNotExist:
      return db::Precondition::MustNotExist(ToBytes(in.keymustnotexist().key()));
    case schema::Precondition::kKeyNotModifiedAfterTX:
      return db::Precondition::NotModifiedAfterTx(ToBytes(in.keynotmodifiedaftertx().key()),
                                                  in.keynotmodifiedaftertx().txid());
    default:
      return InvalidArgument("invalid precondition: empty precondition");
  }
}

Result<db::SetRequest> FromProto(const schema::SetRequest& in) {
  db::SetRequest req;
  for (const auto& kv : in.kvs()) {
    IMMUDB_ASSIGN_OR_RETURN(db::KeyValue v, FromProto(kv));
    req.kvs.push_back(std::move(v));
  }
  req.no_wait = in.nowait();
  for (const auto& p : in.preconditions()) {
    IMMUDB_ASSIGN_OR_RETURN(db::Precondition v, FromProto(p));
    req.preconditions.push_back(std::move(v));
  }
  return req;
}

db::KeyRequest FromProto(const schema::KeyRequest& in) {
  db::KeyRequest req;
  req.key = ToBytes(in.key());
  req.at_tx = in.attx();
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  req.at_revision = in.atrevision();
  return req;
}

Result<db::VerifiableSetRequest> FromProto(const schema::VerifiableSetRequest& in) {
  db::VerifiableSetRequest req;
  IMMUDB_ASSIGN_OR_RETURN(req.set_request, FromProto(in.setrequest()));
  req.prove_since_tx = in.provesincetx();
  return req;
}

db::VerifiableGetRequest FromProto(const schema::VerifiableGetRequest& in) {
  db::VerifiableGetRequest req;
  req.key_request = FromProto(in.keyrequest());
  req.prove_since_tx = in.provesincetx();
  return req;
}

db::KeyListRequest FromProto(const schema::KeyListRequest& in) {
  db::KeyListRequest req;
  for (const auto& k : in.keys()) req.keys.push_back(ToBytes(k));
  req.since_tx = in.sincetx();
  return req;
}

db::DeleteKeysRequest FromProto(const schema::DeleteKeysRequest& in) {
  db::DeleteKeysRequest req;
  for (const auto& k : in.keys()) req.keys.push_back(ToBytes(k));
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  return req;
}

db::ScanRequest FromProto(const schema::ScanRequest& in) {
  db::ScanRequest req;
  req.seek_key = ToBytes(in.seekkey());
  req.prefix = ToBytes(in.prefix());
  req.desc = in.desc();
  req.limit = in.limit();
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  req.end_key = ToBytes(in.endkey());
  req.inclusive_seek = in.inclusiveseek();
  req.inclusive_end = in.inclusiveend();
  req.offset = in.offset();
  return req;
}

db::HistoryRequest FromProto(const schema::HistoryRequest& in) {
  db::HistoryRequest req;
  req.key = ToBytes(in.key());
  req.offset = in.offset();
  req.limit = in.limit();
  req.desc = in.desc();
  req.since_tx = in.sincetx();
  return req;
}

db::TxRequest FromProto(const schema::TxRequest& in) {
  db::TxRequest req;
  req.tx = in.tx();
  req.entries_spec = SpecFromProto(in.has_entriesspec(), in.entriesspec());
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  req.keep_references_unresolved = in.keepreferencesunresolved();
  return req;
}

db::VerifiableTxRequest FromProto(const schema::VerifiableTxRequest& in) {
  db::VerifiableTxRequest req;
  req.tx = in.tx();
  req.prove_since_tx = in.provesincetx();
  req.entries_spec = SpecFromProto(in.has_entriesspec(), in.entriesspec());
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  req.keep_references_unresolved = in.keepreferencesunresolved();
  return req;
}

db::TxScanRequest FromProto(const schema::TxScanRequest& in) {
  db::TxScanRequest req;
  req.initial_tx = in.initialtx();
  req.limit = in.limit();
  req.desc = in.desc();
  req.entries_spec = SpecFromProto(in.has_entriesspec(), in.entriesspec());
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  return req;
}

void ToProto(const ledger::KvMetadata& in, schema::KVMetadata* out) {
  out->set_deleted(in.deleted);
  if (in.expires_at) out->mutable_expiration()->set_expiresat(static_cast<int64_t>(*in.expires_at));
  out->set_nonindexable(in.non_indexable);
}

void ToProto(const ledger::TxHeader& in, schema::TxHeader* out) {
  out->set_id(in.id);
  out->set_prevalh(ToString(in.prev_alh));
  out->set_ts(in.ts);
  out->set_nentries(static_cast<int32_t>(in.n_entries));
  out->set_eh(ToString(in.eh));
  out->set_bltxid(in.bl_tx_id);
  out->set_blroot(ToString(in.bl_root));
  out->set_version(in.version);
  if (!in.metadata.IsEmpty()) {
    auto* md = out->mutable_metadata();
    if (in.metadata.truncated_upto_tx) md->set_truncatedtxid(*in.metadata.truncated_upto_tx);
    if (in.metadata.extra) md->set_extra(ToString(*in.metadata.extra));
  }
}

void ToProto(const db::Entry& in, schema::Entry* out) {
  out->set_tx(in.tx);
  out->set_key(ToString(in.key));
  out->set_value(ToString(in.value));
  if (in.referenced_by) {
    auto* ref = out->mutable_referencedby();
    ref->set_tx(in.referenced_by->tx);
    ref->set_key(ToString(in.referenced_by->key));
    ref->set_attx(in.referenced_by->at_tx);
    if (in.referenced_by->metadata) ToProto(*in.referenced_by->metadata, ref->mutable_metadata());
    ref->set_revision(in.referenced_by->revision);
  }
  if (in.metadata) ToProto(*in.metadata, out->mutable_metadata());
  out->set_expired(in.expired);
  out->set_revision(in.revision);
}

void ToProto(const db::TxEntry& in, schema::TxEntry* out) {
  out->set_key(ToString(in.key));
  out->set_hvalue(ToString(in.h_value));
  out->set_vlen(in.v_len);
  if (in.metadata) ToProto(*in.metadata, out->mutable_metadata());
  if (in.value) out->set_value(ToString(*in.value));
}

void ToProto(const db::ZEntry& in, schema::ZEntry* out) {
  out->set_set(ToString(in.set));
  out->set_key(ToString(in.key));
  if (in.entry) ToProto(*in.entry, out->mutable_entry());
  out->set_score(in.score);
  out->set_attx(in.at_tx);
}

void ToProto(const db::Tx& in, schema::Tx* out) {
  ToProto(in.header, out->mutable_header());
  for (const auto& e : in.entries) ToProto(e, out->add_entries());
  for (const auto& e : in.kv_entries) ToProto(e, out->add_kventries());
  for (const auto& e : in.z_entries) ToProto(e, out->add_zentries());
}

void ToProto(const ledger::DualProof& in, schema::DualProof* out) {
  ToProto(in.source_tx_header, out->mutable_sourcetxheader());
  ToProto(in.target_tx_header, out->mutable_targettxheader());
  DigestsToProto(in.inclusion_proof, out->mutable_inclusionproof());
  DigestsToProto(in.consistency_proof, out->mutable_consistencyproof());
  out->set_targetbltxalh(ToString(in.target_bl_tx_alh));
  DigestsToProto(in.last_inclusion_proof, out->mutable_lastinclusionproof());
  auto* lp = out->mutable_linearproof();
  lp->set_sourcetxid(in.linear_proof.source_tx_id);
  lp->set_targettxid(in.linear_proof.target_tx_id);
  DigestsToProto(in.linear_proof.terms, lp->mutable_terms());
  if (in.linear_advance_proof) {
    auto* lap = out->mutable_linearadvanceproof();
    DigestsToProto(in.linear_advance_proof->linear_proof_terms, lap->mutable_linearproofterms());
    for (const auto& terms : in.linear_advance_proof->inclusion_proofs) {
      DigestsToProto(terms, lap->add_inclusionproofs()->mutable_terms());
    }
  }
}

void ToProto(const ledger::HTreeProof& in, schema::InclusionProof* out) {
  out->set_leaf(static_cast<int32_t>(in.leaf));
  out->set_width(static_cast<int32_t>(in.width));
  DigestsToProto(in.terms, out->mutable_terms());
}

void ToProto(const ledger::StateSignature& in, schema::Signature* out) {
  out->set_publickey(ToString(in.public_key));
  out->set_signature(ToString(in.signature));
}

void ToProto(const db::VerifiableTx& in, schema::VerifiableTx* out) {
  ToProto(in.tx, out->mutable_tx());
  ToProto(in.dual_proof, out->mutable_dualproof());
}

void ToProto(const db::ImmutableState& in, schema::ImmutableState* out) {
  out->set_db(in.db);
  out->set_txid(in.tx_id);
  out->set_txhash(ToString(in.tx_hash));
  out->set_precommittedtxid(in.precommitted_tx_id);
  out->set_precommittedtxhash(ToString(in.precommitted_tx_hash));
}

}  // namespace immudb::server

namespace immudb::server {

Result<db::ReferenceRequest> FromProto(const schema::ReferenceRequest& in) {
  db::ReferenceRequest req;
  req.key = Bytes(in.key().begin(), in.key().end());
  req.referenced_key = Bytes(in.referencedkey().begin(), in.referencedkey().end());
  req.at_tx = in.attx();
  req.bound_ref = in.boundref();
  req.no_wait = in.nowait();
  for (const auto& p : in.preconditions()) {
    IMMUDB_ASSIGN_OR_RETURN(db::Precondition v, FromProto(p));
    req.preconditions.push_back(std::move(v));
  }
  return req;
}

db::ZAddRequest FromProto(const schema::ZAddRequest& in) {
  db::ZAddRequest req;
  req.set = Bytes(in.set().begin(), in.set().end());
  req.score = in.score();
  req.key = Bytes(in.key().begin(), in.key().end());
  req.at_tx = in.attx();
  req.bound_ref = in.boundref();
  req.no_wait = in.nowait();
  return req;
}

db::ZScanRequest FromProto(const schema::ZScanRequest& in) {
  db::ZScanRequest req;
  req.set = Bytes(in.set().begin(), in.set().end());
  req.seek_key = Bytes(in.seekkey().begin(), in.seekkey().end());
  req.seek_score = in.seekscore();
  req.seek_at_tx = in.seekattx();
  req.inclusive_seek = in.inclusiveseek();
  req.limit = in.limit();
  req.desc = in.desc();
  if (in.has_minscore()) req.min_score = in.minscore().score();
  if (in.has_maxscore()) req.max_score = in.maxscore().score();
  req.since_tx = in.sincetx();
  req.no_wait = in.nowait();
  req.offset = in.offset();
  return req;
}

Result<db::ExecAllRequest> FromProto(const schema::ExecAllRequest& in) {
  db::ExecAllRequest req;
  for (const auto& op : in.operations()) {
    switch (op.operation_case()) {
      case schema::Op::kKv: {
        IMMUDB_ASSIGN_OR_RETURN(db::KeyValue kv, FromProto(op.kv()));
        req.operations.emplace_back(std::move(kv));
        break;
      }
      case schema::Op::kZAdd:
        req.operations.emplace_back(FromProto(op.zadd()));
        break;
      case schema::Op::kRef: {
        IMMUDB_ASSIGN_OR_RETURN(db::ReferenceRequest ref, FromProto(op.ref()));
        req.operations.emplace_back(std::move(ref));
        break;
      }
      default:
        return InvalidArgument("illegal arguments: empty operation");
    }
  }
  req.no_wait = in.nowait();
  for (const auto& p : in.preconditions()) {
    IMMUDB_ASSIGN_OR_RETURN(db::Precondition v, FromProto(p));
    req.preconditions.push_back(std::move(v));
  }
  return req;
}

Result<db::DatabaseSettings> FromProto(const schema::DatabaseNullableSettings& in,
                                       db::DatabaseSettings s) {
  if (in.has_replicationsettings() && in.replicationsettings().has_replica() &&
      in.replicationsettings().replica().value()) {
    return Unimplemented("replication is not implemented yet");
  }
  if (in.has_filesize()) s.file_size = in.filesize().value();
  if (in.has_maxkeylen()) s.max_key_len = in.maxkeylen().value();
  if (in.has_maxvaluelen()) s.max_value_len = in.maxvaluelen().value();
  if (in.has_maxtxentries()) s.max_tx_entries = in.maxtxentries().value();
  if (in.has_excludecommittime()) s.exclude_commit_time = in.excludecommittime().value();
  if (in.has_writetxheaderversion()) s.write_tx_header_version = in.writetxheaderversion().value();
  if (in.has_autoload()) s.autoload = in.autoload().value();
  if (in.has_preallocfiles()) s.prealloc_files = in.preallocfiles().value();
  IMMUDB_RETURN_IF_ERROR(s.Validate());
  return s;
}

void ToProto(const db::DatabaseSettings& in, schema::DatabaseNullableSettings* out) {
  out->mutable_filesize()->set_value(in.file_size);
  out->mutable_maxkeylen()->set_value(in.max_key_len);
  out->mutable_maxvaluelen()->set_value(in.max_value_len);
  out->mutable_maxtxentries()->set_value(in.max_tx_entries);
  out->mutable_excludecommittime()->set_value(in.exclude_commit_time);
  out->mutable_writetxheaderversion()->set_value(in.write_tx_header_version);
  out->mutable_autoload()->set_value(in.autoload);
  out->mutable_preallocfiles()->set_value(in.prealloc_files);
  out->mutable_replicationsettings()->mutable_replica()->set_value(false);
}

void ToProto(const db::DatabaseInfo& in, schema::DatabaseInfo* out) {
  out->set_name(in.name);
  ToProto(in.settings, out->mutable_settings());
  out->set_loaded(in.loaded);
  out->set_disksize(in.disk_size);
  out->set_numtransactions(in.num_transactions);
  out->set_created_at(in.created_at);
  out->set_created_by(in.created_by);
}

}  // namespace immudb::server
