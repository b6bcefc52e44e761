// Linear, linear-advance and dual proofs (v1 and v2) over in-memory chains: PROTOCOL.md 7.6 and
// 7.8 vectors, every pair of a 200-tx chain, lagging binary links, and tampering.
#include "ledger/dual_proof.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "ledger/htree.h"
#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::D;
using testing::H;
using testing::KvEntry;
using testing::MemoryChain;

void Flip(Digest& d, size_t bit) { d[bit / 8] ^= uint8_t(1u << (bit % 8)); }

// PROTOCOL.md 7.6: tx i = Set key<i>=value<i>, ts 1700000000+i, v1, BlTxID i-1.
MemoryChain FiveTxChain() {
  MemoryChain chain;
  for (uint64_t i = 1; i <= 5; ++i) {
    chain.CommitEntries({KvEntry("key" + std::to_string(i), "value" + std::to_string(i))}, 1,
                        int64_t(1700000000 + i), i - 1);
  }
  return chain;
}

TEST(DualProofTest, FiveTxChainVectors) {
  MemoryChain chain = FiveTxChain();
  const char* kEh[] = {"66bbd55905dbc8359487356c154e12ca84a1034d01ed36f70aa6268cab95b46d",
                       "3845ce1c82b346ac41b5b93c082a7af153d59d9394a51284a5a6e837d921b5a8",
                       "80a6740d4e82f68800d5b1a29515af18f2f79d22adf58cf5f0ed67d6b491b804",
                       "468a454a21feeb1cf08e31c31be18e3c9f25ef42579cfdd7c86bc28406029bb1",
                       "69b0b3b050533dd2b96e51ccdc5bb9f66fec9439ae0b00d5f2ca800eb4757aa4"};
  const char* kBlRoot[] = {"0000000000000000000000000000000000000000000000000000000000000000",
                           "5ee7272a4cb8ebf484861c1e9646cf95c2a5b5fdf9df6883f1162de273604497",
                           "1a0f6dc66fe607a6a0279cabb222aeaa38efd4d320a6bcb8849dc8a4b185aed9",
                           "8794f2b50ca059ab34be046978d388e09742ba65e8d18a18db04b54d55f57b36",
                           "93a90a9a35fc3e6a5535728e7d34a02402140bd85fc20390bd59237ce9c3a434"};
  const char* kInner[] = {"eef6c0005b35ee74ec00fc48c78d49e2ef9510154a7e8405d62fd2fa54c71a8c",
                          "2e856e51b59af41ecfa1a36b93b5e3c632e356e116e7a8bb6d517445be1259f4",
                          "2a8b4201951b1c7cdff3de1d814d8bc3fb5d8a91946ed0f950053352229ae8d8",
                          "45b7b71b8b1dfddf0160ae664b5cc2cec7151ece5018ae6f4159c7fd18d83def",
                          "9bb28d367f16f632291755e4fd36a5bbcc5f831a8cdc8d1d656f60f82ec0d9a1"};
  const char* kAlh[] = {"e68881de03da906669b92004d6a697263dc8b0bbff8374aa1f6cfea530778818",
                        "e59c3fcc6750afd2118506bb481d3aa4cfc697ac5ef32037c6463b31bb349bb9",
                        "ab0327a8e3380996aa95fc39b37a7eaa6e698ce5d80a79b0a62f6d9d23f3af45",
                        "dd98ee1ca76c0c9e74803cc08a4f8a29387d341f4a32dc9ceac94aeb2fdc74d2",
                        "95949b2ffc5392f3f7d80305d848ab3300286e451b6adcb356703bb2ee2e8261"};
  for (uint64_t i = 1; i <= 5; ++i) {
    const TxHeader& h = chain.header(i);
    EXPECT_EQ(H(h.eh), kEh[i - 1]) << i;
    EXPECT_EQ(H(h.bl_root), kBlRoot[i - 1]) << i;
    EXPECT_EQ(H(h.InnerHash().value()), kInner[i - 1]) << i;
    EXPECT_EQ(H(chain.alh(i)), kAlh[i - 1]) << i;
  }
  EXPECT_EQ(chain.header(1).prev_alh, GenesisAlh());

  const Digest leaf1 = D("5ee7272a4cb8ebf484861c1e9646cf95c2a5b5fdf9df6883f1162de273604497");
  const Digest leaf2 = D("c0f1c74157c7216d841c6d72e259d7738daa04686ca75ae920438361adee939f");
  const Digest leaf3 = D("ebeb7b10233d9a4282a075acebfbe4588e9f45a3ba7e3365f6fa19ee18bd9383");
  const Digest leaf4 = D("54e8aaa72aebe894cfefc4e118b03b365f00e3740772612da8f3245af5041026");
  const Digest t34 = D("7f3bfedfab163b8772e6568f329e811776855e0af261c4152004c3290aa2e4a8");
  const Digest t12 = D("1a0f6dc66fe607a6a0279cabb222aeaa38efd4d320a6bcb8849dc8a4b185aed9");
  using V = std::vector<Digest>;

  DualProof p25 = BuildDualProof(chain.header(2), chain.header(5), chain, chain.tree()).value();
  EXPECT_EQ(p25.inclusion_proof, (V{leaf1, t34}));
  EXPECT_EQ(p25.consistency_proof, (V{leaf1, leaf2, t34}));
  EXPECT_EQ(p25.target_bl_tx_alh, chain.alh(4));
  EXPECT_EQ(p25.last_inclusion_proof, (V{leaf3, t12}));
  EXPECT_EQ(p25.linear_proof.source_tx_id, 4u);
  EXPECT_EQ(p25.linear_proof.target_tx_id, 5u);
  EXPECT_EQ(p25.linear_proof.terms, (V{chain.alh(4), D(kInner[4])}));
  EXPECT_FALSE(p25.linear_advance_proof.has_value());
  EXPECT_TRUE(VerifyDualProof(p25, 2, 5, chain.alh(2), chain.alh(5)).ok());

  DualProof p45 = BuildDualProof(chain.header(4), chain.header(5), chain, chain.tree()).value();
  EXPECT_EQ(p45.inclusion_proof, V{});
  EXPECT_EQ(p45.consistency_proof, (V{leaf3, leaf4, t12}));
  EXPECT_EQ(p45.last_inclusion_proof, (V{leaf3, t12}));
  EXPECT_EQ(p45.linear_proof.terms, (V{chain.alh(4), D(kInner[4])}));
  EXPECT_TRUE(VerifyDualProof(p45, 4, 5, chain.alh(4), chain.alh(5)).ok());

  DualProof p55 = BuildDualProof(chain.header(5), chain.header(5), chain, chain.tree()).value();
  EXPECT_EQ(p55.inclusion_proof, V{});
  EXPECT_EQ(p55.consistency_proof, (V{t34, t12}));
  EXPECT_EQ(p55.target_bl_tx_alh, chain.alh(4));
  EXPECT_EQ(p55.last_inclusion_proof, (V{leaf3, t12}));
  EXPECT_EQ(p55.linear_proof.source_tx_id, 5u);
  EXPECT_EQ(p55.linear_proof.terms, V{chain.alh(5)});
  EXPECT_TRUE(VerifyDualProof(p55, 5, 5, chain.alh(5), chain.alh(5)).ok());
}

TEST(LinearProofTest, BehaviouralVectors) {  // PROTOCOL.md 7.8
  const Digest e = crypto::EmptyDigest();
  EXPECT_FALSE(VerifyLinearProof(LinearProof{}, 0, 0, e, e));
  LinearProof p{.source_tx_id = 1, .target_tx_id = 1, .terms = {e}};
  EXPECT_TRUE(VerifyLinearProof(p, 1, 1, e, e));
  p.target_tx_id = 2;
  EXPECT_FALSE(VerifyLinearProof(p, 1, 2, e, e));
  EXPECT_FALSE(VerifyDualProof(DualProof{}, 0, 0, e, e).ok());
}

TEST(LinearProofTest, BuildAndVerifyEveryRange) {
  MemoryChain chain = FiveTxChain();
  for (uint64_t s = 1; s <= 5; ++s) {
    for (uint64_t t = s; t <= 5; ++t) {
      LinearProof p = BuildLinearProof(chain, s, t).value();
      ASSERT_EQ(p.terms.size(), t - s + 1);
      EXPECT_TRUE(VerifyLinearProof(p, s, t, chain.alh(s), chain.alh(t)));
      for (size_t k = 0; k < p.terms.size(); ++k) {
        LinearProof f = p;
        Flip(f.terms[k], (s * 31 + t * 7 + k) % 256);
        EXPECT_FALSE(VerifyLinearProof(f, s, t, chain.alh(s), chain.alh(t)));
      }
      if (t < 5) {
        EXPECT_FALSE(VerifyLinearProof(p, s, t + 1, chain.alh(s), chain.alh(t + 1)));
      }
    }
  }
  EXPECT_FALSE(BuildLinearProof(chain, 0, 1).ok());
  EXPECT_FALSE(BuildLinearProof(chain, 3, 2).ok());
}

// Header-field tamperings; each must change the header's Alh.
std::vector<std::function<void(TxHeader&)>> HeaderTampers() {
  return {
      [](TxHeader& h) { h.id ^= 1; },
      [](TxHeader& h) { h.ts += 1; },
      [](TxHeader& h) { h.bl_tx_id += 1; },
      [](TxHeader& h) { h.bl_tx_id -= 1; },
      [](TxHeader& h) { Flip(h.bl_root, 5); },
      [](TxHeader& h) { Flip(h.prev_alh, 200); },
      [](TxHeader& h) { h.version = 1 - h.version; },
      [](TxHeader& h) { h.metadata.truncated_upto_tx = 1; h.version = 1; },
      [](TxHeader& h) { h.n_entries += 1; },
      [](TxHeader& h) { Flip(h.eh, 77); },
  };
}

// Flips one bit (chosen by `salt`) of every digest in the proof that the verifier uses, one at
// a time, and expects each to fail.
void ExpectTermTamperingFails(const DualProof& p, uint64_t s, uint64_t t, const Digest& s_alh,
                              const Digest& t_alh, uint64_t salt) {
  std::vector<Digest*> targets;
  DualProof f = p;
  auto collect = [&](DualProof& q) {
    targets.clear();
    for (auto& d : q.inclusion_proof) targets.push_back(&d);
    for (auto& d : q.consistency_proof) targets.push_back(&d);
    for (auto& d : q.last_inclusion_proof) targets.push_back(&d);
    for (auto& d : q.linear_proof.terms) targets.push_back(&d);
    if (q.linear_advance_proof) {
      for (auto& d : q.linear_advance_proof->linear_proof_terms) targets.push_back(&d);
      for (auto& v : q.linear_advance_proof->inclusion_proofs)
        for (auto& d : v) targets.push_back(&d);
    }
    if (q.target_tx_header.bl_tx_id > 0) targets.push_back(&q.target_bl_tx_alh);
  };
  collect(f);
  const size_t n = targets.size();
  for (size_t k = 0; k < n; ++k) {
    DualProof g = p;
    collect(g);
    Flip(*targets[k], (salt * 131 + k * 17) % 256);
    ASSERT_FALSE(VerifyDualProof(g, s, t, s_alh, t_alh).ok()) << s << "->" << t << " term " << k;
  }
}

void CheckAllPairs(const MemoryChain& chain, bool lagging) {
  const uint64_t n = chain.size();
  const auto tampers = HeaderTampers();
  uint64_t tampered = 0, with_advance = 0;
  for (uint64_t s = 1; s <= n; ++s) {
    for (uint64_t t = s; t <= n; ++t) {
      Result<DualProof> p = BuildDualProof(chain.header(s), chain.header(t), chain, chain.tree());
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      Status st = VerifyDualProof(*p, s, t, chain.alh(s), chain.alh(t));
      ASSERT_TRUE(st.ok()) << s << "->" << t << ": " << st.ToString();
      if (p->linear_advance_proof) ++with_advance;
      if (!lagging) {
        ASSERT_LE(p->linear_proof.terms.size(), 2u);
        ASSERT_FALSE(p->linear_advance_proof.has_value());
      }
      if ((s * 7 + t * 3) % 23 != 0 && s != 1 && t != n && s != t) continue;
      ++tampered;
      for (const auto& tamper : tampers) {
        DualProof a = *p;
        tamper(a.source_tx_header);
        ASSERT_FALSE(VerifyDualProof(a, s, t, chain.alh(s), chain.alh(t)).ok()) << s << "->" << t;
        DualProof b = *p;
        tamper(b.target_tx_header);
        ASSERT_FALSE(VerifyDualProof(b, s, t, chain.alh(s), chain.alh(t)).ok()) << s << "->" << t;
      }
      Digest bad_s = chain.alh(s), bad_t = chain.alh(t);
      Flip(bad_s, (s + t) % 256);
      Flip(bad_t, (s * t) % 256);
      ASSERT_FALSE(VerifyDualProof(*p, s, t, bad_s, chain.alh(t)).ok());
      ASSERT_FALSE(VerifyDualProof(*p, s, t, chain.alh(s), bad_t).ok());
      if (t < n) {
        ASSERT_FALSE(VerifyDualProof(*p, s, t + 1, chain.alh(s), chain.alh(t + 1)).ok());
      }
      ExpectTermTamperingFails(*p, s, t, chain.alh(s), chain.alh(t), s + t);
    }
  }
  EXPECT_GT(tampered, n);
  if (lagging) {
    EXPECT_GT(with_advance, n);
  }
}

std::vector<TxEntry> EntriesFor(uint64_t id, int32_t version) {
  std::vector<TxEntry> e;
  for (uint64_t k = 0; k < 1 + id % 4; ++k) {
    e.push_back(KvEntry("k" + std::to_string(id) + "." + std::to_string(k), "v" + std::to_string(id)));
    if (version == 1 && k == 2) e.back().metadata.expires_at = 1700000000 + id;
  }
  return e;
}

TEST(DualProofTest, EveryPairOf200TxChainBothVersions) {
  for (int32_t version : {0, 1}) {
    MemoryChain chain;
    for (uint64_t id = 1; id <= 200; ++id) {
      chain.CommitEntries(EntriesFor(id, version), version, int64_t(1700000000 + id), id - 1);
    }
    CheckAllPairs(chain, /*lagging=*/false);
  }
}

// Binary linking that lags behind (as old immudb stores wrote): BlTxID = largest multiple of 4
// below ID. Exercises linear proofs longer than 2 terms and linear-advance proofs.
TEST(DualProofTest, LaggingBinaryLinks) {
  MemoryChain chain;
  for (uint64_t id = 1; id <= 60; ++id) {
    const int32_t version = id < 30 ? 0 : 1;  // an upgrade midway
    chain.CommitEntries(EntriesFor(id, version), version, int64_t(1600000000 + id),
                        ((id - 1) / 4) * 4);
  }
  CheckAllPairs(chain, /*lagging=*/true);
  // A request that needs an advance proof verifies only with it.
  DualProof p = BuildDualProof(chain.header(10), chain.header(60), chain, chain.tree()).value();
  ASSERT_TRUE(p.linear_advance_proof.has_value());
  EXPECT_EQ(p.linear_advance_proof->linear_proof_terms.size(), 10u - 8u);
  EXPECT_EQ(p.linear_advance_proof->inclusion_proofs.size(), 1u);
  p.linear_advance_proof.reset();
  EXPECT_FALSE(VerifyDualProof(p, 10, 60, chain.alh(10), chain.alh(60)).ok());
}

TEST(DualProofTest, BuildRejectsBadRequests) {
  MemoryChain chain = FiveTxChain();
  EXPECT_FALSE(BuildDualProof(chain.header(3), chain.header(2), chain, chain.tree()).ok());
  TxHeader zero = chain.header(1);
  zero.id = 0;
  EXPECT_FALSE(BuildDualProof(zero, chain.header(2), chain, chain.tree()).ok());
  TxHeader ahead = chain.header(2);
  ahead.bl_tx_id = 4;
  EXPECT_FALSE(BuildDualProof(ahead, chain.header(3), chain, chain.tree()).ok());
}

TEST(DualProofV2Test, EveryPairVerifiesAndTamperingFails) {
  MemoryChain chain;
  for (uint64_t id = 1; id <= 64; ++id) {
    chain.CommitEntries(EntriesFor(id, 1), 1, int64_t(1700000000 + id), id - 1);
  }
  const auto tampers = HeaderTampers();
  for (uint64_t s = 1; s <= 64; ++s) {
    for (uint64_t t = s; t <= 64; ++t) {
      DualProofV2 p = BuildDualProofV2(chain.header(s), chain.header(t), chain.tree()).value();
      Status st = VerifyDualProofV2(p, s, t, chain.alh(s), chain.alh(t));
      ASSERT_TRUE(st.ok()) << s << "->" << t << ": " << st.ToString();
      EXPECT_EQ(p.inclusion_proof.empty(), s == t || t == 2);  // InclusionProof(1, 1) = []
      for (const auto& tamper : tampers) {
        DualProofV2 a = p;
        tamper(a.source_tx_header);
        ASSERT_FALSE(VerifyDualProofV2(a, s, t, chain.alh(s), chain.alh(t)).ok());
        DualProofV2 b = p;
        tamper(b.target_tx_header);
        ASSERT_FALSE(VerifyDualProofV2(b, s, t, chain.alh(s), chain.alh(t)).ok());
      }
      for (size_t k = 0; k < p.inclusion_proof.size(); ++k) {
        DualProofV2 f = p;
        Flip(f.inclusion_proof[k], (s + t + k) % 256);
        ASSERT_FALSE(VerifyDualProofV2(f, s, t, chain.alh(s), chain.alh(t)).ok());
      }
      for (size_t k = 0; k < p.consistency_proof.size(); ++k) {
        DualProofV2 f = p;
        Flip(f.consistency_proof[k], (s * t + k) % 256);
        ASSERT_FALSE(VerifyDualProofV2(f, s, t, chain.alh(s), chain.alh(t)).ok());
      }
    }
  }
  // Lagging links are refused.
  TxHeader lag = chain.header(5);
  lag.bl_tx_id = 3;
  EXPECT_FALSE(BuildDualProofV2(chain.header(2), lag, chain.tree()).ok());
}

}  // namespace
}  // namespace immudb::ledger
