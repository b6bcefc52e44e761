// Fuzzes the ledger's proof verifiers with inputs an untrusted server controls completely:
// a DualProof message as it arrives on the wire (protobuf parse, conversion, VerifyDualProof
// and VerifyDualProofV2), and the ahtree / htree / linear verifiers called with arbitrary
// indexes, leaves, roots and terms. Property: no crash, no sanitizer report and no hang
// (indexes up to 2^64-1 with a handful of terms must be answered at once), and no proof is
// accepted for indexes the verifiers define as impossible.
//
// Input: byte 0 selects the mode; mode 0 is a serialized schema.DualProof followed by
// nothing, the other modes read their fields with FuzzedDataProvider.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "client/proto_convert.h"
#include "fuzz_init.h"
#include "ledger/ahtree.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/linear_proof.h"
#include "schema.pb.h"

using namespace immudb;
using crypto::Digest;

namespace {

Digest TakeDigest(FuzzedDataProvider& p) {
  Digest d{};
  std::vector<uint8_t> b = p.ConsumeBytes<uint8_t>(32);
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

std::vector<Digest> TakeDigests(FuzzedDataProvider& p, size_t max) {
  std::vector<Digest> v(p.ConsumeIntegralInRange<size_t>(0, max));
  for (Digest& d : v) d = TakeDigest(p);
  return v;
}

void FuzzWireDualProof(const uint8_t* data, size_t size) {
  schema::DualProof msg;
  if (!msg.ParseFromArray(data, static_cast<int>(size))) return;
  ledger::DualProof proof = client::DualProofFromProto(msg);
  const ledger::TxHeader& s = proof.source_tx_header;
  const ledger::TxHeader& t = proof.target_tx_header;
  // Claimed Alhs: those of the headers as sent (the cheapest way for a forger to line them
  // up), so the verifier is driven past its header checks.
  Digest s_alh = s.Alh().ok() ? *s.Alh() : Digest{};
  Digest t_alh = t.Alh().ok() ? *t.Alh() : Digest{};
  Status st = ledger::VerifyDualProof(proof, s.id, t.id, s_alh, t_alh);
  if (st.ok()) {
    FUZZ_CHECK(s.id <= t.id, "dual proof accepted from a later to an earlier tx");
    FUZZ_CHECK(s.id > 0, "dual proof accepted from tx 0");
  }
  ledger::DualProofV2 v2;
  v2.source_tx_header = s;
  v2.target_tx_header = t;
  v2.inclusion_proof = proof.inclusion_proof;
  v2.consistency_proof = proof.consistency_proof;
  Status st2 = ledger::VerifyDualProofV2(v2, s.id, t.id, s_alh, t_alh);
  if (st2.ok()) FUZZ_CHECK(s.id <= t.id, "dual proof v2 accepted backwards");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0] % 6;
  if (mode == 0) {
    FuzzWireDualProof(data + 1, size - 1);
    return 0;
  }
  FuzzedDataProvider p(data + 1, size - 1);
  const uint64_t i = p.ConsumeIntegral<uint64_t>();
  const uint64_t j = p.ConsumeIntegral<uint64_t>();
  const Digest a = TakeDigest(p);
  const Digest b = TakeDigest(p);
  switch (mode) {
    case 1: {
      std::vector<Digest> proof = TakeDigests(p, 70);
      if (ledger::ahtree::VerifyInclusion(proof, i, j, a, b)) {
        FUZZ_CHECK(i >= 1 && i <= j, "inclusion accepted outside 1 <= i <= j");
      }
      break;
    }
    case 2: {
      std::vector<Digest> proof = TakeDigests(p, 140);
      if (ledger::ahtree::VerifyConsistency(proof, i, j, a, b)) {
        FUZZ_CHECK(i <= j, "consistency accepted for i > j");
      }
      break;
    }
    case 3: {
      std::vector<Digest> proof = TakeDigests(p, 70);
      if (ledger::ahtree::VerifyLastInclusion(proof, i, a, b)) {
        FUZZ_CHECK(i >= 1, "last inclusion accepted for i = 0");
      }
      break;
    }
    case 4: {
      ledger::HTreeProof proof;
      proof.leaf = i;
      proof.width = j;
      proof.terms = TakeDigests(p, 70);
      if (ledger::VerifyHTreeInclusion(proof, a, b)) {
        FUZZ_CHECK(i < j, "htree inclusion accepted for leaf >= width");
      }
      break;
    }
    case 5: {
      ledger::LinearProof proof;
      proof.source_tx_id = p.ConsumeBool() ? i : p.ConsumeIntegral<uint64_t>();
      proof.target_tx_id = p.ConsumeBool() ? j : p.ConsumeIntegral<uint64_t>();
      proof.terms = TakeDigests(p, 70);
      if (ledger::VerifyLinearProof(proof, i, j, a, b)) {
        FUZZ_CHECK(i <= j, "linear proof accepted backwards");
      }
      std::optional<ledger::LinearAdvanceProof> adv;
      if (p.ConsumeBool()) {
        adv.emplace();
        adv->linear_proof_terms = TakeDigests(p, 20);
        size_t n = p.ConsumeIntegralInRange<size_t>(0, 20);
        for (size_t k = 0; k < n; ++k) adv->inclusion_proofs.push_back(TakeDigests(p, 20));
      }
      const uint64_t size_arg = p.ConsumeIntegral<uint64_t>();
      (void)ledger::VerifyLinearAdvanceProof(adv, i, j, a, b, size_arg);
      break;
    }
  }
  return 0;
}
