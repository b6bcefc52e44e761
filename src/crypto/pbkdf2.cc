#include "crypto/pbkdf2.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "crypto/provider_state.h"

namespace immudb::crypto {

Result<Bytes> Pbkdf2HmacSha256(ByteView password, ByteView salt, uint32_t iterations,
                               size_t out_len, uint32_t min_iterations) {
  if (min_iterations < kPbkdf2MinIterations)
    return InvalidArgument("PBKDF2: the iteration floor may not be below " +
                           std::to_string(kPbkdf2MinIterations));
  if (salt.size() < kPbkdf2MinSaltSize)
    return InvalidArgument("PBKDF2: salt of " + std::to_string(salt.size()) +
                           " bytes is too short (need >= " +
                           std::to_string(kPbkdf2MinSaltSize) + ")");
  if (iterations < min_iterations)
    return InvalidArgument("PBKDF2: " + std::to_string(iterations) +
                           " iterations are too few (need >= " + std::to_string(min_iterations) +
                           ")");
  if (out_len < kPbkdf2MinOutputSize)
    return InvalidArgument("PBKDF2: output of " + std::to_string(out_len) +
                           " bytes is too short (need >= " +
                           std::to_string(kPbkdf2MinOutputSize) + ")");

  const ProviderContext::Impl& pc = internal::Process();
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(pc.pbkdf2);
  if (ctx == nullptr) return CryptoError("PBKDF2: " + internal::OpenSslErrors());
  char digest[] = "SHA2-256";
  static uint8_t kEmpty = 0;
  unsigned int iter = iterations;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_PASSWORD,
          password.empty() ? &kEmpty : const_cast<uint8_t*>(password.data()), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iter),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  Bytes out(out_len);
  int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) return CryptoError("PBKDF2 failed: " + internal::OpenSslErrors());
  return out;
}

}  // namespace immudb::crypto
