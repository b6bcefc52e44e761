// Internal to src/crypto: key policy checks on OpenSSL key objects.
#pragma once

#include <openssl/types.h>

#include <string>

#include "base/status.h"
#include "crypto/module.h"

namespace immudb::crypto::internal {

// A short description of the key, e.g. "EC key on prime256v1", "RSA-1024 key", "ED25519 key".
std::string DescribeKey(const EVP_PKEY* pkey);
// Ok when mode accepts the key (see key_policy.h), else CryptoError naming the reason.
Status CheckApprovedKey(const EVP_PKEY* pkey, FipsMode mode);
// Decodes the first PEM private or public key in pem into a new EVP_PKEY in libctx
// (caller frees). public_only selects a public key ("PUBLIC KEY").
Result<EVP_PKEY*> DecodePemKey(std::string_view pem, OSSL_LIB_CTX* libctx, bool public_only);

}  // namespace immudb::crypto::internal
