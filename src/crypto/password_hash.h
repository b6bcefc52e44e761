// Password hashes for user accounts: PBKDF2-HMAC-SHA-256 with a random salt, stored with
// its parameters as one string:
//   pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
// (standard base64 alphabet with padding). Iterations are never below 600,000.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "crypto/pbkdf2.h"

namespace immudb::crypto {

inline constexpr std::string_view kPasswordHashScheme = "pbkdf2-sha256";
// Stored hashes above this many iterations are refused as malformed (a bound on the work
// one verification can cost).
inline constexpr uint32_t kPasswordMaxIterations = 100000000;

struct PasswordHashParams {
  uint32_t iterations = kPasswordMinIterations;  // >= kPasswordMinIterations
  size_t salt_size = 16;                         // >= kPbkdf2MinSaltSize
  size_t hash_size = 32;                         // >= kPbkdf2MinOutputSize
};

// Hashes password with a fresh salt from the DRBG. InvalidArgument if params are below
// the bounds or iterations above kPasswordMaxIterations.
Result<std::string> HashPassword(std::string_view password,
                                 const PasswordHashParams& params = {});

// True when password matches the stored string, false when it does not (the comparison is
// constant-time). InvalidArgument when stored is malformed or its parameters are below the
// bounds (such a hash is refused, never silently accepted).
Result<bool> VerifyPassword(std::string_view password, std::string_view stored);

}  // namespace immudb::crypto
