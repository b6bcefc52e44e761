// Pins every value quoted in docs/verification.md section 6.
#include <gtest/gtest.h>

#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/state.h"
#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::D;
using testing::H;
using testing::KvEntry;
using testing::MemoryChain;

TEST(WorkedExampleTest, MatchesDocumentation) {
  const std::vector<std::vector<TxEntry>> txs = {
      {KvEntry("a", "1")}, {KvEntry("b", "2"), KvEntry("c", "3")}, {KvEntry("a", "4")}};
  MemoryChain chain;
  for (uint64_t i = 1; i <= 3; ++i) {
    chain.CommitEntries(txs[i - 1], 1, int64_t(1700000000 + i), i - 1);
  }
  const TxEntry& c = txs[1][1];
  EXPECT_EQ(H(c.key), "0063");
  EXPECT_EQ(H(c.value_hash), "906c5d2485cae722073a430f4d04fe1767507592cef226629aeadb85a2ec909d");
  const Digest dc = c.ComputeDigest(1).value();
  const Digest db = txs[1][0].ComputeDigest(1).value();
  EXPECT_EQ(H(dc), "b496374a9af7f109e8b2e4982d9510cc6ce044fbdcdaa0dae28fb63462e43ca6");
  EXPECT_EQ(H(db), "b26564c1b5041e471c49ccd6c1b2447f4152abeae1e56fded90084bf26315a89");
  EXPECT_EQ(H(LeafHash(db)), "8c2da25c2a8e00ba682b2ce866799a9631693f4614716a5f57101f078ab8a501");
  EXPECT_EQ(H(LeafHash(dc)), "f934f401dd8496a889be60311edb2fc98c99d884a69fec6d51911ac8f316d148");
  HTree tree2 = HTree::Build(std::vector<Digest>{db, dc});
  HTreeProof proof_c = tree2.Proof(1).value();
  EXPECT_EQ(proof_c.terms, std::vector<Digest>{LeafHash(db)});
  EXPECT_TRUE(VerifyHTreeInclusion(proof_c, dc, chain.header(2).eh));

  const char* kEh[] = {"4fcf0f3ee3ca15b5ede8f61854d74a584786c7c4731eed95f01cfabdd9e1ca45",
                       "19c951e057c1874b1494228cf789b9edd8b49feee5f406d42107e7ca0b137c69",
                       "7ef6c5109e9c39f3113d1ac8e9fa8c61a91117752b99f2510b2f07ebac3bdbea"};
  const char* kBlRoot[] = {"0000000000000000000000000000000000000000000000000000000000000000",
                           "03660497f111cdad06259353c3d67b36d57302ca141543439e71c81109cdd791",
                           "f0b84d5edca73093752d34c02df46eeff8ea31a3eaa21304a57766deb3231013"};
  const char* kInner[] = {"bf90e81ffcbc4168e2b7327490b64ad71a3bd90b9d5d8028149587a123493dd1",
                          "ec9b9933273721bced473c390aeafb5ff63b3db771d996f98f7bdc8ece552b53",
                          "7610344bf70e7a81f10a2e4b4e87932af128cc3826d41d313e6b7bad41f53c3d"};
  const char* kAlh[] = {"b3117eb5b2889d47c92a8ec259929a211dd4288f5bf80eab193db53d632ef182",
                        "6200f4a8d8e8f1aef9a0a6f7175887714211b6ba2c9dfa94ed70b4ede60cb998",
                        "e4235da14f319c9c6a3bfdf2a8e8abbe47402418de932f00f6e7c353489ccb7b"};
  for (uint64_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(H(chain.header(i).eh), kEh[i - 1]);
    EXPECT_EQ(H(chain.header(i).bl_root), kBlRoot[i - 1]);
    EXPECT_EQ(H(chain.header(i).InnerHash().value()), kInner[i - 1]);
    EXPECT_EQ(H(chain.alh(i)), kAlh[i - 1]);
  }
  EXPECT_EQ(H(chain.header(1).InnerPreimage().value()),
            "000000006553f10100010000000000014fcf0f3ee3ca15b5ede8f61854d74a584786c7c4731eed95f01cfabd"
            "d9e1ca4500000000000000000000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(H(LeafHash(chain.alh(2))),
            "db1e732e8167fd5c5b04587e718b71000b4911ac3408f499a8363387e8434d97");

  DualProof p = BuildDualProof(chain.header(1), chain.header(3), chain, chain.tree()).value();
  EXPECT_EQ(p.inclusion_proof, std::vector<Digest>{LeafHash(chain.alh(2))});
  EXPECT_TRUE(p.consistency_proof.empty());
  EXPECT_EQ(p.target_bl_tx_alh, chain.alh(2));
  EXPECT_EQ(p.last_inclusion_proof, std::vector<Digest>{D(kBlRoot[1])});
  EXPECT_EQ(p.linear_proof.source_tx_id, 2u);
  EXPECT_EQ(p.linear_proof.terms, (std::vector<Digest>{chain.alh(2), D(kInner[2])}));
  EXPECT_TRUE(VerifyDualProof(p, 1, 3, chain.alh(1), chain.alh(3)).ok());

  State s{"defaultdb", 3, chain.alh(3)};
  EXPECT_EQ(H(StateSigningPayload(s)),
            "0000000964656661756c7464620000000000000003"
            "e4235da14f319c9c6a3bfdf2a8e8abbe47402418de932f00f6e7c353489ccb7b");
  EXPECT_EQ(H(StateSigningDigest(s)),
            "0b06644f9a5e7ffa04358aa7e55b3e27d7f823a9c28a6e73a33422c047df1c5e");
}

}  // namespace
}  // namespace immudb::ledger
