// Internal to src/crypto: the process-wide provider state and pre-fetched algorithms.
// Only src/crypto/*.cc include this header.
#pragma once

#include <openssl/types.h>

namespace immudb::crypto::internal {

// The library context every crypto object is created in (nullptr = OpenSSL's default
// context, which gRPC's libssl also uses).
OSSL_LIB_CTX* LibCtx();
// Pre-fetched SHA-256, from the provider selected at start-up. Fetched on first use.
const EVP_MD* Sha256Md();

}  // namespace immudb::crypto::internal
