// PBKDF2-HMAC-SHA-256 (SP 800-132) through EVP_KDF in the crypto module's provider. The
// bounds below are enforced here in every FIPS mode, off included, so a key or password
// hash made in one mode is accepted in the other.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/status.h"

namespace immudb::crypto {

inline constexpr size_t kPbkdf2MinSaltSize = 16;       // 128 bits (SP 800-132)
inline constexpr size_t kPbkdf2MinOutputSize = 14;     // 112 bits
inline constexpr uint32_t kPbkdf2MinIterations = 1000; // SP 800-132's floor for any use
// Passwords (password_hash.h) use at least this many (OWASP 2023 for PBKDF2-HMAC-SHA-256).
inline constexpr uint32_t kPasswordMinIterations = 600000;

// Derives out_len bytes from password and salt. InvalidArgument when salt is shorter
// than 16 bytes, out_len below 14, or iterations below min_iterations (which itself may
// not be below kPbkdf2MinIterations); CryptoError if the provider fails.
Result<Bytes> Pbkdf2HmacSha256(ByteView password, ByteView salt, uint32_t iterations,
                               size_t out_len,
                               uint32_t min_iterations = kPasswordMinIterations);

}  // namespace immudb::crypto
