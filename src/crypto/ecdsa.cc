#include "crypto/ecdsa.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/key_check.h"
#include "crypto/provider_state.h"

namespace immudb::crypto {

struct EcdsaKeyData {
  EVP_PKEY* pkey = nullptr;
  const ProviderContext::Impl* pc = nullptr;  // where the key lives; outlives the key
  ~EcdsaKeyData() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr size_t kPointSize = 65;

std::shared_ptr<const EcdsaKeyData> Wrap(EVP_PKEY* pkey, const ProviderContext::Impl& pc) {
  auto d = std::make_shared<EcdsaKeyData>();
  d->pkey = pkey;
  d->pc = &pc;
  return d;
}

// Takes ownership of pkey: accepts it when it is an EC P-256 key the mode allows.
Result<std::shared_ptr<const EcdsaKeyData>> AdoptP256(EVP_PKEY* pkey,
                                                      const ProviderContext::Impl& pc) {
  auto key = Wrap(pkey, pc);
  IMMUDB_RETURN_IF_ERROR(internal::CheckApprovedKey(pkey, pc.mode));
  const std::string what = internal::DescribeKey(pkey);
  if (what != "EC key on prime256v1")
    return InvalidArgument(what + " is not an ECDSA P-256 key (prime256v1)");
  return key;
}

Result<std::string> Encode(const EcdsaKeyData& key, int selection, const char* structure) {
  OSSL_ENCODER_CTX* ectx =
      OSSL_ENCODER_CTX_new_for_pkey(key.pkey, selection, "PEM", structure, nullptr);
  if (ectx == nullptr || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
    OSSL_ENCODER_CTX_free(ectx);
    return CryptoError("no PEM encoder for the key: " + internal::OpenSslErrors());
  }
  unsigned char* data = nullptr;
  size_t len = 0;
  int ok = OSSL_ENCODER_to_data(ectx, &data, &len);
  OSSL_ENCODER_CTX_free(ectx);
  if (ok != 1) return CryptoError("encoding the key as PEM failed: " + internal::OpenSslErrors());
  std::string pem(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  return pem;
}

Status VerifyWith(EVP_PKEY_CTX* pctx, int rc) {
  EVP_PKEY_CTX_free(pctx);
  if (rc == 1) return Status::Ok();
  internal::OpenSslErrors();  // a bad or malformed signature leaves errors; drop them
  return Tampered("ECDSA signature does not verify");
}

}  // namespace

// ---- public key ----

Result<EcdsaPublicKey> EcdsaPublicKey::FromPem(std::string_view pem) {
  const ProviderContext::Impl& pc = internal::Process();
  IMMUDB_ASSIGN_OR_RETURN(EVP_PKEY * pkey, internal::DecodePemKey(pem, pc.libctx, true));
  IMMUDB_ASSIGN_OR_RETURN(auto key, AdoptP256(pkey, pc));
  return EcdsaPublicKey(std::move(key));
}

Result<EcdsaPublicKey> EcdsaPublicKey::FromUncompressedPoint(ByteView point) {
  if (point.size() != kPointSize || point[0] != 0x04)
    return InvalidArgument("not a 65-byte uncompressed P-256 point");
  const ProviderContext::Impl& pc = internal::Process();
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(pc.libctx, "EC", nullptr);
  if (ctx == nullptr) return CryptoError("EC is not available: " + internal::OpenSslErrors());
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(point.data()), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* pkey = nullptr;
  int ok = EVP_PKEY_fromdata_init(ctx) == 1 &&
           EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    EVP_PKEY_free(pkey);
    return InvalidArgument("not a point on P-256: " + internal::OpenSslErrors());
  }
  IMMUDB_ASSIGN_OR_RETURN(auto key, AdoptP256(pkey, pc));
  return EcdsaPublicKey(std::move(key));
}

Result<std::string> EcdsaPublicKey::ToPem() const {
  return Encode(*key_, EVP_PKEY_PUBLIC_KEY, "SubjectPublicKeyInfo");
}

Bytes EcdsaPublicKey::UncompressedPoint() const {
  Bytes out(kPointSize);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key_->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(),
                                      out.size(), &len) != 1 ||
      len != kPointSize) {
    internal::OpenSslErrors();
    return {};
  }
  return out;
}

Status EcdsaPublicKey::Verify(ByteView message, ByteView der_signature) const {
  EVP_MD_CTX* mctx = EVP_MD_CTX_new();
  if (mctx == nullptr) return CryptoError("EVP_MD_CTX_new failed");
  int rc = EVP_DigestVerifyInit_ex(mctx, nullptr, "SHA2-256", key_->pc->libctx, nullptr,
                                   key_->pkey, nullptr);
  if (rc != 1) {
    EVP_MD_CTX_free(mctx);
    return CryptoError("ECDSA verify init failed: " + internal::OpenSslErrors());
  }
  rc = EVP_DigestVerify(mctx, der_signature.data(), der_signature.size(), message.data(),
                        message.size());
  EVP_MD_CTX_free(mctx);
  if (rc == 1) return Status::Ok();
  internal::OpenSslErrors();
  return Tampered("ECDSA signature does not verify");
}

Status EcdsaPublicKey::VerifyDigest(const Digest& digest, ByteView der_signature) const {
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_pkey(key_->pc->libctx, key_->pkey, nullptr);
  if (pctx == nullptr || EVP_PKEY_verify_init(pctx) != 1 ||
      EVP_PKEY_CTX_set_signature_md(pctx, key_->pc->sha256) != 1) {
    EVP_PKEY_CTX_free(pctx);
    return CryptoError("ECDSA verify init failed: " + internal::OpenSslErrors());
  }
  int rc = EVP_PKEY_verify(pctx, der_signature.data(), der_signature.size(), digest.data(),
                           digest.size());
  return VerifyWith(pctx, rc);
}

// ---- private key ----

Result<EcdsaPrivateKey> EcdsaPrivateKey::Generate(const ProviderContext* ctx) {
  const ProviderContext::Impl& pc = ctx != nullptr ? ctx->impl() : internal::Process();
  EVP_PKEY_CTX* gctx = EVP_PKEY_CTX_new_from_name(pc.libctx, "EC", nullptr);
  EVP_PKEY* pkey = nullptr;
  int ok = gctx != nullptr && EVP_PKEY_keygen_init(gctx) == 1 &&
           EVP_PKEY_CTX_set_group_name(gctx, "P-256") == 1 && EVP_PKEY_generate(gctx, &pkey) == 1;
  EVP_PKEY_CTX_free(gctx);
  if (!ok) {
    EVP_PKEY_free(pkey);
    return CryptoError("ECDSA P-256 key generation failed: " + internal::OpenSslErrors());
  }
  IMMUDB_ASSIGN_OR_RETURN(auto key, AdoptP256(pkey, pc));
  return EcdsaPrivateKey(std::move(key));
}

Result<EcdsaPrivateKey> EcdsaPrivateKey::FromPem(std::string_view pem) {
  const ProviderContext::Impl& pc = internal::Process();
  IMMUDB_ASSIGN_OR_RETURN(EVP_PKEY * pkey, internal::DecodePemKey(pem, pc.libctx, false));
  IMMUDB_ASSIGN_OR_RETURN(auto key, AdoptP256(pkey, pc));
  return EcdsaPrivateKey(std::move(key));
}

Result<EcdsaPrivateKey> EcdsaPrivateKey::FromPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read the private key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto key = FromPem(text.str());
  if (!key.ok()) return Status(key.status().code(), path + ": " + key.status().message());
  return key;
}

Result<std::string> EcdsaPrivateKey::ToPem() const {
  return Encode(*key_, EVP_PKEY_KEYPAIR, "type-specific");
}

Status EcdsaPrivateKey::ToPemFile(const std::string& path) const {
  IMMUDB_ASSIGN_OR_RETURN(std::string pem, ToPem());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create " + path + ": " + std::strerror(errno));
  bool ok = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  ok = (::fsync(fd) == 0) && ok;
  ::close(fd);
  if (!ok) return IoError("cannot write " + path);
  return Status::Ok();
}

EcdsaPublicKey EcdsaPrivateKey::PublicKey() const { return EcdsaPublicKey(key_); }

Result<Bytes> EcdsaPrivateKey::Sign(ByteView message) const {
  EVP_MD_CTX* mctx = EVP_MD_CTX_new();
  if (mctx == nullptr) return CryptoError("EVP_MD_CTX_new failed");
  Bytes sig(static_cast<size_t>(EVP_PKEY_get_size(key_->pkey)));
  size_t len = sig.size();
  int ok = EVP_DigestSignInit_ex(mctx, nullptr, "SHA2-256", key_->pc->libctx, nullptr, key_->pkey,
                                 nullptr) == 1 &&
           EVP_DigestSign(mctx, sig.data(), &len, message.data(), message.size()) == 1;
  EVP_MD_CTX_free(mctx);
  if (!ok) return CryptoError("ECDSA signing failed: " + internal::OpenSslErrors());
  sig.resize(len);
  return sig;
}

Result<Bytes> EcdsaPrivateKey::SignDigest(const Digest& digest) const {
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_pkey(key_->pc->libctx, key_->pkey, nullptr);
  Bytes sig(static_cast<size_t>(EVP_PKEY_get_size(key_->pkey)));
  size_t len = sig.size();
  int ok = pctx != nullptr && EVP_PKEY_sign_init(pctx) == 1 &&
           EVP_PKEY_CTX_set_signature_md(pctx, key_->pc->sha256) == 1 &&
           EVP_PKEY_sign(pctx, sig.data(), &len, digest.data(), digest.size()) == 1;
  EVP_PKEY_CTX_free(pctx);
  if (!ok) return CryptoError("ECDSA signing failed: " + internal::OpenSslErrors());
  sig.resize(len);
  return sig;
}

}  // namespace immudb::crypto
