#include "client/verification.h"

#include <optional>
#include <vector>

#include "client/entry_encoding.h"
#include "client/proto_convert.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/state_signature.h"
#include "ledger/tx.h"

namespace immudb::client {

Status TamperingDetected(const std::string& why) {
  return Tampered("tampering detected: " + why);
}

namespace {

// Converts a non-ok status from the ledger into a tampering report.
Status AsTampering(const Status& st, const std::string& what) {
  if (st.ok()) return st;
  if (st.message().rfind(what + ":", 0) == 0) return TamperingDetected(st.message());
  return TamperingDetected(what + ": " + st.message());
}

Status CheckVersion(int32_t version) {
  if (version < ledger::kTxHeaderVersion0 || version > ledger::kMaxTxHeaderVersion) {
    return TamperingDetected("unsupported tx header version " + std::to_string(version));
  }
  return Status::Ok();
}

Result<crypto::Digest> HeaderAlh(const ledger::TxHeader& h, const std::string& which) {
  Result<crypto::Digest> alh = h.Alh();
  if (!alh.ok()) return AsTampering(alh.status(), which + " header");
  return alh;
}

}  // namespace

Result<ledger::State> VerifyWriteResponse(const schema::VerifiableTx& resp,
                                          const ExpectedEntry& expected,
                                          const ledger::State& local, const std::string& db) {
  if (!resp.has_tx() || !resp.tx().has_header() || !resp.has_dualproof()) {
    return TamperingDetected("incomplete verifiable tx");
  }
  const schema::Tx& tx = resp.tx();
  if (tx.header().nentries() != 1 || tx.entries_size() != 1) {
    return TamperingDetected("expected exactly one entry in the tx");
  }
  ledger::TxHeader header = TxHeaderFromProto(tx.header());
  IMMUDB_RETURN_IF_ERROR(CheckVersion(header.version));

  std::vector<ledger::TxEntry> entries;
  for (const auto& e : tx.entries()) entries.push_back(TxEntryFromProto(e));
  Result<std::vector<crypto::Digest>> digests = ledger::EntryDigests(header.version, entries);
  if (!digests.ok()) return AsTampering(digests.status(), "tx entries");
  ledger::HTree tree = ledger::HTree::Build(*digests);
  header.eh = tree.Root();

  std::optional<size_t> index;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].key == expected.key) index = i;
  }
  if (!index) return TamperingDetected("the written key is not in the tx");
  ledger::KvMetadata md;
  if (expected.metadata_from_tx) {
    md = entries[*index].metadata;
    if (md.deleted) return TamperingDetected("the written entry is marked deleted");
  }
  Result<crypto::Digest> want = ledger::EntryDigest(header.version, expected.key, md,
                                                    crypto::Sha256(expected.value));
  if (!want.ok()) return AsTampering(want.status(), "expected entry");
  Result<ledger::HTreeProof> proof = tree.Proof(*index);
  if (!proof.ok()) return AsTampering(proof.status(), "entry proof");
  if (!ledger::VerifyHTreeInclusion(*proof, *want, header.eh)) {
    return TamperingDetected("the written entry does not match the tx");
  }

  ledger::DualProof dual = DualProofFromProto(resp.dualproof());
  if (header.eh != dual.target_tx_header.eh) {
    return TamperingDetected("tx entries do not hash to the proven Eh");
  }
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest alh, HeaderAlh(header, "tx"));
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest proven_alh, HeaderAlh(dual.target_tx_header, "target"));
  if (alh != proven_alh || dual.target_tx_header.id != header.id) {
    return TamperingDetected("tx header differs from the proven header");
  }
  if (local.tx_id > 0) {
    IMMUDB_RETURN_IF_ERROR(AsTampering(
        ledger::VerifyDualProof(dual, local.tx_id, header.id, local.tx_hash, alh), "dual proof"));
  }
  return ledger::State{db, header.id, alh};
}

Result<ledger::State> VerifyEntryResponse(const schema::VerifiableEntry& resp,
                                          ByteView requested_key, uint64_t at_tx,
                                          const ledger::State& local, const std::string& db) {
  if (!resp.has_entry() || !resp.has_verifiabletx() || !resp.verifiabletx().has_dualproof() ||
      !resp.verifiabletx().has_tx() || !resp.has_inclusionproof()) {
    return TamperingDetected("incomplete verifiable entry");
  }
  const schema::Entry& entry = resp.entry();
  int32_t version = resp.verifiabletx().tx().header().version();
  IMMUDB_RETURN_IF_ERROR(CheckVersion(version));

  Bytes key = KvStoreKey(requested_key);
  ledger::KvMetadata md;
  Bytes value;
  uint64_t v_tx = 0;
  if (!entry.has_referencedby()) {
    if (entry.has_metadata()) md = KvMetadataFromProto(entry.metadata());
    value = PlainStoreValue(AsBytes(entry.value()));
    v_tx = entry.tx();
  } else {
    const schema::Reference& ref = entry.referencedby();
    if (ref.has_metadata()) md = KvMetadataFromProto(ref.metadata());
    value = ReferenceStoreValue(ref.attx(), AsBytes(entry.key()));
    v_tx = ref.tx();
  }
  if (at_tx > 0) v_tx = at_tx;
  Result<crypto::Digest> digest = ledger::EntryDigest(version, key, md, crypto::Sha256(value));
  if (!digest.ok()) return AsTampering(digest.status(), "entry");

  ledger::DualProof dual = DualProofFromProto(resp.verifiabletx().dualproof());
  crypto::Digest eh;
  uint64_t source_id, target_id;
  crypto::Digest source_alh, target_alh;
  if (local.tx_id <= v_tx) {
    if (dual.target_tx_header.id != v_tx) return TamperingDetected("proof is for another tx");
    eh = dual.target_tx_header.eh;
    source_id = local.tx_id;
    source_alh = local.tx_hash;
    target_id = v_tx;
    IMMUDB_ASSIGN_OR_RETURN(target_alh, HeaderAlh(dual.target_tx_header, "target"));
  } else {
    if (dual.source_tx_header.id != v_tx) return TamperingDetected("proof is for another tx");
    eh = dual.source_tx_header.eh;
    source_id = v_tx;
    IMMUDB_ASSIGN_OR_RETURN(source_alh, HeaderAlh(dual.source_tx_header, "source"));
    target_id = local.tx_id;
    target_alh = local.tx_hash;
  }
  if (!ledger::VerifyHTreeInclusion(InclusionProofFromProto(resp.inclusionproof()), *digest, eh)) {
    return TamperingDetected("entry is not included in its tx");
  }
  if (local.tx_id > 0) {
    IMMUDB_RETURN_IF_ERROR(AsTampering(
        ledger::VerifyDualProof(dual, source_id, target_id, source_alh, target_alh),
        "dual proof"));
  }
  return ledger::State{db, target_id, target_alh};
}

Result<ledger::State> VerifyTxResponse(const schema::VerifiableTx& resp, uint64_t tx,
                                       const ledger::State& local, const std::string& db) {
  if (!resp.has_tx() || !resp.tx().has_header() || !resp.has_dualproof()) {
    return TamperingDetected("incomplete verifiable tx");
  }
  ledger::DualProof dual = DualProofFromProto(resp.dualproof());
  uint64_t source_id, target_id;
  crypto::Digest source_alh, target_alh, tx_alh;
  if (local.tx_id <= tx) {
    if (dual.target_tx_header.id != tx) return TamperingDetected("proof is for another tx");
    source_id = local.tx_id;
    source_alh = local.tx_hash;
    target_id = tx;
    IMMUDB_ASSIGN_OR_RETURN(target_alh, HeaderAlh(dual.target_tx_header, "target"));
    tx_alh = target_alh;
  } else {
    if (dual.source_tx_header.id != tx) return TamperingDetected("proof is for another tx");
    source_id = tx;
    IMMUDB_ASSIGN_OR_RETURN(source_alh, HeaderAlh(dual.source_tx_header, "source"));
    target_id = local.tx_id;
    target_alh = local.tx_hash;
    tx_alh = source_alh;
  }
  if (local.tx_id > 0) {
    IMMUDB_RETURN_IF_ERROR(AsTampering(
        ledger::VerifyDualProof(dual, source_id, target_id, source_alh, target_alh),
        "dual proof"));
  }

  // The tx shown to the user must be the proven one.
  ledger::TxHeader header = TxHeaderFromProto(resp.tx().header());
  IMMUDB_RETURN_IF_ERROR(CheckVersion(header.version));
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest alh, HeaderAlh(header, "tx"));
  if (header.id != tx || alh != tx_alh) {
    return TamperingDetected("tx header differs from the proven header");
  }
  if (resp.tx().entries_size() > 0 && uint32_t(resp.tx().entries_size()) == header.n_entries) {
    std::vector<ledger::TxEntry> entries;
    for (const auto& e : resp.tx().entries()) entries.push_back(TxEntryFromProto(e));
    Result<crypto::Digest> eh = ledger::ComputeEh(header.version, entries);
    if (!eh.ok()) return AsTampering(eh.status(), "tx entries");
    if (*eh != header.eh) return TamperingDetected("tx entries do not hash to the tx's Eh");
  }
  return ledger::State{db, target_id, target_alh};
}

Status VerifyStateSignature(const ledger::State& state, const schema::Signature* sig,
                            const crypto::EcdsaPublicKey& key) {
  if (sig == nullptr || sig->signature().empty()) {
    return TamperingDetected("no signature provided by the server");
  }
  Status st = ledger::VerifyStateSignature(state, AsBytes(sig->signature()), key);
  if (st.ok()) return st;
  if (st.code() == Code::kCryptoError) return st;
  return TamperingDetected("state signature does not verify");
}

ledger::State StateFromProto(const schema::ImmutableState& s) {
  return ledger::State{s.db(), s.txid(), DigestFromProto(s.txhash())};
}

void StateToProto(const ledger::State& s, schema::ImmutableState* out) {
  out->set_db(s.db);
  out->set_txid(s.tx_id);
  out->set_txhash(DigestToProto(s.tx_hash));
}

}  // namespace immudb::client
