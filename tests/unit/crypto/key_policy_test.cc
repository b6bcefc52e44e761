#include "crypto/key_policy.h"

#include <gtest/gtest.h>

#include "crypto/module.h"
#include "test_keys.h"

namespace immudb::crypto {
namespace {

bool Fips() { return CurrentModule().mode != FipsMode::kOff; }

TEST(KeyPolicy, ApprovedKeysPass) {
  EXPECT_TRUE(CheckKeyPem(test_keys::kP256Sec1).ok());
  EXPECT_TRUE(CheckKeyPem(test_keys::kP256Public).ok());
  EXPECT_TRUE(CheckKeyPem(test_keys::kP384Sec1).ok());
  EXPECT_TRUE(CheckKeyPem(test_keys::kP256Cert).ok()) << CheckKeyPem(test_keys::kP256Cert).ToString();
}

TEST(KeyPolicy, CertificatesRefusedInFipsModeOnly) {
  for (const char* pem : {test_keys::kEd25519Cert, test_keys::kSecp256k1Cert}) {
    Status st = CheckKeyPem(pem);
    if (Fips()) {
      EXPECT_EQ(st.code(), Code::kCryptoError) << st.ToString();
      EXPECT_NE(st.message().find("refused in FIPS mode"), std::string::npos) << st.ToString();
    } else {
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }
  if (Fips()) {
    EXPECT_NE(CheckKeyPem(test_keys::kEd25519Cert).message().find("ED25519"), std::string::npos);
    EXPECT_NE(CheckKeyPem(test_keys::kSecp256k1Cert).message().find("secp256k1"),
              std::string::npos)
        << CheckKeyPem(test_keys::kSecp256k1Cert).ToString();
  }
}

TEST(KeyPolicy, NonApprovedKeysRefusedInFipsModeOnly) {
  for (const char* pem : {test_keys::kEd25519, test_keys::kRsa1024, test_keys::kSecp256k1Sec1,
                          test_keys::kSecp256k1Public}) {
    Status st = CheckKeyPem(pem);
    if (Fips()) {
      EXPECT_EQ(st.code(), Code::kCryptoError) << pem;
      EXPECT_NE(st.message().find("refused in FIPS mode"), std::string::npos) << st.ToString();
    } else {
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }
}

TEST(KeyPolicy, MessagesNameTheKey) {
  if (!Fips()) GTEST_SKIP() << "messages of refusals (FIPS mode)";
  EXPECT_NE(CheckKeyPem(test_keys::kRsa1024).message().find("RSA-1024"), std::string::npos);
  EXPECT_NE(CheckKeyPem(test_keys::kEd25519).message().find("ED25519"), std::string::npos);
  EXPECT_NE(CheckKeyPem(test_keys::kSecp256k1Sec1).message().find("EC key on secp256k1"),
            std::string::npos)
      << CheckKeyPem(test_keys::kSecp256k1Sec1).ToString();
  EXPECT_NE(CheckKeyPem(test_keys::kSecp256k1Public).message().find("secp256k1"),
            std::string::npos)
      << CheckKeyPem(test_keys::kSecp256k1Public).ToString();
}

TEST(KeyPolicy, GarbageIsInvalidArgument) {
  EXPECT_EQ(CheckKeyPem("hello").code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace immudb::crypto
