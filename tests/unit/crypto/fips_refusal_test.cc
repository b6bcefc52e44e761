// In FIPS mode non-approved algorithms are refused; in off mode the same calls succeed,
// which shows these tests can fail.
#include <gtest/gtest.h>

#include "crypto/algorithm_probe.h"
#include "crypto/module.h"

namespace immudb::crypto {
namespace {

bool Fips() { return CurrentModule().mode != FipsMode::kOff; }

void ExpectRefusedInFipsOnly(const Status& st, const char* what) {
  if (Fips()) {
    EXPECT_FALSE(st.ok()) << what << " was allowed in FIPS mode";
    EXPECT_EQ(st.code(), Code::kCryptoError) << st.ToString();
  } else {
    EXPECT_TRUE(st.ok()) << what << ": " << st.ToString();
  }
}

TEST(FipsRefusal, Md5) { ExpectRefusedInFipsOnly(probe::TryDigest("MD5"), "MD5"); }
TEST(FipsRefusal, ChaCha20) { ExpectRefusedInFipsOnly(probe::TryCipher("ChaCha20"), "ChaCha20"); }
TEST(FipsRefusal, Scrypt) { ExpectRefusedInFipsOnly(probe::TryKdf("SCRYPT"), "scrypt"); }
TEST(FipsRefusal, Secp256k1Keygen) {
  ExpectRefusedInFipsOnly(probe::TryGenerateKey("EC", "secp256k1"), "secp256k1");
}
TEST(FipsRefusal, Rsa1024Keygen) {
  ExpectRefusedInFipsOnly(probe::TryGenerateKey("RSA", "1024"), "RSA-1024");
}
TEST(FipsRefusal, Ed25519Keygen) {
  Status st = probe::TryGenerateKey("ED25519");
  ExpectRefusedInFipsOnly(st, "Ed25519");
  if (Fips()) {
    EXPECT_NE(st.message().find("ED25519"), std::string::npos) << st.ToString();
  }
}

// The approved counterparts work in every mode (the probes themselves are sound).
TEST(FipsRefusal, ApprovedAlgorithmsWork) {
  EXPECT_TRUE(probe::TryDigest("SHA2-256").ok());
  EXPECT_TRUE(probe::TryDigest("SHA2-384").ok());
  EXPECT_TRUE(probe::TryCipher("AES-256-GCM").ok());
  EXPECT_TRUE(probe::TryGenerateKey("EC", "P-256").ok());
  EXPECT_TRUE(probe::TryGenerateKey("EC", "P-384").ok());
  EXPECT_TRUE(probe::TryGenerateKey("RSA", "2048").ok());
}

TEST(FipsRefusal, ModuleReportsItsState) {
  const ModuleInfo& info = CurrentModule();
  ASSERT_TRUE(info.initialized);
  if (Fips()) {
    EXPECT_EQ(info.provider_name, "OpenSSL FIPS Provider");
    EXPECT_TRUE(info.self_tests_passed);
    EXPECT_GT(info.self_tests_run, 0);
    EXPECT_NE(DescribeModule(info).find("self-tests=passed"), std::string::npos);
  } else {
    EXPECT_EQ(info.provider_name, "OpenSSL Default Provider");
  }
}

}  // namespace
}  // namespace immudb::crypto
