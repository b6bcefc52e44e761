#include "ledger/dual_proof.h"

#include <algorithm>
#include <string>

namespace immudb::ledger {
namespace {

Status Fail(const std::string& what) { return Tampered("dual proof: " + what); }

}  // namespace

Result<DualProof> BuildDualProof(const TxHeader& source, const TxHeader& target,
                                 const TxChainSource& chain, const ahtree::NodeSource& tree) {
  if (source.id == 0 || source.id > target.id) {
    return InvalidArgument("dual proof: source tx " + std::to_string(source.id) +
                           " is zero or newer than target tx " + std::to_string(target.id));
  }
  if (source.bl_tx_id > target.bl_tx_id) {
    return Corruption("dual proof: binary linking mismatch at tx " + std::to_string(source.id));
  }
  DualProof p;
  p.source_tx_header = source;
  p.target_tx_header = target;
  if (source.id < target.bl_tx_id) {
    IMMUDB_ASSIGN_OR_RETURN(p.inclusion_proof,
                            ahtree::InclusionProof(tree, source.id, target.bl_tx_id));
  }
  if (source.bl_tx_id > 0) {
    IMMUDB_ASSIGN_OR_RETURN(p.consistency_proof,
                            ahtree::ConsistencyProof(tree, source.bl_tx_id, target.bl_tx_id));
  }
  if (target.bl_tx_id > 0) {
    IMMUDB_ASSIGN_OR_RETURN(p.target_bl_tx_alh, chain.Alh(target.bl_tx_id));
    IMMUDB_ASSIGN_OR_RETURN(p.last_inclusion_proof,
                            ahtree::LastInclusionProof(tree, target.bl_tx_id));
  }
  IMMUDB_ASSIGN_OR_RETURN(p.linear_proof,
                          BuildLinearProof(chain, std::max(source.id, target.bl_tx_id), target.id));
  IMMUDB_ASSIGN_OR_RETURN(p.linear_advance_proof,
                          BuildLinearAdvanceProof(chain, tree, source.bl_tx_id,
                                                  std::min(source.id, target.bl_tx_id),
                                                  target.bl_tx_id));
  return p;
}

Status VerifyDualProof(const DualProof& proof, uint64_t source_tx_id, uint64_t target_tx_id,
                       const Digest& source_alh, const Digest& target_alh) {
  const TxHeader& s = proof.source_tx_header;
  const TxHeader& t = proof.target_tx_header;
  if (s.id != source_tx_id || t.id != target_tx_id) return Fail("tx ids do not match");
  if (s.id == 0 || s.id > t.id) return Fail("source tx is zero or newer than target tx");

  Result<Digest> s_alh = s.Alh();
  if (!s_alh.ok() || *s_alh != source_alh) return Fail("source header does not hash to source Alh");
  Result<Digest> t_alh = t.Alh();
  if (!t_alh.ok() || *t_alh != target_alh) return Fail("target header does not hash to target Alh");

  if (source_tx_id < t.bl_tx_id &&
      !ahtree::VerifyInclusion(proof.inclusion_proof, source_tx_id, t.bl_tx_id,
                               LeafHash(source_alh), t.bl_root)) {
    return Fail("inclusion proof does not verify");
  }
  if (s.bl_tx_id > 0 && !ahtree::VerifyConsistency(proof.consistency_proof, s.bl_tx_id,
                                                   t.bl_tx_id, s.bl_root, t.bl_root)) {
    return Fail("consistency proof does not verify");
  }
  if (t.bl_tx_id > 0 &&
      !ahtree::VerifyLastInclusion(proof.last_inclusion_proof, t.bl_tx_id,
                                   LeafHash(proof.target_bl_tx_alh), t.bl_root)) {
    return Fail("last inclusion proof does not verify");
  }
  if (source_tx_id < t.bl_tx_id) {
    if (!VerifyLinearProof(proof.linear_proof, t.bl_tx_id, target_tx_id, proof.target_bl_tx_alh,
                           target_alh)) {
      return Fail("linear proof does not verify");
    }
    if (!VerifyLinearAdvanceProof(proof.linear_advance_proof, s.bl_tx_id, source_tx_id,
                                  source_alh, t.bl_root, t.bl_tx_id)) {
      return Fail("linear advance proof does not verify");
    }
  } else {
    if (!VerifyLinearProof(proof.linear_proof, source_tx_id, target_tx_id, source_alh,
                           target_alh)) {
      return Fail("linear proof does not verify");
    }
    if (!VerifyLinearAdvanceProof(proof.linear_advance_proof, s.bl_tx_id, t.bl_tx_id,
                                  proof.target_bl_tx_alh, t.bl_root, t.bl_tx_id)) {
      return Fail("linear advance proof does not verify");
    }
  }
  return Status::Ok();
}

Result<DualProofV2> BuildDualProofV2(const TxHeader& source, const TxHeader& target,
                                     const ahtree::NodeSource& tree) {
  if (source.id == 0 || source.id > target.id) {
    return InvalidArgument("dual proof v2: source tx is zero or newer than target tx");
  }
  if (source.bl_tx_id != source.id - 1 || target.bl_tx_id != target.id - 1) {
    return InvalidArgument("dual proof v2: headers not linked as BlTxID = ID - 1");
  }
  DualProofV2 p;
  p.source_tx_header = source;
  p.target_tx_header = target;
  if (source.id < target.id) {
    IMMUDB_ASSIGN_OR_RETURN(p.inclusion_proof,
                            ahtree::InclusionProof(tree, source.id, target.bl_tx_id));
    IMMUDB_ASSIGN_OR_RETURN(p.consistency_proof,
                            ahtree::ConsistencyProof(tree, std::max<uint64_t>(1, source.bl_tx_id),
                                                     target.bl_tx_id));
  }
  return p;
}

Status VerifyDualProofV2(const DualProofV2& proof, uint64_t source_tx_id, uint64_t target_tx_id,
                         const Digest& source_alh, const Digest& target_alh) {
  const TxHeader& s = proof.source_tx_header;
  const TxHeader& t = proof.target_tx_header;
  if (s.id == 0 || s.id != source_tx_id || t.id != target_tx_id) {
    return InvalidArgument("dual proof v2: tx ids do not match");
  }
  if (source_tx_id > target_tx_id) return InvalidArgument("dual proof v2: source newer than target");
  Result<Digest> s_alh = s.Alh();
  if (!s_alh.ok() || *s_alh != source_alh) return Fail("source header does not hash to source Alh");
  Result<Digest> t_alh = t.Alh();
  if (!t_alh.ok() || *t_alh != target_alh) return Fail("target header does not hash to target Alh");
  if (s.bl_tx_id != s.id - 1 || t.bl_tx_id != t.id - 1) return Fail("unexpected linking");
  if (source_tx_id == target_tx_id) return Status::Ok();

  if (!ahtree::VerifyInclusion(proof.inclusion_proof, source_tx_id, t.bl_tx_id,
                               LeafHash(source_alh), t.bl_root)) {
    return Fail("inclusion proof does not verify");
  }
  const bool consistent =
      source_tx_id == 1
          ? ahtree::VerifyConsistency(proof.consistency_proof, 1, t.bl_tx_id,
                                      LeafHash(source_alh), t.bl_root)
          : ahtree::VerifyConsistency(proof.consistency_proof, s.bl_tx_id, t.bl_tx_id,
                                      s.bl_root, t.bl_root);
  if (!consistent) return Fail("consistency proof does not verify");
  return Status::Ok();
}

}  // namespace immudb::ledger
