// ECDSA over NIST P-256 with SHA-256 (FIPS 186-5), as immudb signs its states: a DER
// SEQUENCE{r, s} signature over SHA-256(message), keys in PEM files. Key objects are
// immutable, cheap to copy (shared), and thread-safe to use concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/provider_context.h"
#include "crypto/sha256.h"

namespace immudb::crypto {

struct EcdsaKeyData;  // the OpenSSL key and its context (src/crypto only)

class EcdsaPublicKey {
 public:
  // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo). Refuses keys other than EC P-256 (and, in
  // FIPS modes, anything the key policy refuses: see key_policy.h) with a clear error.
  static Result<EcdsaPublicKey> FromPem(std::string_view pem);
  // A 65-byte uncompressed SEC1 point 0x04 || X || Y on P-256 (immudb's Signature.publicKey).
  static Result<EcdsaPublicKey> FromUncompressedPoint(ByteView point);

  // PEM "PUBLIC KEY" text.
  Result<std::string> ToPem() const;
  // The 65-byte uncompressed point.
  Bytes UncompressedPoint() const;

  // Ok when der_signature is a valid signature of SHA-256(message) by this key; Tampered
  // when it is not (including malformed signatures); CryptoError if the provider fails.
  Status Verify(ByteView message, ByteView der_signature) const;
  // The same for a message already hashed with SHA-256.
  Status VerifyDigest(const Digest& digest, ByteView der_signature) const;

 private:
  friend class EcdsaPrivateKey;
  explicit EcdsaPublicKey(std::shared_ptr<const EcdsaKeyData> key) : key_(std::move(key)) {}
  std::shared_ptr<const EcdsaKeyData> key_;
};

class EcdsaPrivateKey {
 public:
  // A new P-256 key from the DRBG, in the process context or in *ctx (which must outlive
  // the key and everything derived from it).
  static Result<EcdsaPrivateKey> Generate(const ProviderContext* ctx = nullptr);
  // A PEM private key: SEC1 "EC PRIVATE KEY" (immudb's signing key format) or PKCS#8
  // "PRIVATE KEY", unencrypted. Refuses keys other than EC P-256 with a clear error (in
  // FIPS modes also naming why the key is not approved).
  static Result<EcdsaPrivateKey> FromPem(std::string_view pem);
  // Reads FromPem() from a file.
  static Result<EcdsaPrivateKey> FromPemFile(const std::string& path);

  // SEC1 "EC PRIVATE KEY" PEM text (what `openssl ecparam -genkey -noout` writes).
  Result<std::string> ToPem() const;
  // Writes ToPem() to path, created with mode 0600 (replaced if present).
  Status ToPemFile(const std::string& path) const;

  EcdsaPublicKey PublicKey() const;

  // DER ECDSA signature of SHA-256(message). Randomised: two calls give different bytes.
  Result<Bytes> Sign(ByteView message) const;
  // DER ECDSA signature of a message already hashed with SHA-256.
  Result<Bytes> SignDigest(const Digest& digest) const;

 private:
  explicit EcdsaPrivateKey(std::shared_ptr<const EcdsaKeyData> key) : key_(std::move(key)) {}
  std::shared_ptr<const EcdsaKeyData> key_;
};

}  // namespace immudb::crypto
