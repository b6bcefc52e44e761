#include "ledger/ahtree.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "test_util.h"

namespace immudb::ledger::ahtree {
namespace {

using testing::D;
using testing::H;
using testing::HashU64;

// The definitions of PROTOCOL.md 2.6 written out directly over a list of leaf hashes, with a
// cache of T(a, b) so that comparing thousands of proofs stays cheap.
class Reference {
 public:
  void Append(const Digest& alh) { leaves_.push_back(LeafHash(alh)); }

  Digest T(uint64_t a, uint64_t b) {
    if (a == b) return leaves_[a - 1];
    auto it = cache_.find({a, b});
    if (it != cache_.end()) return it->second;
    const uint64_t k = std::bit_floor(b - a);  // largest power of two < b-a+1
    Digest d = NodeHash(T(a, a + k - 1), T(a + k, b));
    cache_.emplace(std::make_pair(a, b), d);
    return d;
  }

  std::vector<Digest> Incl(uint64_t i, uint64_t a, uint64_t b) {
    if (a == b) return {};
    const uint64_t k = std::bit_floor(b - a);
    std::vector<Digest> p;
    if (i <= a + k - 1) {
      p = Incl(i, a, a + k - 1);
      p.push_back(T(a + k, b));
    } else {
      p = Incl(i, a + k, b);
      p.push_back(T(a, a + k - 1));
    }
    return p;
  }

  std::vector<Digest> Sub(uint64_t m, uint64_t a, uint64_t b) {
    const uint64_t n = b - a + 1;
    if (m == n) return {T(a, b)};
    const uint64_t k = std::bit_floor(n - 1);
    std::vector<Digest> p;
    if (m <= k) {
      p = Sub(m, a, a + k - 1);
      p.push_back(T(a + k, b));
    } else {
      p = Sub(m - k, a + k, b);
      p.push_back(T(a, a + k - 1));
    }
    return p;
  }

  std::vector<Digest> Consistency(uint64_t i, uint64_t j) {
    if (i < j) return Sub(i, 1, j);
    if (j == 1) return {};
    const uint64_t k = std::bit_floor(j - 1);
    return {T(k + 1, j), T(1, k)};
  }

 private:
  std::vector<Digest> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, Digest> cache_;
};

void Flip(Digest& d, size_t bit) { d[bit / 8] ^= uint8_t(1u << (bit % 8)); }

TEST(AhtreeTest, RootVectors) {  // PROTOCOL.md 7.7
  const char* kRoots[] = {"277dddee83152dcc8ba5f7ab96e552f178c2fee48d0b81982597f0d743f675f7",
                          "f19275f559e1887a3bfd39287e27619fe607f0c644ff616d1a922d7f5155fb68",
                          "ddd321bb19e41a0509d3b04ec428f3cbf4a96747115834b0074bd4dbc542b230",
                          "11a8db31edfde17c6cc887b2341a6f77553cab9907b7a08c33d5e64e569baa24",
                          "7ea9378f2bbf570faa6ad08f26c58613e1755bc8e66127b47d32047b4437a4a2",
                          "588e1ecefa627d0e1a7796798583bc446f3f2d49281b40184231d4be60cd412f",
                          "76bad20ef3db6c3f44b3e36ef58905da600ae85fb5baba5ba86dc3f61cde4ac5"};
  MemoryTree tree;
  EXPECT_FALSE(tree.Root().ok());
  for (uint64_t n = 1; n <= 7; ++n) {
    ASSERT_EQ(tree.Append(HashU64(n)).value(), n);
    EXPECT_EQ(H(tree.Root().value()), kRoots[n - 1]) << n;
  }
  for (uint64_t n = 1; n <= 7; ++n) EXPECT_EQ(H(Root(tree, n).value()), kRoots[n - 1]);
  EXPECT_FALSE(Root(tree, 0).ok());
  EXPECT_FALSE(Root(tree, 8).ok());
}

TEST(AhtreeTest, ProofVectors) {  // PROTOCOL.md 7.7
  MemoryTree tree;
  for (uint64_t n = 1; n <= 7; ++n) ASSERT_TRUE(tree.Append(HashU64(n)).ok());
  const Digest leaf3 = D("7d243575fe426706e03d2fbaedc5d5758060864046d6396a908f556db8ef4bc1");
  const Digest leaf4 = D("1dd18a67014a2f7f605953bcde923137e4b0d66bdee5b22202e765382ba49f5d");
  const Digest t12 = D("f19275f559e1887a3bfd39287e27619fe607f0c644ff616d1a922d7f5155fb68");
  const Digest t14 = D("11a8db31edfde17c6cc887b2341a6f77553cab9907b7a08c33d5e64e569baa24");
  const Digest t56 = D("6ac35944dbdf6f7d563e38f5c329fe262bd315d48821a46805d9aebbb1c40cc9");
  const Digest t57 = D("dba44368c2c7ffb4b7d6f31156768534d7e006cab57809c1445f869a4f2f34bb");
  using V = std::vector<Digest>;
  EXPECT_EQ(InclusionProof(tree, 3, 7).value(), (V{leaf4, t12, t57}));
  EXPECT_EQ(InclusionProof(tree, 7, 7).value(), (V{t56, t14}));
  EXPECT_EQ(LastInclusionProof(tree, 7).value(), (V{t56, t14}));
  EXPECT_EQ(ConsistencyProof(tree, 3, 7).value(), (V{leaf3, leaf4, t12, t57}));
  EXPECT_EQ(ConsistencyProof(tree, 4, 7).value(), (V{t14, t57}));
  EXPECT_EQ(ConsistencyProof(tree, 6, 6).value(), (V{t56, t14}));
  EXPECT_EQ(ConsistencyProof(tree, 1, 1).value(), V{});
  const Digest r7 = tree.Root().value();
  EXPECT_TRUE(VerifyInclusion(InclusionProof(tree, 3, 7).value(), 3, 7, leaf3, r7));
  EXPECT_TRUE(VerifyConsistency(V{leaf3, leaf4, t12, t57}, 3, 7, Root(tree, 3).value(), r7));
  EXPECT_TRUE(VerifyConsistency(V{t14, t57}, 4, 7, t14, r7));
  EXPECT_TRUE(VerifyConsistency(V{t56, t14}, 6, 6, Root(tree, 6).value(), Root(tree, 6).value()));
  EXPECT_TRUE(VerifyLastInclusion(V{t56, t14}, 7, LeafHash(HashU64(7)), r7));
}

TEST(AhtreeTest, IllegalArguments) {  // PROTOCOL.md 7.8
  MemoryTree tree;
  for (uint64_t n = 1; n <= 10; ++n) ASSERT_TRUE(tree.Append(HashU64(n)).ok());
  const Digest x = HashU64(0);
  EXPECT_FALSE(VerifyInclusion({}, 1, 10, x, x));
  EXPECT_FALSE(VerifyInclusion({}, 10, 1, x, x));
  EXPECT_FALSE(VerifyConsistency({}, 1, 10, x, x));
  EXPECT_FALSE(VerifyConsistency({}, 10, 1, x, x));
  EXPECT_FALSE(VerifyConsistency({}, 0, 0, x, x));
  EXPECT_TRUE(VerifyConsistency({}, 5, 5, x, x));
  EXPECT_FALSE(VerifyConsistency({}, 5, 5, x, HashU64(1)));
  EXPECT_FALSE(VerifyLastInclusion({}, 0, x, x));
  EXPECT_FALSE(InclusionProof(tree, 0, 5).ok());
  EXPECT_FALSE(InclusionProof(tree, 6, 5).ok());
  EXPECT_FALSE(InclusionProof(tree, 5, 11).ok());
  EXPECT_FALSE(ConsistencyProof(tree, 0, 5).ok());
  EXPECT_FALSE(ConsistencyProof(tree, 6, 5).ok());
  EXPECT_FALSE(ConsistencyProof(tree, 1, 11).ok());
  EXPECT_FALSE(tree.Node(0, 0).ok());
  EXPECT_FALSE(tree.Node(11, 0).ok());
  EXPECT_FALSE(tree.Node(6, 2).ok());  // 6 = 0b110: subtrees of height 0, 1 end there
  EXPECT_TRUE(tree.Node(6, 1).ok());
}

// The node layout the store persists: position formula, count and contents.
TEST(AhtreeTest, NodeLayout) {
  MemoryTree tree;
  Reference ref;
  uint64_t position = 0;
  for (uint64_t n = 1; n <= 1100; ++n) {
    ASSERT_EQ(NodePosition(n, 0), position);
    std::vector<Digest> nodes = AppendNodes(tree, HashU64(n)).value();
    ASSERT_EQ(nodes.size(), NodesForLeaf(n));
    ASSERT_TRUE(tree.Append(HashU64(n)).ok());
    ref.Append(HashU64(n));
    for (uint32_t h = 0; h < nodes.size(); ++h) {
      ASSERT_EQ(nodes[h], ref.T(n - (uint64_t(1) << h) + 1, n));
      ASSERT_EQ(tree.nodes()[NodePosition(n, h)], nodes[h]);
    }
    position += nodes.size();
    ASSERT_EQ(NodeCount(n), position);
    ASSERT_EQ(tree.nodes().size(), position);
  }
}

// Counts node reads, to check proofs stay O(log n).
class CountingSource final : public NodeSource {
 public:
  explicit CountingSource(const MemoryTree& t) : t_(t) {}
  uint64_t Size() const override { return t_.Size(); }
  Result<Digest> Node(uint64_t k, uint32_t h) const override {
    ++reads;
    return t_.Node(k, h);
  }
  mutable uint64_t reads = 0;

 private:
  const MemoryTree& t_;
};

// Sizes 1..1000 with sampled i: generated proofs equal the PROTOCOL.md recursions, verify, and
// fail after flipping a bit of any term, of the leaf or of either root.
TEST(AhtreeTest, ProofsForAllSizes) {
  MemoryTree tree;
  Reference ref;
  std::mt19937_64 rng(42);
  std::vector<Digest> roots = {Digest{}};
  for (uint64_t j = 1; j <= 1000; ++j) {
    ASSERT_TRUE(tree.Append(HashU64(j)).ok());
    ref.Append(HashU64(j));
    roots.push_back(tree.Root().value());
    ASSERT_EQ(roots[j], ref.T(1, j)) << j;
  }
  CountingSource counting(tree);
  for (uint64_t j = 1; j <= 1000; ++j) {
    std::vector<uint64_t> samples = {1, j, (j + 1) / 2, 1 + rng() % j, 1 + rng() % j};
    if (j > 1) samples.push_back(j - 1);
    for (uint64_t i : samples) {
      const Digest leaf = LeafHash(HashU64(i));
      counting.reads = 0;
      std::vector<Digest> incl = InclusionProof(counting, i, j).value();
      ASSERT_LE(counting.reads, 2u * std::bit_width(j) + 1) << i << "," << j;
      ASSERT_EQ(incl, ref.Incl(i, 1, j)) << i << "," << j;
      ASSERT_TRUE(VerifyInclusion(incl, i, j, leaf, roots[j])) << i << "," << j;
      EXPECT_FALSE(VerifyInclusion(incl, i, j, LeafHash(HashU64(i + 1)), roots[j]));

      counting.reads = 0;
      std::vector<Digest> cons = ConsistencyProof(counting, i, j).value();
      ASSERT_LE(counting.reads, 2u * std::bit_width(j) + 2) << i << "," << j;
      ASSERT_EQ(cons, ref.Consistency(i, j)) << i << "," << j;
      ASSERT_TRUE(VerifyConsistency(cons, i, j, roots[i], roots[j])) << i << "," << j;

      for (size_t t = 0; t < incl.size(); ++t) {
        std::vector<Digest> f = incl;
        Flip(f[t], rng() % 256);
        ASSERT_FALSE(VerifyInclusion(f, i, j, leaf, roots[j])) << i << "," << j << " t" << t;
      }
      for (size_t t = 0; t < cons.size(); ++t) {
        std::vector<Digest> f = cons;
        Flip(f[t], rng() % 256);
        ASSERT_FALSE(VerifyConsistency(f, i, j, roots[i], roots[j])) << i << "," << j << " t" << t;
      }
      Digest bad_leaf = leaf, bad_ri = roots[i], bad_rj = roots[j];
      Flip(bad_leaf, rng() % 256);
      Flip(bad_ri, rng() % 256);
      Flip(bad_rj, rng() % 256);
      ASSERT_FALSE(VerifyInclusion(incl, i, j, bad_leaf, roots[j]));
      ASSERT_FALSE(VerifyInclusion(incl, i, j, leaf, bad_rj));
      ASSERT_FALSE(VerifyConsistency(cons, i, j, bad_ri, roots[j]));
      ASSERT_FALSE(VerifyConsistency(cons, i, j, roots[i], bad_rj));
      if (i < j) {
        // Dropping the last term breaks both proofs.
        std::vector<Digest> short_incl(incl.begin(), incl.end() - 1);
        std::vector<Digest> short_cons(cons.begin(), cons.end() - 1);
        if (!short_incl.empty()) {
          ASSERT_FALSE(VerifyInclusion(short_incl, i, j, leaf, roots[j]));
        }
        if (!short_cons.empty()) {
          ASSERT_FALSE(VerifyConsistency(short_cons, i, j, roots[i], roots[j]));
        }
      }
    }
    // Last inclusion: the proof of leaf j, every term a left sibling.
    std::vector<Digest> last = LastInclusionProof(tree, j).value();
    ASSERT_TRUE(VerifyLastInclusion(last, j, LeafHash(HashU64(j)), roots[j]));
    for (size_t t = 0; t < last.size(); ++t) {
      std::vector<Digest> f = last;
      Flip(f[t], rng() % 256);
      ASSERT_FALSE(VerifyLastInclusion(f, j, LeafHash(HashU64(j)), roots[j]));
    }
  }
}

// Small trees: every pair, every bit of every term.
TEST(AhtreeTest, EveryBitForSmallTrees) {
  MemoryTree tree;
  std::vector<Digest> roots = {Digest{}};
  for (uint64_t j = 1; j <= 12; ++j) {
    ASSERT_TRUE(tree.Append(HashU64(j)).ok());
    roots.push_back(tree.Root().value());
  }
  for (uint64_t j = 1; j <= 12; ++j) {
    for (uint64_t i = 1; i <= j; ++i) {
      const Digest leaf = LeafHash(HashU64(i));
      std::vector<Digest> incl = InclusionProof(tree, i, j).value();
      std::vector<Digest> cons = ConsistencyProof(tree, i, j).value();
      ASSERT_TRUE(VerifyInclusion(incl, i, j, leaf, roots[j]));
      ASSERT_TRUE(VerifyConsistency(cons, i, j, roots[i], roots[j]));
      for (size_t t = 0; t < incl.size(); ++t) {
        for (size_t bit = 0; bit < 256; ++bit) {
          std::vector<Digest> f = incl;
          Flip(f[t], bit);
          ASSERT_FALSE(VerifyInclusion(f, i, j, leaf, roots[j]));
        }
      }
      for (size_t t = 0; t < cons.size(); ++t) {
        for (size_t bit = 0; bit < 256; ++bit) {
          std::vector<Digest> f = cons;
          Flip(f[t], bit);
          ASSERT_FALSE(VerifyConsistency(f, i, j, roots[i], roots[j]));
        }
      }
    }
  }
}

}  // namespace
}  // namespace immudb::ledger::ahtree
