// Conversions between the wire messages (immudb.schema, proto/schema.proto) and the ledger's
// value types, in both directions: proto -> ledger is what the client does before it
// re-hashes anything; ledger -> proto is how a server renders proofs (used by tests and
// by anyone who builds proofs in memory).
//
// Proto -> ledger follows immudb's Go client exactly, because the verifier must hash the
// same bytes it would: 32-byte digests are zero-padded / truncated to 32 bytes, a
// TxMetadata with truncatedTxID == 0 and empty extra means "no metadata", an absent
// KVMetadata means empty metadata, and an absent LinearAdvanceProof means "none".
#pragma once

#include "base/status.h"
#include "crypto/sha256.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/metadata.h"
#include "ledger/state.h"
#include "ledger/tx.h"
#include "schema.pb.h"

namespace immudb::client {

// Copies up to 32 bytes of b into a digest (shorter input is zero-padded).
crypto::Digest DigestFromProto(const std::string& b);
std::string DigestToProto(const crypto::Digest& d);

ledger::KvMetadata KvMetadataFromProto(const schema::KVMetadata& md);
// Fills *out only with what md holds (leaves it cleared when md is empty).
void KvMetadataToProto(const ledger::KvMetadata& md, schema::KVMetadata* out);
bool HasKvMetadata(const ledger::KvMetadata& md);

ledger::TxMetadata TxMetadataFromProto(const schema::TxMetadata& md);
ledger::TxHeader TxHeaderFromProto(const schema::TxHeader& h);
void TxHeaderToProto(const ledger::TxHeader& h, schema::TxHeader* out);

// TxEntry with its store key (prefix included), hValue, vLen and metadata.
ledger::TxEntry TxEntryFromProto(const schema::TxEntry& e);
void TxEntryToProto(const ledger::TxEntry& e, schema::TxEntry* out);

ledger::HTreeProof InclusionProofFromProto(const schema::InclusionProof& p);
void InclusionProofToProto(const ledger::HTreeProof& p, schema::InclusionProof* out);

ledger::DualProof DualProofFromProto(const schema::DualProof& p);
void DualProofToProto(const ledger::DualProof& p, schema::DualProof* out);

}  // namespace immudb::client
