// Dual proofs (PROTOCOL.md 2.7): link a source tx S to a target tx T through both the Alh
// chain (linear) and the ahtree whose root every header embeds (binary). Version 1 is what
// immudb's verifiable RPCs return; version 2 assumes BlTxID = ID - 1 on both headers.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/ahtree.h"
#include "ledger/linear_proof.h"
#include "ledger/tx.h"

namespace immudb::ledger {

struct DualProof {
  TxHeader source_tx_header;
  TxHeader target_tx_header;
  std::vector<Digest> inclusion_proof;       // ahtree InclusionProof(S.ID, T.BlTxID) if S.ID < T.BlTxID
  std::vector<Digest> consistency_proof;     // ConsistencyProof(S.BlTxID, T.BlTxID) if S.BlTxID > 0
  Digest target_bl_tx_alh{};                 // Alh(T.BlTxID), zeros when T.BlTxID == 0
  std::vector<Digest> last_inclusion_proof;  // InclusionProof(T.BlTxID, T.BlTxID) if T.BlTxID > 0
  LinearProof linear_proof;                  // LinearProof(max(S.ID, T.BlTxID), T.ID)
  std::optional<LinearAdvanceProof> linear_advance_proof;  // only for lagging binary links

  friend bool operator==(const DualProof&, const DualProof&) = default;
};

// Builds DualProof(S, T) exactly as immudb's server does. Requires S.ID <= T.ID (else
// InvalidArgument), S.BlTxID <= T.BlTxID, and that `tree` holds at least T.BlTxID leaves and
// `chain` every tx up to T.ID.
Result<DualProof> BuildDualProof(const TxHeader& source, const TxHeader& target,
                                 const TxChainSource& chain, const ahtree::NodeSource& tree);

// Verifies a dual proof from (source_tx_id, source_alh) to (target_tx_id, target_alh), steps
// 1-6 of PROTOCOL.md 2.7. Ok, or Tampered naming the first failing check (InvalidArgument for
// malformed ids).
Status VerifyDualProof(const DualProof& proof, uint64_t source_tx_id, uint64_t target_tx_id,
                       const Digest& source_alh, const Digest& target_alh);

struct DualProofV2 {
  TxHeader source_tx_header;
  TxHeader target_tx_header;
  std::vector<Digest> inclusion_proof;    // InclusionProof(S.ID, T.BlTxID) if S.ID < T.ID
  std::vector<Digest> consistency_proof;  // ConsistencyProof(max(1, S.BlTxID), T.BlTxID) if S.ID < T.ID

  friend bool operator==(const DualProofV2&, const DualProofV2&) = default;
};

// Builds DualProofV2(S, T). Requires S.ID >= 1, S.ID <= T.ID and BlTxID = ID - 1 on both.
Result<DualProofV2> BuildDualProofV2(const TxHeader& source, const TxHeader& target,
                                     const ahtree::NodeSource& tree);

// Verifies a DualProofV2 (immudb's VerifyDualProofV2): ids, Alhs, the linking rule, inclusion
// of H(0x00 || source_alh) in T.BlRoot and consistency of S.BlRoot (for source 1: of the
// single-leaf tree) with T.BlRoot.
Status VerifyDualProofV2(const DualProofV2& proof, uint64_t source_tx_id, uint64_t target_tx_id,
                         const Digest& source_alh, const Digest& target_alh);

}  // namespace immudb::ledger
