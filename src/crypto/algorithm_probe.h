// Tries algorithms the public crypto API deliberately does not offer (MD5, ChaCha20,
// scrypt, non-NIST curves, small RSA, EdDSA), by name, in the process context. For tests
// that prove FIPS mode refuses them and off mode does not; not for product code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace immudb::crypto::probe {

// Fetches the digest and hashes "abc" with it.
Status TryDigest(std::string_view name);
// Fetches the cipher and encrypts one block with a zero key and IV.
Status TryCipher(std::string_view name);
// Fetches the KDF and derives 32 bytes (small cost parameters where it has any).
Status TryKdf(std::string_view name);
// Generates a key: algorithm "EC" with param = curve name, "RSA" with param = bits,
// "ED25519"/"ED448"/"X25519" with no param. The new key then passes the key policy of the
// running mode (key_policy.h), as every key the product loads does: the 3.0 FIPS provider
// itself still generates Ed25519 keys.
Status TryGenerateKey(std::string_view algorithm, std::string_view param = "");

// What a fresh SSL_CTX (as gRPC creates one) gets from the process configuration: proof
// that InitCryptoModule's TLS policy reaches every TLS context.
struct TlsContextReport {
  std::string min_version;           // "TLSv1.2", "TLSv1.3" or "any"
  std::string max_version;
  int security_level = -1;
  bool tls10_disabled = false, tls11_disabled = false, tls12_disabled = false;
  std::vector<std::string> ciphers;  // TLS 1.3 suites then TLS 1.2 ciphers, OpenSSL names
};
Result<TlsContextReport> InspectNewTlsContext(bool server);

}  // namespace immudb::crypto::probe
