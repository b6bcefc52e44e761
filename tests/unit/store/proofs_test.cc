// Proofs built from the persisted trees, checked with src/ledger's verifiers and against an
// in-memory ahtree built from the same Alhs.
#include <gtest/gtest.h>

#include "ledger/ahtree.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/linear_proof.h"
#include "store/store.h"
#include "store_test_util.h"

namespace immudb::store {
namespace {

using testing::Entries;
using testing::SmallOptions;
using testing::TempDir;
namespace aht = ledger::ahtree;

class ProofsTest : public ::testing::TestWithParam<int32_t> {
 protected:
  void SetUp() override {
    Options o = SmallOptions();
    o.header_version = GetParam();
    o.checkpoint_interval = 7;  // recovery starts from a checkpoint in the middle
    {
      auto s = Store::Open(dir_.path(), o);
      ASSERT_TRUE(s.ok());
      for (int i = 1; i <= kTxs; ++i) {
        auto r = (*s)->Commit(Entries("p" + std::to_string(i), 1 + i % 4));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        alhs_.push_back(r->alh);
        ASSERT_TRUE(mem_.Append(r->alh).ok());
      }
    }
    // Reopen, so every proof reads the persisted nodes rather than the committer's memory.
    auto s = Store::Open(dir_.path(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  static constexpr int kTxs = 40;
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<Digest> alhs_;  // alhs_[i] = Alh(i + 1)
  aht::MemoryTree mem_;
};

TEST_P(ProofsTest, PersistedNodesEqualTheInMemoryTree) {
  for (uint64_t n = 1; n <= kTxs; ++n) {
    auto root = store_->AhtRoot(n);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, *aht::Root(mem_, n)) << n;
  }
  for (uint64_t j = 1; j <= kTxs; ++j) {
    for (uint64_t i = 1; i <= j; ++i) {
      auto incl = store_->AhtInclusionProof(i, j);
      ASSERT_TRUE(incl.ok());
      EXPECT_EQ(*incl, *aht::InclusionProof(mem_, i, j));
      EXPECT_TRUE(aht::VerifyInclusion(*incl, i, j, ledger::LeafHash(alhs_[i - 1]),
                                       *aht::Root(mem_, j)));
      auto cons = store_->AhtConsistencyProof(i, j);
      ASSERT_TRUE(cons.ok());
      EXPECT_EQ(*cons, *aht::ConsistencyProof(mem_, i, j));
      EXPECT_TRUE(aht::VerifyConsistency(*cons, i, j, *aht::Root(mem_, i), *aht::Root(mem_, j)));
    }
  }
}

TEST_P(ProofsTest, DualProofBetweenEveryPairVerifies) {
  for (uint64_t t = 1; t <= kTxs; ++t) {
    for (uint64_t s = 1; s <= t; ++s) {
      auto p = store_->DualProof(s, t);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      Status st = ledger::VerifyDualProof(*p, s, t, alhs_[s - 1], alhs_[t - 1]);
      EXPECT_TRUE(st.ok()) << s << "->" << t << ": " << st.ToString();
      auto p2 = store_->DualProofV2(s, t);
      ASSERT_TRUE(p2.ok()) << p2.status().ToString();
      st = ledger::VerifyDualProofV2(*p2, s, t, alhs_[s - 1], alhs_[t - 1]);
      EXPECT_TRUE(st.ok()) << s << "->" << t << ": " << st.ToString();
    }
  }
  // A proof does not verify against a different Alh.
  auto p = store_->DualProof(3, 30);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(ledger::VerifyDualProof(*p, 3, 30, alhs_[3], alhs_[29]).ok());
  EXPECT_EQ(store_->DualProof(5, 4).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->DualProof(1, kTxs + 1).status().code(), Code::kNotFound);
}

TEST_P(ProofsTest, LinearProofVerifies) {
  for (uint64_t t = 1; t <= kTxs; t += 3) {
    for (uint64_t s = 1; s <= t; s += 2) {
      auto p = store_->LinearProof(s, t);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->terms.size(), t - s + 1);
      EXPECT_TRUE(ledger::VerifyLinearProof(*p, s, t, alhs_[s - 1], alhs_[t - 1]));
    }
  }
}

TEST_P(ProofsTest, EntryInclusionProofVerifiesAgainstEh) {
  for (uint64_t id = 1; id <= kTxs; ++id) {
    auto tx = store_->ReadTx(id);
    ASSERT_TRUE(tx.ok());
    for (const ledger::TxEntry& e : tx->entries) {
      auto p = store_->EntryProof(id, e.key);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_EQ(p->first, e);
      auto digest = e.ComputeDigest(tx->header.version);
      ASSERT_TRUE(digest.ok());
      EXPECT_TRUE(ledger::VerifyHTreeInclusion(p->second, *digest, tx->header.eh));
      // The entry's digest does not verify at another position.
      if (p->second.width > 1) {
        ledger::HTreeProof moved = p->second;
        moved.leaf = (moved.leaf + 1) % moved.width;
        EXPECT_FALSE(ledger::VerifyHTreeInclusion(moved, *digest, tx->header.eh));
      }
    }
  }
  EXPECT_EQ(store_->EntryProof(1, ToBytes("missing")).status().code(), Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(HeaderVersions, ProofsTest, ::testing::Values(0, 1));

}  // namespace
}  // namespace immudb::store
