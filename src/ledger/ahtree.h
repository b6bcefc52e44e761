// The append-only Merkle tree over Alh values ("ahtree", PROTOCOL.md 2.6), as algorithms over an
// abstract node source so the store can keep the nodes in its own append-only file.
//
// Leaves are 1-based: leaf n holds Alh(tx n), leaf hash H(0x00 || Alh). T(a, b) is the RFC 6962
// hash of leaves a..b; root(n) = T(1, n).
//
// Node layout (the choice the store persists): when leaf n is appended, the complete subtrees
// that END at n are stored, lowest first:
//     node(n, h) = T(n - 2^h + 1, n)   for h = 0 .. ctz(n)
// (node(n, 0) is the leaf hash; ctz = count of trailing zero bits). That is ctz(n) + 1 digests
// for leaf n, 2n - popcount(n) for the first n leaves, and node(n, h) sits at the flat position
// NodePosition(n, h) = 2(n-1) - popcount(n-1) + h of one append-only array of 32-byte digests.
// Appending costs ctz(n) node hashes (amortised 1) and ctz(n) reads of earlier nodes. Every
// complete subtree of the tree is one stored node, so root(n) and every proof read O(log n)
// nodes: a proof needs at most one complete subtree per level plus the right-edge partial
// roots, which all come from the O(log n) complete subtrees that make up the binary
// decomposition of the tree size.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/merkle_hash.h"

namespace immudb::ledger::ahtree {

using crypto::Digest;

// Read access to the persisted nodes of a tree. Implementations may be in memory or on disk;
// a source is only read through const calls and must tolerate concurrent readers if the caller
// shares it across threads.
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // Number of leaves appended so far.
  virtual uint64_t Size() const = 0;
  // node(k, h) = T(k - 2^h + 1, k). Callers only ask for k a multiple of 2^h, 1 <= k <= Size().
  // Returns the source's error (e.g. IoError/Corruption) if the node cannot be read.
  virtual Result<Digest> Node(uint64_t k, uint32_t h) const = 0;
};

// Number of nodes stored for leaf n (n >= 1): ctz(n) + 1.
inline uint32_t NodesForLeaf(uint64_t n) { return uint32_t(std::countr_zero(n)) + 1; }
// Total nodes stored for a tree of n leaves: 2n - popcount(n).
inline uint64_t NodeCount(uint64_t n) { return 2 * n - uint64_t(std::popcount(n)); }
// Flat position of node(n, h) (h <= ctz(n)) in the append-only node array.
inline uint64_t NodePosition(uint64_t n, uint32_t h) { return NodeCount(n - 1) + h; }

// The nodes to persist when appending leaf n = src.Size() + 1 with data `alh`:
// [node(n, 0), node(n, 1), ..., node(n, ctz(n))], in that order (= increasing NodePosition).
// Reads node(n - 2^(h-1), h-1) for h = 1..ctz(n).
Result<std::vector<Digest>> AppendNodes(const NodeSource& src, const Digest& alh);

// root(n) for 1 <= n <= src.Size(). InvalidArgument for n == 0 ("empty tree") or n > Size().
Result<Digest> Root(const NodeSource& src, uint64_t n);

// Audit path of leaf i in the tree of size j (1 <= i <= j <= Size()), bottom-up.
Result<std::vector<Digest>> InclusionProof(const NodeSource& src, uint64_t i, uint64_t j);

// Consistency proof between sizes i and j (1 <= i <= j <= Size()) in immudb's shape: for i < j
// RFC 6962 SUBPROOF(i, D[j], false) (old root included when i is a power of two); for i == j,
// [] when j == 1 else [T(k+1, j), T(1, k)] with k the largest power of two < j.
Result<std::vector<Digest>> ConsistencyProof(const NodeSource& src, uint64_t i, uint64_t j);

// InclusionProof(j, j): every term is a left sibling.
Result<std::vector<Digest>> LastInclusionProof(const NodeSource& src, uint64_t j);

// True iff `proof` places leaf hash `i_leaf` (= H(0x00 || Alh(i))) at leaf i of the tree of
// size j with root `j_root`. Rejects i == 0, i > j, and an empty proof when i < j.
bool VerifyInclusion(std::span<const Digest> proof, uint64_t i, uint64_t j, const Digest& i_leaf,
                     const Digest& j_root);

// True iff `proof` shows the tree of size i with root `i_root` is a prefix of the tree of size j
// with root `j_root`. Rejects i == 0, i > j, an empty proof when i < j; for i == j an empty
// proof is accepted iff the roots are equal.
bool VerifyConsistency(std::span<const Digest> proof, uint64_t i, uint64_t j,
                       const Digest& i_root, const Digest& j_root);

// True iff folding `proof` as left siblings onto `leaf` gives `root` (i != 0).
bool VerifyLastInclusion(std::span<const Digest> proof, uint64_t i, const Digest& leaf,
                         const Digest& root);

// A NodeSource kept in memory, laid out exactly as the store persists it (one flat array in
// NodePosition order). For tests, benchmarks and tools.
class MemoryTree final : public NodeSource {
 public:
  MemoryTree() = default;

  // Appends a leaf with data `alh`; returns the new size.
  Result<uint64_t> Append(const Digest& alh);
  // root(Size()); InvalidArgument when empty.
  Result<Digest> Root() const { return ahtree::Root(*this, size_); }

  uint64_t Size() const override { return size_; }
  Result<Digest> Node(uint64_t k, uint32_t h) const override;

  // The flat node array (NodeCount(Size()) digests).
  const std::vector<Digest>& nodes() const { return nodes_; }

 private:
  uint64_t size_ = 0;
  std::vector<Digest> nodes_;
};

}  // namespace immudb::ledger::ahtree
