#include "ledger/ahtree.h"

#include <algorithm>
#include <string>

namespace immudb::ledger::ahtree {
namespace {

bool IsPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Largest power of two strictly smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Status CheckRange(const NodeSource& src, uint64_t i, uint64_t j) {
  if (i == 0 || i > j) {
    return InvalidArgument("ahtree: illegal range " + std::to_string(i) + ".." +
                           std::to_string(j));
  }
  if (j > src.Size()) {
    return InvalidArgument("ahtree: size " + std::to_string(j) + " beyond tree size " +
                           std::to_string(src.Size()));
  }
  return Status::Ok();
}

// T(a, b). Either a complete aligned subtree (one stored node) or a range that starts on a
// boundary of the binary decomposition of its length (a right edge of the tree, as every
// incomplete range in the proof recursions is): the right-to-left fold of its aligned blocks.
Result<Digest> RangeHash(const NodeSource& src, uint64_t a, uint64_t b) {
  const uint64_t m = b - a + 1;
  if (IsPowerOfTwo(m) && (a - 1) % m == 0) {
    return src.Node(b, uint32_t(std::countr_zero(m)));
  }
  // Blocks from the left, largest first.
  Digest blocks[64];
  int count = 0;
  uint64_t start = a;
  for (int h = 63; h >= 0; --h) {
    const uint64_t size = uint64_t(1) << h;
    if ((m & size) == 0) continue;
    if ((start - 1) % size != 0) return Internal("ahtree: unaligned range");
    IMMUDB_ASSIGN_OR_RETURN(blocks[count], src.Node(start + size - 1, uint32_t(h)));
    ++count;
    start += size;
  }
  Digest acc = blocks[count - 1];
  for (int p = count - 2; p >= 0; --p) acc = NodeHash(blocks[p], acc);
  return acc;
}

// Audit path of leaf i within a..b, pushed top-down into `out`.
Status Inclusion(const NodeSource& src, uint64_t i, uint64_t a, uint64_t b,
                 std::vector<Digest>& out) {
  while (a != b) {
    const uint64_t k = SplitPoint(b - a + 1);
    if (i <= a + k - 1) {
      IMMUDB_ASSIGN_OR_RETURN(Digest t, RangeHash(src, a + k, b));
      out.push_back(t);
      b = a + k - 1;
    } else {
      IMMUDB_ASSIGN_OR_RETURN(Digest t, RangeHash(src, a, a + k - 1));
      out.push_back(t);
      a = a + k;
    }
  }
  return Status::Ok();
}

// SUBPROOF(m, a..b, false), pushed top-down into `out`.
Status SubProof(const NodeSource& src, uint64_t m, uint64_t a, uint64_t b,
                std::vector<Digest>& out) {
  for (;;) {
    const uint64_t n = b - a + 1;
    if (m == n) {
      IMMUDB_ASSIGN_OR_RETURN(Digest t, RangeHash(src, a, b));
      out.push_back(t);
      return Status::Ok();
    }
    const uint64_t k = SplitPoint(n);
    if (m <= k) {
      IMMUDB_ASSIGN_OR_RETURN(Digest t, RangeHash(src, a + k, b));
      out.push_back(t);
      b = a + k - 1;
    } else {
      IMMUDB_ASSIGN_OR_RETURN(Digest t, RangeHash(src, a, a + k - 1));
      out.push_back(t);
      m -= k;
      a += k;
    }
  }
}

}  // namespace

Result<std::vector<Digest>> AppendNodes(const NodeSource& src, const Digest& alh) {
  const uint64_t n = src.Size() + 1;
  const uint32_t count = NodesForLeaf(n);
  std::vector<Digest> nodes;
  nodes.reserve(count);
  nodes.push_back(LeafHash(alh));
  for (uint32_t h = 1; h < count; ++h) {
    IMMUDB_ASSIGN_OR_RETURN(Digest left, src.Node(n - (uint64_t(1) << (h - 1)), h - 1));
    nodes.push_back(NodeHash(left, nodes.back()));
  }
  return nodes;
}

Result<Digest> Root(const NodeSource& src, uint64_t n) {
  if (n == 0) return InvalidArgument("ahtree: empty tree");
  IMMUDB_RETURN_IF_ERROR(CheckRange(src, 1, n));
  return RangeHash(src, 1, n);
}

Result<std::vector<Digest>> InclusionProof(const NodeSource& src, uint64_t i, uint64_t j) {
  IMMUDB_RETURN_IF_ERROR(CheckRange(src, i, j));
  std::vector<Digest> proof;
  IMMUDB_RETURN_IF_ERROR(Inclusion(src, i, 1, j, proof));
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<Digest>> ConsistencyProof(const NodeSource& src, uint64_t i, uint64_t j) {
  IMMUDB_RETURN_IF_ERROR(CheckRange(src, i, j));
  std::vector<Digest> proof;
  if (i == j) {
    if (j == 1) return proof;
    const uint64_t k = SplitPoint(j);
    IMMUDB_ASSIGN_OR_RETURN(Digest right, RangeHash(src, k + 1, j));
    IMMUDB_ASSIGN_OR_RETURN(Digest left, RangeHash(src, 1, k));
    proof.push_back(right);
    proof.push_back(left);
    return proof;
  }
  IMMUDB_RETURN_IF_ERROR(SubProof(src, i, 1, j, proof));
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<Digest>> LastInclusionProof(const NodeSource& src, uint64_t j) {
  return InclusionProof(src, j, j);
}

bool VerifyInclusion(std::span<const Digest> proof, uint64_t i, uint64_t j, const Digest& i_leaf,
                     const Digest& j_root) {
  if (i > j || i == 0 || (i < j && proof.empty())) return false;
  Digest c = i_leaf;
  uint64_t x = i - 1;
  uint64_t y = j - 1;
  for (const Digest& t : proof) {
    c = (x % 2 == 0 && x != y) ? NodeHash(c, t) : NodeHash(t, c);
    x >>= 1;
    y >>= 1;
  }
  return c == j_root;
}

bool VerifyConsistency(std::span<const Digest> proof, uint64_t i, uint64_t j,
                       const Digest& i_root, const Digest& j_root) {
  if (i > j || i == 0 || (i < j && proof.empty())) return false;
  if (i == j && proof.empty()) return i_root == j_root;
  uint64_t fn = i - 1;
  uint64_t sn = j - 1;
  while (fn % 2 == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest ci = proof[0];
  Digest cj = proof[0];
  for (const Digest& t : proof.subspan(1)) {
    if (fn % 2 == 1 || fn == sn) {
      ci = NodeHash(t, ci);
      cj = NodeHash(t, cj);
      while (fn % 2 == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      cj = NodeHash(cj, t);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return ci == i_root && cj == j_root;
}

bool VerifyLastInclusion(std::span<const Digest> proof, uint64_t i, const Digest& leaf,
                         const Digest& root) {
  if (i == 0) return false;
  Digest c = leaf;
  for (const Digest& t : proof) c = NodeHash(t, c);
  return c == root;
}

Result<uint64_t> MemoryTree::Append(const Digest& alh) {
  IMMUDB_ASSIGN_OR_RETURN(std::vector<Digest> nodes, AppendNodes(*this, alh));
  nodes_.insert(nodes_.end(), nodes.begin(), nodes.end());
  return ++size_;
}

Result<Digest> MemoryTree::Node(uint64_t k, uint32_t h) const {
  if (k == 0 || k > size_ || h >= 64 || h >= NodesForLeaf(k)) {
    return InvalidArgument("ahtree: no node (" + std::to_string(k) + ", " + std::to_string(h) +
                           ")");
  }
  return nodes_[NodePosition(k, h)];
}

}  // namespace immudb::ledger::ahtree
