// crypto/x509.h in the running mode (registered for off and on): the generated self-signed
// certificate passes the key policy and its key signs verifiably; CheckPemBundle checks
// every block of a bundle.
#include "crypto/x509.h"

#include <gtest/gtest.h>

#include "../unit/crypto/test_keys.h"
#include "crypto/ecdsa.h"
#include "crypto/key_policy.h"
#include "crypto/module.h"

namespace immudb::crypto {
namespace {

bool Fips() { return CurrentModule().mode != FipsMode::kOff; }

TEST(X509, SelfSignedCertificateIsP256AndPassesThePolicy) {
  auto pair = GenerateSelfSignedCert();
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_TRUE(pair->cert_pem.starts_with("-----BEGIN CERTIFICATE-----")) << pair->cert_pem;
  EXPECT_TRUE(pair->key_pem.starts_with("-----BEGIN PRIVATE KEY-----")) << pair->key_pem;
  EXPECT_TRUE(CheckPemBundle(pair->cert_pem).ok());
  EXPECT_TRUE(CheckPemBundle(pair->key_pem).ok());
  // The key is a usable P-256 signing key.
  auto key = EcdsaPrivateKey::FromPem(pair->key_pem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const Bytes msg = {1, 2, 3};
  auto sig = key->Sign(msg);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(key->PublicKey().Verify(msg, *sig).ok());
  // Two certificates differ (fresh key, random serial).
  auto other = GenerateSelfSignedCert();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->cert_pem, pair->cert_pem);
  EXPECT_NE(other->key_pem, pair->key_pem);
}

TEST(X509, CertificateAndKeyMustMatch) {
  auto a = GenerateSelfSignedCert();
  auto b = GenerateSelfSignedCert();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(CheckCertificateAndKey(a->cert_pem, a->key_pem).ok());
  Status st = CheckCertificateAndKey(a->cert_pem, b->key_pem);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("does not belong"), std::string::npos) << st.ToString();
  EXPECT_FALSE(CheckCertificateAndKey(a->key_pem, a->key_pem).ok());  // no certificate
}

TEST(X509, BadOptionsAreRefused) {
  SelfSignedCertOptions o;
  o.valid_days = 0;
  EXPECT_FALSE(GenerateSelfSignedCert(o).ok());
  o = {};
  o.common_name.clear();
  EXPECT_FALSE(GenerateSelfSignedCert(o).ok());
  o = {};
  o.ip_addresses = {"not-an-ip"};
  EXPECT_FALSE(GenerateSelfSignedCert(o).ok());
}

TEST(X509, BundleCheckedBlockByBlock) {
  auto pair = GenerateSelfSignedCert();
  ASSERT_TRUE(pair.ok());
  std::string good = pair->cert_pem + std::string(test_keys::kP256Sec1);
  EXPECT_TRUE(CheckPemBundle(good).ok());
  std::string mixed = pair->cert_pem + std::string(test_keys::kEd25519Cert);
  Status st = CheckPemBundle(mixed);
  if (Fips()) {
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("PEM block 2 of 2"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("ED25519"), std::string::npos) << st.ToString();
    EXPECT_FALSE(CheckPemBundle(test_keys::kRsa1024).ok());
  } else {
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(CheckPemBundle(test_keys::kRsa1024).ok());
  }
  EXPECT_EQ(CheckPemBundle("no pem here").code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace immudb::crypto
