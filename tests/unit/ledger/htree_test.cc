#include "ledger/htree.h"

#include <gtest/gtest.h>

#include <random>

#include "ledger/tx.h"
#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::D;
using testing::H;
using testing::HashU64;
using testing::KvEntry;

// Straight from the RFC 6962 definition, recursing on the largest power of two < n.
Digest ReferenceRoot(std::span<const Digest> d) {
  if (d.size() == 1) return LeafHash(d[0]);
  const size_t k = std::bit_floor(d.size() - 1);
  return NodeHash(ReferenceRoot(d.first(k)), ReferenceRoot(d.subspan(k)));
}

std::vector<Digest> ThousandDigests() {
  std::vector<Digest> d;
  for (uint64_t i = 0; i < 1000; ++i) d.push_back(HashU64(i));
  return d;
}

TEST(HTreeTest, ThreeEntryVector) {  // PROTOCOL.md 7.5
  std::vector<TxEntry> entries = {KvEntry("k0", "v0"), KvEntry("k1", "v1"), KvEntry("k2", "v2")};
  std::vector<Digest> digests = EntryDigests(1, entries).value();
  EXPECT_EQ(H(digests[0]), "63106e2d36bc0c7999cad49114bad0d24c327a87f07a875e544e4e285a832123");
  EXPECT_EQ(H(digests[1]), "22914491419e2a9c34b012903287297600e90947b9869ac2042106fbf2c50f82");
  EXPECT_EQ(H(digests[2]), "716434e3752bb12a8372405719d80882f0db7cb36a67715f59009c82fffd46b4");
  const Digest l0 = D("325fe93ca58bd1071d9df505bad64cdccd4a6a915b3bdcf42b798b4911f6c42c");
  const Digest l1 = D("38905c2221334380f9f523b58f2b24d512c15d75097b9d9198bf7d49a0d85782");
  const Digest l2 = D("d7f6cd568ca2b2b4f914998a59c250da1bfae52708b60d9fe081e178696a2a72");
  EXPECT_EQ(LeafHash(digests[0]), l0);
  EXPECT_EQ(LeafHash(digests[1]), l1);
  EXPECT_EQ(LeafHash(digests[2]), l2);
  HTree tree = HTree::Build(digests);
  EXPECT_EQ(H(tree.Root()), "6a560b80ee6d4d6cce81c3000c624fc2556815bef3526b58b0e9a21ebe1ff071");
  EXPECT_EQ(ComputeEh(1, entries).value(), tree.Root());
  EXPECT_EQ(tree.Proof(0)->terms, (std::vector<Digest>{l1, l2}));
  EXPECT_EQ(tree.Proof(1)->terms, (std::vector<Digest>{l0, l2}));
  EXPECT_EQ(tree.Proof(2)->terms,
            (std::vector<Digest>{D("0b1fb7eb16f5982387db676a4edb4ecd4baf63456081814478f86c78f12234db")}));
  EXPECT_EQ(tree.Proof(2)->width, 3u);
  EXPECT_EQ(tree.Proof(2)->leaf, 2u);
}

TEST(HTreeTest, ThousandDigestVectors) {  // PROTOCOL.md 7.5
  std::vector<Digest> d = ThousandDigests();
  HTree tree = HTree::Build(d);
  EXPECT_EQ(H(tree.Root()), "3cd2dc52dfaef20e0a3c259d94abf99d3e71e2a3837f4089c5e5ea5d34d7a188");
  HTreeProof p999 = tree.Proof(999).value();
  ASSERT_EQ(p999.terms.size(), 8u);
  EXPECT_EQ(H(p999.terms.front()), "3b58efecd86da1f49b70cc2d3781e00f49ad20433dedd22b6070a3117a61d49b");
  EXPECT_EQ(H(p999.terms.back()), "2cf815f50e72752eab43177b9545bca3ff202706308da58f26214b76a1d00cdc");
  EXPECT_EQ(tree.Proof(0)->terms.size(), 10u);
  const std::pair<size_t, const char*> prefixes[] = {
      {1, "aea833068048b82f42271c18e0076a5230cbc7d711c99de16a5917db14a3b044"},
      {2, "839757d78394f8ad59bc4621831d92396f5d3556fe0059846463a32a21dc9e04"},
      {3, "cc23a6e05f95099459e4b62703c223236972a78997b072a65500b30e26bb6ef3"},
      {5, "aa33f608b3c7398a5230804ae5bf2cbe372e3e517eab55ef21d7e8a1318b00d9"}};
  for (auto [w, root] : prefixes) {
    EXPECT_EQ(H(HTree::Build(std::span(d).first(w)).Root()), root) << w;
    EXPECT_EQ(H(HTreeRoot(std::span(d).first(w))), root) << w;
  }
}

TEST(HTreeTest, EmptyTree) {
  HTree t = HTree::Build({});
  EXPECT_EQ(t.Root(), crypto::EmptyDigest());
  EXPECT_EQ(t.Width(), 0u);
  EXPECT_FALSE(t.Proof(0).ok());
  EXPECT_EQ(HTreeRoot({}), crypto::EmptyDigest());
}

// Every leaf of every width 1..300: the root matches the RFC 6962 definition, every proof
// verifies, and the immudb-test negative cases fail.
TEST(HTreeTest, AllLeavesAllWidths) {
  std::vector<Digest> all = ThousandDigests();
  std::mt19937_64 rng(7);
  for (size_t w = 1; w <= 300; ++w) {
    std::span<const Digest> d = std::span(all).first(w);
    HTree tree = HTree::Build(d);
    ASSERT_EQ(tree.Root(), ReferenceRoot(d)) << w;
    ASSERT_EQ(tree.Root(), HTreeRoot(d)) << w;
    EXPECT_FALSE(tree.Proof(w).ok());
    for (size_t leaf = 0; leaf < w; ++leaf) {
      HTreeProof p = tree.Proof(leaf).value();
      ASSERT_TRUE(VerifyHTreeInclusion(p, d[leaf], tree.Root())) << w << "/" << leaf;
      ASSERT_LE(p.terms.size(), size_t(std::bit_width(w - 1)));
      // Wrong digest, hashed digest, hashed root, another leaf's digest.
      EXPECT_FALSE(VerifyHTreeInclusion(p, crypto::Sha256(crypto::View(d[leaf])), tree.Root()));
      EXPECT_FALSE(VerifyHTreeInclusion(p, d[leaf], crypto::Sha256(crypto::View(tree.Root()))));
      if (w > 1) {
        EXPECT_FALSE(VerifyHTreeInclusion(p, d[(leaf + 1) % w], tree.Root()));
      }
      if (!p.terms.empty()) {
        HTreeProof shorter = p;
        shorter.terms.pop_back();
        EXPECT_FALSE(VerifyHTreeInclusion(shorter, d[leaf], tree.Root()));
        HTreeProof longer = p;
        longer.terms.push_back(p.terms.back());
        EXPECT_FALSE(VerifyHTreeInclusion(longer, d[leaf], tree.Root()));
        // One random bit of one random term.
        HTreeProof flipped = p;
        const size_t t = rng() % p.terms.size();
        const size_t bit = rng() % 256;
        flipped.terms[t][bit / 8] ^= uint8_t(1u << (bit % 8));
        EXPECT_FALSE(VerifyHTreeInclusion(flipped, d[leaf], tree.Root())) << w << "/" << leaf;
        HTreeProof other_leaf = p;
        other_leaf.leaf = (leaf + 1) % w;
        EXPECT_FALSE(VerifyHTreeInclusion(other_leaf, d[leaf], tree.Root()));
      }
    }
  }
}

TEST(HTreeTest, EveryBitOfSmallProofs) {
  std::vector<Digest> all = ThousandDigests();
  for (size_t w : {2, 3, 7, 16, 17}) {
    HTree tree = HTree::Build(std::span(all).first(w));
    for (size_t leaf = 0; leaf < w; ++leaf) {
      HTreeProof p = tree.Proof(leaf).value();
      for (size_t t = 0; t < p.terms.size(); ++t) {
        for (size_t bit = 0; bit < 256; ++bit) {
          HTreeProof f = p;
          f.terms[t][bit / 8] ^= uint8_t(1u << (bit % 8));
          ASSERT_FALSE(VerifyHTreeInclusion(f, all[leaf], tree.Root()));
        }
      }
      for (size_t bit = 0; bit < 256; ++bit) {
        Digest root = tree.Root();
        root[bit / 8] ^= uint8_t(1u << (bit % 8));
        ASSERT_FALSE(VerifyHTreeInclusion(p, all[leaf], root));
      }
    }
  }
}

TEST(HTreeTest, MalformedProofs) {
  HTreeProof null_width{.leaf = 0, .width = 0, .terms = {}};
  EXPECT_FALSE(VerifyHTreeInclusion(null_width, HashU64(0), HashU64(0)));
  HTreeProof single{.leaf = 0, .width = 1, .terms = {}};
  EXPECT_TRUE(VerifyHTreeInclusion(single, HashU64(0), LeafHash(HashU64(0))));
  HTreeProof beyond{.leaf = 1, .width = 1, .terms = {}};
  EXPECT_FALSE(VerifyHTreeInclusion(beyond, HashU64(0), LeafHash(HashU64(0))));
}

}  // namespace
}  // namespace immudb::ledger
