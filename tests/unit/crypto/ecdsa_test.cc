#include "crypto/ecdsa.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "crypto/module.h"
#include "test_keys.h"

namespace immudb::crypto {
namespace {

Bytes FromHex(const char* hex) {
  Bytes out;
  EXPECT_TRUE(HexDecode(hex, &out));
  return out;
}

TEST(Ecdsa, SignVerifyRoundTrip) {
  auto key = EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Bytes msg = ToBytes("db=defaultdb tx=42");
  auto sig = key->Sign(msg);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ((*sig)[0], 0x30);  // DER SEQUENCE
  EXPECT_TRUE(key->PublicKey().Verify(msg, *sig).ok());
  // Randomised nonces: a second signature differs and also verifies.
  auto sig2 = key->Sign(msg);
  ASSERT_TRUE(sig2.ok());
  EXPECT_NE(*sig, *sig2);
  EXPECT_TRUE(key->PublicKey().Verify(msg, *sig2).ok());
  // Signing a digest is signing the message.
  auto sig3 = key->SignDigest(Sha256(msg));
  ASSERT_TRUE(sig3.ok());
  EXPECT_TRUE(key->PublicKey().Verify(msg, *sig3).ok());
  EXPECT_TRUE(key->PublicKey().VerifyDigest(Sha256(msg), *sig).ok());
}

TEST(Ecdsa, TamperedMessageOrSignatureFails) {
  auto key = EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  Bytes msg = ToBytes("payload");
  Bytes sig = *key->Sign(msg);
  Bytes other = msg;
  other[0] ^= 1;
  EXPECT_EQ(key->PublicKey().Verify(other, sig).code(), Code::kTampered);
  for (size_t i : {size_t(5), sig.size() / 2, sig.size() - 1}) {
    Bytes bad = sig;
    bad[i] ^= 0x01;
    EXPECT_EQ(key->PublicKey().Verify(msg, bad).code(), Code::kTampered) << i;
  }
  EXPECT_EQ(key->PublicKey().Verify(msg, ByteView{}).code(), Code::kTampered);
  // Another key's signature does not verify.
  auto key2 = EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key2.ok());
  EXPECT_EQ(key2->PublicKey().Verify(msg, sig).code(), Code::kTampered);
  EXPECT_EQ(key2->PublicKey().VerifyDigest(Sha256(msg), sig).code(), Code::kTampered);
}

TEST(Ecdsa, VerifiesOpensslCommandLineSignature) {
  auto pub = EcdsaPublicKey::FromPem(test_keys::kP256Public);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  Bytes sig = FromHex(test_keys::kP256OpensslSignatureHex);
  EXPECT_TRUE(pub->Verify(AsBytes("immudb state payload"), sig).ok());
  EXPECT_FALSE(pub->Verify(AsBytes("immudb state payloaD"), sig).ok());
  EXPECT_EQ(HexEncode(pub->UncompressedPoint()), test_keys::kP256PointHex);
  auto from_point = EcdsaPublicKey::FromUncompressedPoint(FromHex(test_keys::kP256PointHex));
  ASSERT_TRUE(from_point.ok()) << from_point.status().ToString();
  EXPECT_TRUE(from_point->Verify(AsBytes("immudb state payload"), sig).ok());
  Bytes off_curve = FromHex(test_keys::kP256PointHex);
  off_curve[64] ^= 1;
  EXPECT_FALSE(EcdsaPublicKey::FromUncompressedPoint(off_curve).ok());
  EXPECT_FALSE(EcdsaPublicKey::FromUncompressedPoint(Bytes(33, 2)).ok());
}

TEST(Ecdsa, PemRoundTrip) {
  auto key = EcdsaPrivateKey::FromPem(test_keys::kP256Sec1);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto pem = key->ToPem();
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  EXPECT_NE(pem->find("-----BEGIN EC PRIVATE KEY-----"), std::string::npos) << *pem;
  auto again = EcdsaPrivateKey::FromPem(*pem);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicKey().UncompressedPoint(), key->PublicKey().UncompressedPoint());
  auto pub_pem = key->PublicKey().ToPem();
  ASSERT_TRUE(pub_pem.ok());
  EXPECT_EQ(*pub_pem, test_keys::kP256Public);
  // A signature by the reloaded key verifies with the original public key.
  Bytes sig = *again->Sign(AsBytes("m"));
  EXPECT_TRUE(EcdsaPublicKey::FromPem(*pub_pem)->Verify(AsBytes("m"), sig).ok());

  // Files: written 0600 and read back.
  std::string path = ::testing::TempDir() + "/ecdsa_test_key.pem";
  auto fresh = EcdsaPrivateKey::Generate();
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(fresh->ToPemFile(path).ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto loaded = EcdsaPrivateKey::FromPemFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->PublicKey().UncompressedPoint(), fresh->PublicKey().UncompressedPoint());
  std::remove(path.c_str());
  EXPECT_EQ(EcdsaPrivateKey::FromPemFile(path).status().code(), Code::kIoError);
}

TEST(Ecdsa, RefusesOtherKeys) {
  // Approved but not P-256: refused by the ECDSA P-256 API in every mode.
  auto p384 = EcdsaPrivateKey::FromPem(test_keys::kP384Sec1);
  ASSERT_FALSE(p384.ok());
  EXPECT_NE(p384.status().message().find("secp384r1"), std::string::npos)
      << p384.status().ToString();
  EXPECT_FALSE(EcdsaPrivateKey::FromPem("not a key").ok());
  EXPECT_FALSE(EcdsaPublicKey::FromPem(test_keys::kP256Sec1).ok());

  const bool fips = CurrentModule().mode != FipsMode::kOff;
  struct Case {
    const char* pem;
    const char* name;
  } cases[] = {{test_keys::kEd25519, "ED25519"},
               {test_keys::kRsa1024, "RSA-1024"},
               {test_keys::kSecp256k1Sec1, "secp256k1"}};
  for (const Case& c : cases) {
    auto k = EcdsaPrivateKey::FromPem(c.pem);
    ASSERT_FALSE(k.ok()) << c.name;
    EXPECT_NE(k.status().message().find(c.name), std::string::npos) << k.status().ToString();
    if (fips) {
      EXPECT_EQ(k.status().code(), Code::kCryptoError) << k.status().ToString();
      EXPECT_NE(k.status().message().find("refused in FIPS mode"), std::string::npos)
          << k.status().ToString();
    }
  }
  auto k1pub = EcdsaPublicKey::FromPem(test_keys::kSecp256k1Public);
  ASSERT_FALSE(k1pub.ok());
  EXPECT_NE(k1pub.status().message().find("secp256k1"), std::string::npos)
      << k1pub.status().ToString();
}

}  // namespace
}  // namespace immudb::crypto
