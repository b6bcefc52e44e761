#include "ledger/state_signature.h"

namespace immudb::ledger {

Result<StateSignature> SignState(const State& state, const crypto::EcdsaPrivateKey& key) {
  StateSignature out;
  IMMUDB_ASSIGN_OR_RETURN(out.signature, key.SignDigest(StateSigningDigest(state)));
  out.public_key = key.PublicKey().UncompressedPoint();
  return out;
}

Status VerifyStateSignature(const State& state, ByteView der_signature,
                            const crypto::EcdsaPublicKey& key) {
  return key.VerifyDigest(StateSigningDigest(state), der_signature);
}

}  // namespace immudb::ledger
