// Soundness of the proof verifiers under tampering: builds a real ahtree (1..64 leaves), a
// chain of tx Alhs and a per-tx htree from the fuzz input, checks that the genuine inclusion,
// consistency, last-inclusion, linear and htree proofs verify, then flips one bit chosen by
// the input in a proof term, a leaf or a root and checks that the verifier now refuses.
// A verifier that accepts a changed proof (ignores a term, stops early, mixes up sides)
// fails here.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <vector>

#include "crypto/sha256.h"
#include "fuzz_init.h"
#include "ledger/ahtree.h"
#include "ledger/htree.h"
#include "ledger/linear_proof.h"
#include "ledger/merkle_hash.h"
#include "ledger/tx.h"

using namespace immudb;
using crypto::Digest;

namespace {

// A chain of n txs whose inner hashes are H(seed || k).
class Chain final : public ledger::TxChainSource {
 public:
  Chain(uint64_t n, uint8_t seed) {
    alh_.push_back(ledger::GenesisAlh());
    inner_.push_back(Digest{});
    for (uint64_t k = 1; k <= n; ++k) {
      uint8_t buf[9] = {seed};
      PutU64(buf + 1, k);
      inner_.push_back(crypto::Sha256(ByteView(buf, sizeof(buf))));
      alh_.push_back(ledger::ChainAlh(k, alh_.back(), inner_.back()));
    }
  }
  Result<Digest> Alh(uint64_t tx) const override {
    if (tx >= alh_.size()) return OutOfRange("no such tx");
    return alh_[tx];
  }
  Result<Digest> InnerHash(uint64_t tx) const override {
    if (tx == 0 || tx >= inner_.size()) return OutOfRange("no such tx");
    return inner_[tx];
  }

 private:
  std::vector<Digest> alh_, inner_;
};

// Flips bit `bit` of the digest `which` among `ds` (which is taken modulo ds.size()).
void Flip(std::vector<Digest*> ds, size_t which, uint32_t bit) {
  Digest* d = ds[which % ds.size()];
  (*d)[(bit / 8) % 32] ^= uint8_t(1u << (bit % 8));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const uint8_t seed = p.ConsumeIntegral<uint8_t>();
  const uint64_t n = p.ConsumeIntegralInRange<uint64_t>(1, 64);
  uint64_t i = p.ConsumeIntegralInRange<uint64_t>(1, n);
  uint64_t j = p.ConsumeIntegralInRange<uint64_t>(i, n);
  const size_t which = p.ConsumeIntegral<uint8_t>();
  const uint32_t bit = p.ConsumeIntegralInRange<uint32_t>(0, 255);
  const uint8_t kind = p.ConsumeIntegral<uint8_t>() % 5;

  Chain chain(n, seed);
  ledger::ahtree::MemoryTree tree;
  for (uint64_t k = 1; k <= n; ++k) FUZZ_CHECK(tree.Append(*chain.Alh(k)).ok(), "append");

  switch (kind) {
    case 0: {  // inclusion of leaf i in the tree of size j
      auto proof = ledger::ahtree::InclusionProof(tree, i, j);
      FUZZ_CHECK(proof.ok(), "inclusion proof");
      Digest leaf = ledger::LeafHash(*chain.Alh(i));
      Digest root = *ledger::ahtree::Root(tree, j);
      FUZZ_CHECK(ledger::ahtree::VerifyInclusion(*proof, i, j, leaf, root), "genuine inclusion");
      std::vector<Digest*> targets = {&leaf, &root};
      for (Digest& d : *proof) targets.push_back(&d);
      Flip(targets, which, bit);
      FUZZ_CHECK(!ledger::ahtree::VerifyInclusion(*proof, i, j, leaf, root),
                 "tampered inclusion proof accepted");
      break;
    }
    case 1: {  // consistency of size i with size j
      auto proof = ledger::ahtree::ConsistencyProof(tree, i, j);
      FUZZ_CHECK(proof.ok(), "consistency proof");
      Digest ri = *ledger::ahtree::Root(tree, i);
      Digest rj = *ledger::ahtree::Root(tree, j);
      FUZZ_CHECK(ledger::ahtree::VerifyConsistency(*proof, i, j, ri, rj), "genuine consistency");
      std::vector<Digest*> targets = {&ri, &rj};
      for (Digest& d : *proof) targets.push_back(&d);
      Flip(targets, which, bit);
      FUZZ_CHECK(!ledger::ahtree::VerifyConsistency(*proof, i, j, ri, rj),
                 "tampered consistency proof accepted");
      break;
    }
    case 2: {  // last inclusion of leaf j
      auto proof = ledger::ahtree::LastInclusionProof(tree, j);
      FUZZ_CHECK(proof.ok(), "last inclusion proof");
      Digest leaf = ledger::LeafHash(*chain.Alh(j));
      Digest root = *ledger::ahtree::Root(tree, j);
      FUZZ_CHECK(ledger::ahtree::VerifyLastInclusion(*proof, j, leaf, root),
                 "genuine last inclusion");
      std::vector<Digest*> targets = {&leaf, &root};
      for (Digest& d : *proof) targets.push_back(&d);
      Flip(targets, which, bit);
      FUZZ_CHECK(!ledger::ahtree::VerifyLastInclusion(*proof, j, leaf, root),
                 "tampered last inclusion proof accepted");
      break;
    }
    case 3: {  // linear proof from tx i to tx j
      auto proof = ledger::BuildLinearProof(chain, i, j);
      FUZZ_CHECK(proof.ok(), "linear proof");
      Digest ai = *chain.Alh(i);
      Digest aj = *chain.Alh(j);
      FUZZ_CHECK(ledger::VerifyLinearProof(*proof, i, j, ai, aj), "genuine linear proof");
      std::vector<Digest*> targets = {&ai, &aj};
      for (Digest& d : proof->terms) targets.push_back(&d);
      Flip(targets, which, bit);
      FUZZ_CHECK(!ledger::VerifyLinearProof(*proof, i, j, ai, aj),
                 "tampered linear proof accepted");
      break;
    }
    case 4: {  // htree over n entry digests, leaf i-1
      std::vector<Digest> digests;
      for (uint64_t k = 1; k <= n; ++k) digests.push_back(*chain.InnerHash(k));
      ledger::HTree t = ledger::HTree::Build(digests);
      auto proof = t.Proof(i - 1);
      FUZZ_CHECK(proof.ok(), "htree proof");
      Digest leaf = digests[i - 1];
      Digest root = t.Root();
      FUZZ_CHECK(ledger::VerifyHTreeInclusion(*proof, leaf, root), "genuine htree proof");
      std::vector<Digest*> targets = {&leaf, &root};
      for (Digest& d : proof->terms) targets.push_back(&d);
      Flip(targets, which, bit);
      FUZZ_CHECK(!ledger::VerifyHTreeInclusion(*proof, leaf, root),
                 "tampered htree proof accepted");
      break;
    }
  }
  return 0;
}
