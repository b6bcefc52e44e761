#include "crypto/x509.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "crypto/key_check.h"
#include "crypto/key_policy.h"
#include "crypto/provider_state.h"

namespace immudb::crypto {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

Status Fail(const std::string& what) {
  return CryptoError("self-signed certificate: " + what + ": " + internal::OpenSslErrors());
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return Fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return Fail(std::string("adding extension ") + OBJ_nid2sn(nid));
  return Status::Ok();
}

}  // namespace

Result<CertificateAndKey> GenerateSelfSignedCert(const SelfSignedCertOptions& o) {
  if (o.valid_days <= 0) return InvalidArgument("self-signed certificate: valid_days must be > 0");
  if (o.common_name.empty()) return InvalidArgument("self-signed certificate: empty common name");
  const ProviderContext::Impl& pc = internal::Process();

  PkeyCtxPtr gctx(EVP_PKEY_CTX_new_from_name(pc.libctx, "EC", nullptr));
  if (!gctx || EVP_PKEY_keygen_init(gctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(gctx.get(), "P-256") != 1) {
    return Fail("P-256 key generation setup");
  }
  EVP_PKEY* raw_key = nullptr;
  if (EVP_PKEY_generate(gctx.get(), &raw_key) != 1) return Fail("P-256 key generation");
  PkeyPtr key(raw_key);

  X509Ptr cert(X509_new_ex(pc.libctx, nullptr));
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return Fail("X509_new");

  unsigned char serial[16];
  if (RAND_bytes_ex(pc.libctx, serial, sizeof serial, 256) != 1) return Fail("serial number");
  serial[0] &= 0x7f;  // positive INTEGER
  serial[0] |= 0x40;  // and full length
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return Fail("serial number");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), o.valid_days, 0, nullptr) == nullptr) {
    return Fail("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(o.common_name.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return Fail("subject");
  }

  IMMUDB_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  IMMUDB_RETURN_IF_ERROR(
      AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign"));
  IMMUDB_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth"));
  IMMUDB_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  std::string san;
  for (const auto& d : o.dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : o.ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  if (!san.empty()) IMMUDB_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name, san));

  MdCtxPtr mctx(EVP_MD_CTX_new());
  if (!mctx ||
      EVP_DigestSignInit_ex(mctx.get(), nullptr, "SHA2-256", pc.libctx, nullptr, key.get(),
                            nullptr) != 1 ||
      X509_sign_ctx(cert.get(), mctx.get()) <= 0) {
    return Fail("signing with ECDSA-SHA256");
  }

  CertificateAndKey out;
  BioPtr cbio(BIO_new(BIO_s_mem()));
  if (!cbio || PEM_write_bio_X509(cbio.get(), cert.get()) != 1) return Fail("certificate PEM");
  out.cert_pem = BioText(cbio.get());
  BioPtr kbio(BIO_new(BIO_s_mem()));
  if (!kbio || PEM_write_bio_PrivateKey_ex(kbio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                           nullptr, pc.libctx, nullptr) != 1) {
    return Fail("private key PEM");
  }
  out.key_pem = BioText(kbio.get());
  return out;
}

Status CheckCertificateAndKey(std::string_view cert_chain_pem, std::string_view key_pem) {
  const ProviderContext::Impl& pc = internal::Process();
  BioPtr cbio(BIO_new_mem_buf(cert_chain_pem.data(), static_cast<int>(cert_chain_pem.size())));
  X509Ptr cert(cbio ? PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return InvalidArgument("no PEM certificate found: " + internal::OpenSslErrors());
  IMMUDB_ASSIGN_OR_RETURN(EVP_PKEY * raw, internal::DecodePemKey(key_pem, pc.libctx, false));
  PkeyPtr key(raw);
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    internal::OpenSslErrors();  // clear the queue
    return InvalidArgument("the private key does not belong to the certificate");
  }
  auto when = [](const ASN1_TIME* t) {
    BioPtr b(BIO_new(BIO_s_mem()));
    if (!b || ASN1_TIME_print(b.get(), t) != 1) return std::string("?");
    return BioText(b.get());
  };
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
    return InvalidArgument("the certificate is not valid before " +
                           when(X509_get0_notBefore(cert.get())));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    return InvalidArgument("the certificate expired on " + when(X509_get0_notAfter(cert.get())));
  }
  return Status::Ok();
}

Status CheckPemBundle(std::string_view pem) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  std::vector<std::string_view> blocks;
  size_t pos = pem.find(kBegin);
  while (pos != std::string_view::npos) {
    size_t next = pem.find(kBegin, pos + kBegin.size());
    blocks.push_back(pem.substr(pos, next == std::string_view::npos ? pem.size() - pos : next - pos));
    pos = next;
  }
  if (blocks.empty()) return InvalidArgument("no PEM block found");
  for (size_t i = 0; i < blocks.size(); ++i) {
    // Curve parameters (as `openssl ecparam -genkey` writes before the key) are no key.
    if (blocks[i].substr(kBegin.size()).starts_with("EC PARAMETERS")) continue;
    Status st = CheckKeyPem(blocks[i]);
    if (!st.ok()) {
      if (blocks.size() == 1) return st;
      return Status(st.code(), "PEM block " + std::to_string(i + 1) + " of " +
                                   std::to_string(blocks.size()) + ": " + st.message());
    }
  }
  return Status::Ok();
}

}  // namespace immudb::crypto
