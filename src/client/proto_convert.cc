#include "client/proto_convert.h"

#include <algorithm>
#include <cstring>

namespace immudb::client {

crypto::Digest DigestFromProto(const std::string& b) {
  crypto::Digest d{};
  std::memcpy(d.data(), b.data(), std::min(b.size(), d.size()));
  return d;
}

std::string DigestToProto(const crypto::Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

ledger::KvMetadata KvMetadataFromProto(const schema::KVMetadata& md) {
  ledger::KvMetadata out;
  out.deleted = md.deleted();
  if (md.has_expiration()) out.expires_at = uint64_t(md.expiration().expiresat());
  out.non_indexable = md.nonindexable();
  return out;
}

bool HasKvMetadata(const ledger::KvMetadata& md) { return !md.IsEmpty(); }

void KvMetadataToProto(const ledger::KvMetadata& md, schema::KVMetadata* out) {
  out->Clear();
  out->set_deleted(md.deleted);
  if (md.expires_at) out->mutable_expiration()->set_expiresat(int64_t(*md.expires_at));
  out->set_nonindexable(md.non_indexable);
}

ledger::TxMetadata TxMetadataFromProto(const schema::TxMetadata& md) {
  ledger::TxMetadata out;
  if (md.truncatedtxid() > 0) out.truncated_upto_tx = md.truncatedtxid();
  if (!md.extra().empty()) out.extra = ToBytes(md.extra());
  return out;
}

ledger::TxHeader TxHeaderFromProto(const schema::TxHeader& h) {
  ledger::TxHeader out;
  out.id = h.id();
  out.prev_alh = DigestFromProto(h.prevalh());
  out.ts = h.ts();
  out.n_entries = uint32_t(h.nentries());
  out.eh = DigestFromProto(h.eh());
  out.bl_tx_id = h.bltxid();
  out.bl_root = DigestFromProto(h.blroot());
  out.version = h.version();
  if (h.has_metadata()) out.metadata = TxMetadataFromProto(h.metadata());
  return out;
}

void TxHeaderToProto(const ledger::TxHeader& h, schema::TxHeader* out) {
  out->Clear();
  out->set_id(h.id);
  out->set_prevalh(DigestToProto(h.prev_alh));
  out->set_ts(h.ts);
  out->set_nentries(int32_t(h.n_entries));
  out->set_eh(DigestToProto(h.eh));
  out->set_bltxid(h.bl_tx_id);
  out->set_blroot(DigestToProto(h.bl_root));
  out->set_version(h.version);
  if (!h.metadata.IsEmpty()) {
    auto* md = out->mutable_metadata();
    if (h.metadata.truncated_upto_tx) md->set_truncatedtxid(*h.metadata.truncated_upto_tx);
    if (h.metadata.extra) md->set_extra(ToString(*h.metadata.extra));
  }
}

ledger::TxEntry TxEntryFromProto(const schema::TxEntry& e) {
  ledger::TxEntry out;
  out.key = ToBytes(e.key());
  if (e.has_metadata()) out.metadata = KvMetadataFromProto(e.metadata());
  out.value_hash = DigestFromProto(e.hvalue());
  out.value_len = uint32_t(e.vlen());
  return out;
}

void TxEntryToProto(const ledger::TxEntry& e, schema::TxEntry* out) {
  out->Clear();
  out->set_key(ToString(e.key));
  out->set_hvalue(DigestToProto(e.value_hash));
  out->set_vlen(int32_t(e.value_len));
  if (!e.metadata.IsEmpty()) KvMetadataToProto(e.metadata, out->mutable_metadata());
}

ledger::HTreeProof InclusionProofFromProto(const schema::InclusionProof& p) {
  ledger::HTreeProof out;
  out.leaf = uint64_t(uint32_t(p.leaf()));
  out.width = uint64_t(uint32_t(p.width()));
  for (const auto& t : p.terms()) out.terms.push_back(DigestFromProto(t));
  return out;
}

void InclusionProofToProto(const ledger::HTreeProof& p, schema::InclusionProof* out) {
  out->Clear();
  out->set_leaf(int32_t(p.leaf));
  out->set_width(int32_t(p.width));
  for (const auto& t : p.terms) out->add_terms(DigestToProto(t));
}

namespace {

std::vector<crypto::Digest> Digests(const google::protobuf::RepeatedPtrField<std::string>& in) {
  std::vector<crypto::Digest> out;
  out.reserve(size_t(in.size()));
  for (const auto& t : in) out.push_back(DigestFromProto(t));
  return out;
}

void AddDigests(const std::vector<crypto::Digest>& in,
                google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const auto& d : in) *out->Add() = DigestToProto(d);
}

}  // namespace

ledger::DualProof DualProofFromProto(const schema::DualProof& p) {
  ledger::DualProof out;
  out.source_tx_header = TxHeaderFromProto(p.sourcetxheader());
  out.target_tx_header = TxHeaderFromProto(p.targettxheader());
  out.inclusion_proof = Digests(p.inclusionproof());
  out.consistency_proof = Digests(p.consistencyproof());
  out.target_bl_tx_alh = DigestFromProto(p.targetbltxalh());
  out.last_inclusion_proof = Digests(p.lastinclusionproof());
  out.linear_proof.source_tx_id = p.linearproof().sourcetxid();
  out.linear_proof.target_tx_id = p.linearproof().targettxid();
  out.linear_proof.terms = Digests(p.linearproof().terms());
  if (p.has_linearadvanceproof()) {
    ledger::LinearAdvanceProof lap;
    lap.linear_proof_terms = Digests(p.linearadvanceproof().linearproofterms());
    for (const auto& ip : p.linearadvanceproof().inclusionproofs()) {
      lap.inclusion_proofs.push_back(Digests(ip.terms()));
    }
    out.linear_advance_proof = std::move(lap);
  }
  return out;
}

void DualProofToProto(const ledger::DualProof& p, schema::DualProof* out) {
  out->Clear();
  TxHeaderToProto(p.source_tx_header, out->mutable_sourcetxheader());
  TxHeaderToProto(p.target_tx_header, out->mutable_targettxheader());
  AddDigests(p.inclusion_proof, out->mutable_inclusionproof());
  AddDigests(p.consistency_proof, out->mutable_consistencyproof());
  out->set_targetbltxalh(DigestToProto(p.target_bl_tx_alh));
  AddDigests(p.last_inclusion_proof, out->mutable_lastinclusionproof());
  auto* lp = out->mutable_linearproof();
  lp->set_sourcetxid(p.linear_proof.source_tx_id);
  lp->set_targettxid(p.linear_proof.target_tx_id);
  AddDigests(p.linear_proof.terms, lp->mutable_terms());
  if (p.linear_advance_proof) {
    auto* lap = out->mutable_linearadvanceproof();
    AddDigests(p.linear_advance_proof->linear_proof_terms, lap->mutable_linearproofterms());
    for (const auto& ip : p.linear_advance_proof->inclusion_proofs) {
      AddDigests(ip, lap->add_inclusionproofs()->mutable_terms());
    }
  }
}

}  // namespace immudb::client
