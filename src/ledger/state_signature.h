// Signing and checking a State the way immudb does (PROTOCOL.md 4.2): ECDSA P-256 with
// SHA-256 over StateSigningPayload(state); DER signature; public key as a 65-byte
// uncompressed SEC1 point.
#pragma once

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/ecdsa.h"
#include "ledger/state.h"

namespace immudb::ledger {

// immudb's schema.Signature: the DER signature and the signer's uncompressed public key.
struct StateSignature {
  Bytes signature;   // DER SEQUENCE { r, s }
  Bytes public_key;  // 0x04 || X || Y (65 bytes)

  friend bool operator==(const StateSignature&, const StateSignature&) = default;
};

// Signs `state` with `key`. Randomised: two calls give different signatures.
Result<StateSignature> SignState(const State& state, const crypto::EcdsaPrivateKey& key);

// Ok when `der_signature` signs `state` under `key`; Tampered otherwise (as the Go client, the
// check uses the configured key, never the key carried in the signature message).
Status VerifyStateSignature(const State& state, ByteView der_signature,
                            const crypto::EcdsaPublicKey& key);

}  // namespace immudb::ledger
