// Random bytes from the crypto module's DRBG (RAND_bytes_ex on the provider selected at
// start-up: the FIPS provider's SP 800-90A DRBG in FIPS mode). The only source of
// randomness for anything security-related; never rand() or std::random_device.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace immudb::crypto {

// Fills out with random bytes at 256-bit security strength. Fails only if the DRBG fails
// (its health tests, or the entropy source).
Status FillRandom(std::span<uint8_t> out);
// n random bytes.
Result<Bytes> RandomBytes(size_t n);
// n random bytes as 2n lowercase hex characters, e.g. session ids (use n >= 16).
Result<std::string> RandomHex(size_t n);

}  // namespace immudb::crypto
