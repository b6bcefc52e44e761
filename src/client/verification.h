// Client-side verification of what a server returns from its verifiable RPCs, exactly as
// immudb's Go client checks it (PROTOCOL.md 3.6, proofs of 2.7/2.8, signatures of 4.2).
// Pure functions: no I/O, no gRPC. Each takes the trusted local state (tx_id 0 = none yet:
// trust on first use, no dual proof) and returns the new state to trust, or a Tampered status
// whose message starts with "tampering detected". The caller stores the returned state only
// after every check (including VerifyStateSignature) passed.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/ecdsa.h"
#include "ledger/metadata.h"
#include "ledger/state.h"
#include "schema.pb.h"

namespace immudb::client {

// Tampered("tampering detected: <why>").
Status TamperingDetected(const std::string& why);

// The store entry a write was meant to produce.
struct ExpectedEntry {
  Bytes key;    // store key (with prefix)
  Bytes value;  // store value (with prefix); empty for ZAdd
  // Plain sets take the metadata from the returned tx entry (and refuse a deleted one), as
  // the Go client does; references and ZAdd entries carry no metadata.
  bool metadata_from_tx = false;
};

// VerifiedSet / VerifiedSetReference / VerifiedZAdd: rebuilds the tx from resp.tx.entries,
// recomputes Eh and Alh, checks the expected entry is included, that Eh matches the dual
// proof's target header, and (when local.tx_id > 0) the dual proof local -> new tx.
Result<ledger::State> VerifyWriteResponse(const schema::VerifiableTx& resp,
                                          const ExpectedEntry& expected,
                                          const ledger::State& local, const std::string& db);

// VerifiedGet: rebuilds the entry of requested_key from resp.entry (a reference is hashed as
// the reference entry with the *requested* key), checks its htree inclusion in the tx that
// holds it and the dual proof between that tx and the local state. at_tx is the request's
// atTx (0 = none).
Result<ledger::State> VerifyEntryResponse(const schema::VerifiableEntry& resp,
                                          ByteView requested_key, uint64_t at_tx,
                                          const ledger::State& local, const std::string& db);

// VerifiedTxById: the dual proof between tx and the local state; additionally the returned
// header must hash to the proven Alh and, when the tx came back raw and complete, its
// entries must hash to the header's Eh.
Result<ledger::State> VerifyTxResponse(const schema::VerifiableTx& resp, uint64_t tx,
                                       const ledger::State& local, const std::string& db);

// Checks sig against state with key. Tampered when the signature is missing or wrong.
Status VerifyStateSignature(const ledger::State& state, const schema::Signature* sig,
                            const crypto::EcdsaPublicKey& key);

// ledger::State <-> ImmutableState (db, txId, txHash, signature untouched).
ledger::State StateFromProto(const schema::ImmutableState& s);
void StateToProto(const ledger::State& s, schema::ImmutableState* out);

}  // namespace immudb::client
