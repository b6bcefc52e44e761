#include "crypto/provider_state.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace immudb::crypto::internal {

OSSL_LIB_CTX* LibCtx() { return nullptr; }

const EVP_MD* Sha256Md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(LibCtx(), "SHA2-256", nullptr);
    if (m == nullptr) {
      std::fprintf(stderr, "crypto: fatal: SHA-256 is not available from any loaded provider\n");
      std::abort();
    }
    return m;
  }();
  return md;
}

}  // namespace immudb::crypto::internal
