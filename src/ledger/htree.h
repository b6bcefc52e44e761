// The per-transaction Merkle tree over entry digests ("htree", PROTOCOL.md 2.4): leaves
// H(0x00 || digest), nodes H(0x01 || left || right), odd last node promoted unchanged (the
// RFC 6962 shape). Inclusion proofs list sibling hashes from the leaf level up to the root.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/merkle_hash.h"

namespace immudb::ledger {

// Proof that digest number `leaf` (0-based) is in an htree of `width` digests.
struct HTreeProof {
  uint64_t leaf = 0;
  uint64_t width = 0;
  std::vector<crypto::Digest> terms;  // bottom-up

  friend bool operator==(const HTreeProof&, const HTreeProof&) = default;
};

// An htree built in memory from a tx's entry digests. Keeps every level, so proofs cost no
// hashing. Immutable after Build.
class HTree {
 public:
  // Builds the tree over `digests` (the entries' digests, not their leaf hashes).
  // Zero digests give the empty tree whose root is H("").
  static HTree Build(std::span<const crypto::Digest> digests);

  size_t Width() const { return width_; }
  // Eh: the root (H("") when empty, the leaf hash when width is 1).
  const crypto::Digest& Root() const { return root_; }
  // Inclusion proof of digest `leaf`. OutOfRange if leaf >= Width().
  Result<HTreeProof> Proof(uint64_t leaf) const;

 private:
  size_t width_ = 0;
  crypto::Digest root_{};
  std::vector<std::vector<crypto::Digest>> levels_;  // levels_[0] = leaf hashes
};

// Root over `digests` without keeping the levels (same value as HTree::Build(d).Root()).
crypto::Digest HTreeRoot(std::span<const crypto::Digest> digests);

// True iff `proof` shows that `digest` (an entry digest, not its leaf hash) is leaf
// proof.leaf of a tree of proof.width leaves with root `root`.
bool VerifyHTreeInclusion(const HTreeProof& proof, const crypto::Digest& digest,
                          const crypto::Digest& root);

}  // namespace immudb::ledger
