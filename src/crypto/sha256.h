// SHA-256 through the crypto module's provider (FIPS or default). The EVP_MD is fetched
// once per process and contexts are reused per thread, so hashing small inputs costs
// no provider look-ups.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>

#include "base/bytes.h"
#include "crypto/provider_context.h"

namespace immudb::crypto {

inline constexpr size_t kDigestSize = 32;
using Digest = std::array<uint8_t, kDigestSize>;

// SHA-256 of one input.
Digest Sha256(ByteView data);
// SHA-256 of the concatenation of parts, without building the concatenation.
Digest Sha256(std::initializer_list<ByteView> parts);
// SHA-256 of each input; out must have room for inputs.size() digests. The fast path for
// hashing many small inputs (one context, no per-call allocation).
void Sha256Many(std::span<const ByteView> inputs, Digest* out);
// SHA-256 computed by a specific provider context (benchmarks and tests).
Digest Sha256(const ProviderContext& ctx, ByteView data);

// Incremental SHA-256. Not thread-safe; one per thread.
class Sha256Hasher {
 public:
  // Hashes with the process context, or with *ctx (which must outlive the hasher).
  explicit Sha256Hasher(const ProviderContext* ctx = nullptr);
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(ByteView data);
  // Returns the digest and resets the hasher for reuse.
  Digest Final();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-256("") = e3b0c442...b855, the genesis value of immudb's hash chains.
const Digest& EmptyDigest();

inline ByteView View(const Digest& d) { return {d.data(), d.size()}; }

}  // namespace immudb::crypto
