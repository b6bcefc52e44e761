// Linear proofs over the Alh chain and the linear-advance proof (PROTOCOL.md 2.7).
//
// A linear proof from tx s to tx t carries Alh(s) and the inner hashes of s+1..t; folding
// Alh(x) = H(u64(x) || Alh(x-1) || InnerHash(x)) gives Alh(t). A linear-advance proof shows that
// the stretch of the chain consumed by a newer ahtree (for stores whose binary linking lagged
// behind) is in that tree.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/ahtree.h"

namespace immudb::ledger {

using crypto::Digest;

// Read access to the committed chain, implemented by the store. Callers only ask for
// 1 <= tx <= last committed tx.
class TxChainSource {
 public:
  virtual ~TxChainSource() = default;
  // Alh of tx `tx`.
  virtual Result<Digest> Alh(uint64_t tx) const = 0;
  // Inner hash of tx `tx` (TxHeader::InnerHash of its header).
  virtual Result<Digest> InnerHash(uint64_t tx) const = 0;
};

struct LinearProof {
  uint64_t source_tx_id = 0;
  uint64_t target_tx_id = 0;
  std::vector<Digest> terms;  // [Alh(s), InnerHash(s+1), ..., InnerHash(t)]

  friend bool operator==(const LinearProof&, const LinearProof&) = default;
};

struct LinearAdvanceProof {
  std::vector<Digest> linear_proof_terms;            // [Alh(s+1), InnerHash(s+2) .. InnerHash(e)]
  std::vector<std::vector<Digest>> inclusion_proofs;  // ahtree InclusionProof(x, bl), x = s+1..e-1

  friend bool operator==(const LinearAdvanceProof&, const LinearAdvanceProof&) = default;
};

// LinearProof(s, t), 1 <= s <= t: t-s+1 terms. InvalidArgument otherwise.
Result<LinearProof> BuildLinearProof(const TxChainSource& chain, uint64_t s, uint64_t t);

// True iff `proof` is for (s, t), starts with s_alh and folds to t_alh (PROTOCOL.md 2.7).
bool VerifyLinearProof(const LinearProof& proof, uint64_t s, uint64_t t, const Digest& s_alh,
                       const Digest& t_alh);

// LinearAdvanceProof(s, e, bl): nullopt when e <= s + 1 (nothing to prove); otherwise the
// linear terms from s+1 to e and, for every x in s+1..e-1, the inclusion proof of leaf x in the
// ahtree of size bl. Needs e <= bl <= tree.Size().
Result<std::optional<LinearAdvanceProof>> BuildLinearAdvanceProof(const TxChainSource& chain,
                                                                  const ahtree::NodeSource& tree,
                                                                  uint64_t s, uint64_t e,
                                                                  uint64_t bl);

// VerifyLinearAdvanceProof(p, s, e, e_alh, root, size) of PROTOCOL.md 2.7: rejects e < s,
// accepts e <= s+1 without looking at p, otherwise requires p with the right lengths whose
// every intermediate Alh is included in the tree (size, root) and whose fold ends at e_alh.
bool VerifyLinearAdvanceProof(const std::optional<LinearAdvanceProof>& proof, uint64_t s,
                              uint64_t e, const Digest& e_alh, const Digest& root, uint64_t size);

}  // namespace immudb::ledger
