#include "crypto/tls_policy.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "crypto/algorithm_probe.h"
#include "crypto/module.h"

namespace immudb::crypto {
namespace {

TEST(TlsPolicy, FipsProfileRendering) {
  TlsPolicy p = FipsTlsPolicy(/*allow_tls12=*/true);
  EXPECT_EQ(p.RenderSystemDefault(),
            "MinProtocol = TLSv1.2\n"
            "MaxProtocol = TLSv1.3\n"
            "Protocol = -ALL, TLSv1.2, TLSv1.3\n"
            "CipherString = ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=2\n"
            "Ciphersuites = TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256\n"
            "Groups = P-384:P-256:P-521\n"
            "SignatureAlgorithms = ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:"
            "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
            "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
            "RSA+SHA256:RSA+SHA384:RSA+SHA512\n");
  EXPECT_EQ(p.GrpcCipherSuites(),
            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_FALSE(p.early_data);
  EXPECT_EQ(p.security_level, 2);
}

TEST(TlsPolicy, FipsProfileWithoutModuleEmsIsTls13Only) {
  TlsPolicy p = TlsPolicyFor(FipsMode::kOn, /*ems_enforced_by_module=*/false);
  EXPECT_EQ(p.name, "fips");
  EXPECT_FALSE(p.allow_tls12);
  std::string text = p.RenderSystemDefault();
  EXPECT_NE(text.find("MinProtocol = TLSv1.3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Protocol = -ALL, TLSv1.3\n"), std::string::npos) << text;
  EXPECT_TRUE(TlsPolicyFor(FipsMode::kStrict, true).allow_tls12);
}

TEST(TlsPolicy, NothingNonApprovedInFipsProfile) {
  for (bool tls12 : {true, false}) {
    std::string text = FipsTlsPolicy(tls12).RenderSslConf() + FipsTlsPolicy(tls12).GrpcCipherSuites();
    for (const char* banned : {"X25519", "X448", "CHACHA", "CBC", "SHA1", "ed25519", "ed448",
                               "Ed25519", "TLSv1.1", "TLSv1 ", "MD5", "= AES", ":AES"}) {
      EXPECT_EQ(text.find(banned), std::string::npos) << banned << " in\n" << text;
    }
    // Every TLS 1.2 suite is ECDHE (forward secret) with AES-GCM.
    for (const std::string& c : FipsTlsPolicy(tls12).tls12_ciphers) {
      EXPECT_EQ(c.rfind("ECDHE-", 0), 0u) << c;
      EXPECT_NE(c.find("-AES"), std::string::npos) << c;
      EXPECT_NE(c.find("-GCM-"), std::string::npos) << c;
    }
  }
}

TEST(TlsPolicy, SslConfSection) {
  std::string conf = DefaultTlsPolicy().RenderSslConf("ssl_sect", "sys");
  EXPECT_EQ(conf.rfind("[ssl_sect]\nsystem_default = sys\n[sys]\nMinProtocol = TLSv1.2\n", 0), 0u)
      << conf;
  EXPECT_NE(conf.find("Groups = X25519:P-256:P-384:P-521\n"), std::string::npos);
  EXPECT_EQ(conf.find("SignatureAlgorithms"), std::string::npos);
  EXPECT_EQ(TlsPolicyFor(FipsMode::kOff, false).name, "default");
}

TEST(TlsPolicy, AppliedByInitCryptoModule) {
  const ModuleInfo& info = CurrentModule();
  TlsPolicy expected = TlsPolicyFor(info.mode, info.ems_enforced_by_module);
  EXPECT_EQ(CurrentTlsPolicy().RenderSslConf(), expected.RenderSslConf());
  EXPECT_EQ(info.tls_policy, expected.name);
  EXPECT_EQ(info.tls12_allowed, expected.allow_tls12);
  const char* env = std::getenv("GRPC_SSL_CIPHER_SUITES");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(std::string(env), expected.GrpcCipherSuites());
}

}  // namespace
}  // namespace immudb::crypto

namespace immudb::crypto {
namespace {

// A fresh SSL_CTX, as gRPC builds one, carries the policy InitCryptoModule loaded.
TEST(TlsPolicy, ReachesNewTlsContexts) {
  const ModuleInfo& info = CurrentModule();
  TlsPolicy policy = TlsPolicyFor(info.mode, info.ems_enforced_by_module);
  for (bool server : {true, false}) {
    auto r = probe::InspectNewTlsContext(server);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->min_version, policy.MinProtocol());
    EXPECT_EQ(r->max_version, "TLSv1.3");
    EXPECT_EQ(r->security_level, 2);
    EXPECT_TRUE(r->tls10_disabled);
    EXPECT_TRUE(r->tls11_disabled);
    EXPECT_EQ(r->tls12_disabled, !policy.allow_tls12);
    std::vector<std::string> expected = policy.tls13_suites;
    expected.insert(expected.end(), policy.tls12_ciphers.begin(), policy.tls12_ciphers.end());
    EXPECT_EQ(r->ciphers, expected);
  }
}

}  // namespace
}  // namespace immudb::crypto
