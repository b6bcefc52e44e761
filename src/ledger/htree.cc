#include "ledger/htree.h"

#include <string>

namespace immudb::ledger {
namespace {

// Replaces level `cur` by the next level up: neighbours paired left to right, an odd last
// node promoted unchanged.
std::vector<crypto::Digest> NextLevel(const std::vector<crypto::Digest>& cur) {
  std::vector<crypto::Digest> next;
  next.reserve((cur.size() + 1) / 2);
  for (size_t i = 0; i + 1 < cur.size(); i += 2) next.push_back(NodeHash(cur[i], cur[i + 1]));
  if (cur.size() % 2 == 1) next.push_back(cur.back());
  return next;
}

}  // namespace

HTree HTree::Build(std::span<const crypto::Digest> digests) {
  HTree t;
  t.width_ = digests.size();
  if (digests.empty()) {
    t.root_ = crypto::EmptyDigest();
    return t;
  }
  std::vector<crypto::Digest> leaves;
  leaves.reserve(digests.size());
  for (const crypto::Digest& d : digests) leaves.push_back(LeafHash(d));
  t.levels_.push_back(std::move(leaves));
  while (t.levels_.back().size() > 1) t.levels_.push_back(NextLevel(t.levels_.back()));
  t.root_ = t.levels_.back()[0];
  return t;
}

Result<HTreeProof> HTree::Proof(uint64_t leaf) const {
  if (leaf >= width_) {
    return OutOfRange("htree: leaf " + std::to_string(leaf) + " out of width " +
                      std::to_string(width_));
  }
  HTreeProof p;
  p.leaf = leaf;
  p.width = width_;
  uint64_t i = leaf;
  // A promoted node has no sibling at its level and contributes no term.
  for (size_t l = 0; l + 1 < levels_.size(); ++l, i /= 2) {
    const uint64_t sibling = i ^ 1;
    if (sibling < levels_[l].size()) p.terms.push_back(levels_[l][sibling]);
  }
  return p;
}

crypto::Digest HTreeRoot(std::span<const crypto::Digest> digests) {
  if (digests.empty()) return crypto::EmptyDigest();
  std::vector<crypto::Digest> level;
  level.reserve(digests.size());
  for (const crypto::Digest& d : digests) level.push_back(LeafHash(d));
  size_t n = level.size();
  while (n > 1) {
    size_t w = 0;
    for (size_t i = 0; i + 1 < n; i += 2) level[w++] = NodeHash(level[i], level[i + 1]);
    if (n % 2 == 1) level[w++] = level[n - 1];
    n = w;
  }
  return level[0];
}

bool VerifyHTreeInclusion(const HTreeProof& proof, const crypto::Digest& digest,
                          const crypto::Digest& root) {
  if (proof.width == 0 || proof.leaf >= proof.width) return false;
  crypto::Digest c = LeafHash(digest);
  uint64_t i = proof.leaf;
  uint64_t r = proof.width - 1;
  for (const crypto::Digest& t : proof.terms) {
    c = (i % 2 == 0 && i != r) ? NodeHash(c, t) : NodeHash(t, c);
    i /= 2;
    r /= 2;
  }
  return i == r && c == root;
}

}  // namespace immudb::ledger
