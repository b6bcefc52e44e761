#include "crypto/algorithm_probe.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include <string>

#include "crypto/key_check.h"
#include "crypto/provider_state.h"

namespace immudb::crypto::probe {
namespace {

Status Refused(std::string_view what, std::string_view name) {
  return CryptoError(std::string(what) + " " + std::string(name) +
                     " is not available: " + internal::OpenSslErrors());
}

}  // namespace

Status TryDigest(std::string_view name) {
  const ProviderContext::Impl& pc = internal::Process();
  EVP_MD* md = EVP_MD_fetch(pc.libctx, std::string(name).c_str(), nullptr);
  if (md == nullptr) return Refused("digest", name);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  int ok = EVP_Digest("abc", 3, out, &len, md, nullptr);
  EVP_MD_free(md);
  return ok == 1 ? Status::Ok() : Refused("digest", name);
}

Status TryCipher(std::string_view name) {
  const ProviderContext::Impl& pc = internal::Process();
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(pc.libctx, std::string(name).c_str(), nullptr);
  if (cipher == nullptr) return Refused("cipher", name);
  unsigned char key[64] = {0}, iv[32] = {0}, in[16] = {0}, out[64];
  int len = 0;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int ok = ctx != nullptr && EVP_EncryptInit_ex2(ctx, cipher, key, iv, nullptr) == 1 &&
           EVP_EncryptUpdate(ctx, out, &len, in, sizeof in) == 1;
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  return ok ? Status::Ok() : Refused("cipher", name);
}

Status TryKdf(std::string_view name) {
  const ProviderContext::Impl& pc = internal::Process();
  EVP_KDF* kdf = EVP_KDF_fetch(pc.libctx, std::string(name).c_str(), nullptr);
  if (kdf == nullptr) return Refused("KDF", name);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  unsigned char pass[] = "password";
  unsigned char salt[16] = {1};
  uint64_t n = 1024;
  uint32_t r = 8, p = 1;
  OSSL_PARAM scrypt[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pass, 8),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof salt),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p), OSSL_PARAM_construct_end()};
  unsigned char out[32];
  int ok = ctx != nullptr &&
           EVP_KDF_derive(ctx, out, sizeof out, name == "SCRYPT" || name == "scrypt" ? scrypt : nullptr) == 1;
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return ok ? Status::Ok() : Refused("KDF", name);
}

Status TryGenerateKey(std::string_view algorithm, std::string_view param) {
  const ProviderContext::Impl& pc = internal::Process();
  const std::string alg(algorithm);
  EVP_PKEY_CTX* gctx = EVP_PKEY_CTX_new_from_name(pc.libctx, alg.c_str(), nullptr);
  if (gctx == nullptr) return Refused("key type", algorithm);
  int ok = EVP_PKEY_keygen_init(gctx) == 1;
  if (ok && alg == "EC") ok = EVP_PKEY_CTX_set_group_name(gctx, std::string(param).c_str()) == 1;
  if (ok && alg == "RSA") ok = EVP_PKEY_CTX_set_rsa_keygen_bits(gctx, std::stoi(std::string(param))) == 1;
  EVP_PKEY* pkey = nullptr;
  ok = ok && EVP_PKEY_generate(gctx, &pkey) == 1;
  EVP_PKEY_CTX_free(gctx);
  if (!ok) {
    EVP_PKEY_free(pkey);
    return Refused("key generation for", alg + (param.empty() ? "" : " " + std::string(param)));
  }
  Status st = internal::CheckApprovedKey(pkey, pc.mode);
  EVP_PKEY_free(pkey);
  return st;
}

Result<TlsContextReport> InspectNewTlsContext(bool server) {
  internal::Process();  // the module must be initialised
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) return CryptoError("SSL_CTX_new failed: " + internal::OpenSslErrors());
  auto version = [](long v) -> std::string {
    switch (v) {
      case 0: return "any";
      case TLS1_VERSION: return "TLSv1";
      case TLS1_1_VERSION: return "TLSv1.1";
      case TLS1_2_VERSION: return "TLSv1.2";
      case TLS1_3_VERSION: return "TLSv1.3";
    }
    return "0x" + std::to_string(v);
  };
  TlsContextReport r;
  r.min_version = version(SSL_CTX_get_min_proto_version(ctx));
  r.max_version = version(SSL_CTX_get_max_proto_version(ctx));
  r.security_level = SSL_CTX_get_security_level(ctx);
  const uint64_t options = SSL_CTX_get_options(ctx);
  r.tls10_disabled = (options & SSL_OP_NO_TLSv1) != 0;
  r.tls11_disabled = (options & SSL_OP_NO_TLSv1_1) != 0;
  r.tls12_disabled = (options & SSL_OP_NO_TLSv1_2) != 0;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i)
    r.ciphers.push_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  SSL_CTX_free(ctx);
  return r;
}

}  // namespace immudb::crypto::probe
