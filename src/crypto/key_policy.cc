#include "crypto/key_policy.h"

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "crypto/key_check.h"
#include "crypto/provider_state.h"

namespace immudb::crypto {
namespace internal {
namespace {

constexpr const char* kNistCurves[] = {"prime256v1", "P-256", "secp384r1", "P-384",
                                       "secp521r1", "P-521"};

std::string GroupName(const EVP_PKEY* pkey) {
  char name[80] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1) return "";
  return std::string(name, len);
}

// Describes an algorithm identifier (the key's OID and, for EC, its curve OID) without
// decoding the key, for keys the loaded providers cannot decode (e.g. secp256k1 in FIPS).
std::string DescribeAlgorithm(const X509_ALGOR* alg) {
  const ASN1_OBJECT* oid = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&oid, &ptype, &pval, alg);
  int nid = OBJ_obj2nid(oid);
  std::string type = nid != NID_undef ? OBJ_nid2sn(nid) : "unknown";
  if (nid == NID_X9_62_id_ecPublicKey) {
    if (ptype == V_ASN1_OBJECT) {
      int curve = OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(pval));
      return std::string("EC key on ") + (curve != NID_undef ? OBJ_nid2sn(curve) : "an unknown curve");
    }
    return "EC key with explicit curve parameters";
  }
  if (nid == NID_ED25519) return "ED25519 key";
  if (nid == NID_ED448) return "ED448 key";
  return type + " key";
}

// What the first key or certificate in pem is, from its ASN.1 alone ("" if unknown).
std::string DescribePemWithoutDecoding(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                BIO_free);
  if (!bio) return "";
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) return "";
    std::string label = name;
    std::string out;
    const unsigned char* p = data;
    if (label == "PRIVATE KEY") {
      if (PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, len)) {
        const X509_ALGOR* alg = nullptr;
        if (PKCS8_pkey_get0(nullptr, nullptr, nullptr, &alg, info) == 1) out = DescribeAlgorithm(alg);
        PKCS8_PRIV_KEY_INFO_free(info);
      }
    } else if (label == "PUBLIC KEY") {
      if (X509_PUBKEY* pub = d2i_X509_PUBKEY(nullptr, &p, len)) {
        X509_ALGOR* alg = nullptr;
        if (X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &alg, pub) == 1)
          out = DescribeAlgorithm(alg);
        X509_PUBKEY_free(pub);
      }
    } else if (label == "EC PRIVATE KEY") {
      // SEC1 ECPrivateKey: SEQUENCE { version, privateKey, [0] curve OID, [1] publicKey };
      // the curve is the OBJECT inside the first [0] tag.
      out = "EC key on an unknown curve";
      for (long i = 0; i + 3 < len; ++i) {
        if (data[i] != 0xa0 || data[i + 2] != 0x06) continue;
        const unsigned char* q = data + i + 2;
        if (ASN1_OBJECT* oid = d2i_ASN1_OBJECT(nullptr, &q, data[i + 1])) {
          int curve = OBJ_obj2nid(oid);
          if (curve != NID_undef) out = std::string("EC key on ") + OBJ_nid2sn(curve);
          ASN1_OBJECT_free(oid);
        }
        break;
      }
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!out.empty() || label.find("KEY") != std::string::npos) return out;
  }
}

Status Refuse(const std::string& what, const std::string& why) {
  return CryptoError(what + " refused in FIPS mode: " + why);
}

}  // namespace

std::string DescribeKey(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC")) return "EC key on " + GroupName(pkey);
  if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS"))
    return "RSA-" + std::to_string(EVP_PKEY_get_bits(pkey)) + " key";
  const char* type = EVP_PKEY_get0_type_name(pkey);
  return std::string(type != nullptr ? type : "unknown") + " key";
}

Status CheckApprovedKey(const EVP_PKEY* pkey, FipsMode mode) {
  if (mode == FipsMode::kOff) return Status::Ok();
  const std::string what = DescribeKey(pkey);
  if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
    if (EVP_PKEY_get_bits(pkey) < 2048) return Refuse(what, "RSA keys need at least 2048 bits");
    return Status::Ok();
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    const std::string group = GroupName(pkey);
    for (const char* c : kNistCurves)
      if (group == c) return Status::Ok();
    return Refuse(what, "only the NIST curves P-256, P-384 and P-521 are allowed");
  }
  return Refuse(what, "approved keys are RSA (>= 2048 bits) and EC on P-256, P-384, P-521");
}

Result<EVP_PKEY*> DecodePemKey(std::string_view pem, OSSL_LIB_CTX* libctx, bool public_only) {
  EVP_PKEY* pkey = nullptr;
  const int selection = public_only ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  OSSL_DECODER_CTX* dctx =
      OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, nullptr, selection, libctx, nullptr);
  if (dctx == nullptr) return CryptoError("no PEM key decoder: " + OpenSslErrors());
  const unsigned char* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t len = pem.size();
  const int ok = OSSL_DECODER_from_data(dctx, &data, &len);
  OSSL_DECODER_CTX_free(dctx);
  if (ok == 1 && pkey != nullptr) return pkey;
  EVP_PKEY_free(pkey);
  const std::string errors = OpenSslErrors();
  const std::string what = DescribePemWithoutDecoding(pem);
  const FipsMode mode = CurrentModule().mode;
  if (!what.empty() && mode != FipsMode::kOff)
    return Refuse(what, "the FIPS provider does not support it");
  return InvalidArgument(std::string("cannot parse the PEM ") +
                         (public_only ? "public" : "private") + " key" +
                         (what.empty() ? "" : " (" + what + ")") + ": " + errors);
}

}  // namespace internal

Status CheckKeyPem(std::string_view pem) {
  const ProviderContext::Impl& pc = internal::Process();
  const FipsMode mode = pc.mode;
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos &&
      pem.find("-----BEGIN CERTIFICATE-----") < pem.find("KEY-----")) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                  BIO_free);
    X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (cert == nullptr)
      return InvalidArgument("cannot parse the PEM certificate: " + internal::OpenSslErrors());
    std::unique_ptr<X509, decltype(&X509_free)> owner(cert, X509_free);
    EVP_PKEY* pkey = X509_get0_pubkey(cert);
    if (pkey == nullptr) {
      std::string what = "certificate key";
      X509_ALGOR* alg = nullptr;
      if (X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &alg, X509_get_X509_PUBKEY(cert)) == 1)
        what = "certificate with " + internal::DescribeAlgorithm(alg);
      internal::OpenSslErrors();
      if (mode != FipsMode::kOff) return internal::Refuse(what, "the FIPS provider does not support it");
      return InvalidArgument("cannot decode the " + what);
    }
    Status st = internal::CheckApprovedKey(pkey, mode);
    if (!st.ok()) return CryptoError("certificate: " + st.message());
    return Status::Ok();
  }
  const bool is_public = pem.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos &&
                         pem.find("PRIVATE KEY-----") == std::string_view::npos;
  IMMUDB_ASSIGN_OR_RETURN(EVP_PKEY * pkey, internal::DecodePemKey(pem, pc.libctx, is_public));
  Status st = internal::CheckApprovedKey(pkey, mode);
  EVP_PKEY_free(pkey);
  return st;
}

}  // namespace immudb::crypto
