#include "ledger/linear_proof.h"

#include <string>

#include "ledger/tx.h"

namespace immudb::ledger {

Result<LinearProof> BuildLinearProof(const TxChainSource& chain, uint64_t s, uint64_t t) {
  if (s == 0 || s > t) {
    return InvalidArgument("linear proof: illegal range " + std::to_string(s) + ".." +
                           std::to_string(t));
  }
  LinearProof p;
  p.source_tx_id = s;
  p.target_tx_id = t;
  p.terms.reserve(t - s + 1);
  IMMUDB_ASSIGN_OR_RETURN(Digest first, chain.Alh(s));
  p.terms.push_back(first);
  for (uint64_t x = s + 1; x <= t; ++x) {
    IMMUDB_ASSIGN_OR_RETURN(Digest inner, chain.InnerHash(x));
    p.terms.push_back(inner);
  }
  return p;
}

bool VerifyLinearProof(const LinearProof& proof, uint64_t s, uint64_t t, const Digest& s_alh,
                       const Digest& t_alh) {
  if (proof.source_tx_id != s || proof.target_tx_id != t || s == 0 || s > t ||
      proof.terms.empty() || proof.terms[0] != s_alh || proof.terms.size() != t - s + 1) {
    return false;
  }
  Digest a = proof.terms[0];
  for (size_t k = 1; k < proof.terms.size(); ++k) a = ChainAlh(s + k, a, proof.terms[k]);
  return a == t_alh;
}

Result<std::optional<LinearAdvanceProof>> BuildLinearAdvanceProof(const TxChainSource& chain,
                                                                  const ahtree::NodeSource& tree,
                                                                  uint64_t s, uint64_t e,
                                                                  uint64_t bl) {
  if (e < s) return InvalidArgument("linear advance proof: end before start");
  if (e <= s + 1) return std::optional<LinearAdvanceProof>();
  if (bl < e) {
    return InvalidArgument("linear advance proof: tree size " + std::to_string(bl) +
                           " below end " + std::to_string(e));
  }
  LinearAdvanceProof p;
  p.linear_proof_terms.reserve(e - s);
  p.inclusion_proofs.reserve(e - s - 1);
  IMMUDB_ASSIGN_OR_RETURN(Digest first, chain.Alh(s + 1));
  p.linear_proof_terms.push_back(first);
  for (uint64_t x = s + 1; x < e; ++x) {
    IMMUDB_ASSIGN_OR_RETURN(Digest inner, chain.InnerHash(x + 1));
    p.linear_proof_terms.push_back(inner);
    IMMUDB_ASSIGN_OR_RETURN(std::vector<Digest> incl, ahtree::InclusionProof(tree, x, bl));
    p.inclusion_proofs.push_back(std::move(incl));
  }
  return std::optional<LinearAdvanceProof>(std::move(p));
}

bool VerifyLinearAdvanceProof(const std::optional<LinearAdvanceProof>& proof, uint64_t s,
                              uint64_t e, const Digest& e_alh, const Digest& root,
                              uint64_t size) {
  if (e < s) return false;
  if (e <= s + 1) return true;
  if (!proof.has_value() || proof->linear_proof_terms.size() != e - s ||
      proof->inclusion_proofs.size() != e - s - 1) {
    return false;
  }
  Digest a = proof->linear_proof_terms[0];
  for (uint64_t x = s + 1; x < e; ++x) {
    if (!ahtree::VerifyInclusion(proof->inclusion_proofs[x - s - 1], x, size, LeafHash(a), root)) {
      return false;
    }
    a = ChainAlh(x + 1, a, proof->linear_proof_terms[x - s]);
  }
  return a == e_alh;
}

}  // namespace immudb::ledger
