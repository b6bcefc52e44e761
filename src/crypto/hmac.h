// HMAC-SHA-256 (FIPS 198-1) through the crypto module's provider, via a pre-fetched EVP_MAC.
#pragma once

#include <memory>

#include "base/bytes.h"
#include "crypto/provider_context.h"
#include "crypto/sha256.h"

namespace immudb::crypto {

// HMAC-SHA-256(key, data). Any key length; for tokens use keys of >= 32 random bytes.
Digest HmacSha256(ByteView key, ByteView data);
// The same computed by a specific provider context (benchmarks and tests).
Digest HmacSha256(const ProviderContext& ctx, ByteView key, ByteView data);

// Incremental HMAC-SHA-256 with one key. Not thread-safe; one per thread.
class HmacSha256Hasher {
 public:
  // Copies the key into the MAC state; ctx (nullptr = the process context) must outlive it.
  explicit HmacSha256Hasher(ByteView key, const ProviderContext* ctx = nullptr);
  ~HmacSha256Hasher();
  HmacSha256Hasher(const HmacSha256Hasher&) = delete;
  HmacSha256Hasher& operator=(const HmacSha256Hasher&) = delete;

  void Update(ByteView data);
  // Returns the MAC of everything since construction or the previous Final(), and restarts
  // with the same key.
  Digest Final();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace immudb::crypto
