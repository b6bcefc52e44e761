#include "crypto/provider_context.h"

#include <gtest/gtest.h>

#include "crypto/ecdsa.h"
#include "crypto/hmac.h"
#include "crypto/sha256.h"

namespace immudb::crypto {
namespace {

TEST(ProviderContext, DefaultAndFipsSideBySide) {
  auto def = ProviderContext::Open({FipsMode::kOff, ""});
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  auto fips = ProviderContext::Open({FipsMode::kOn, ""});
  ASSERT_TRUE(fips.ok()) << fips.status().ToString();
  EXPECT_EQ((*def)->provider_name(), "OpenSSL Default Provider");
  EXPECT_EQ((*fips)->provider_name(), "OpenSSL FIPS Provider");
  EXPECT_EQ((*fips)->mode(), FipsMode::kOn);

  Bytes data = ToBytes("same answer from both providers");
  EXPECT_EQ(Sha256(**def, data), Sha256(**fips, data));
  EXPECT_EQ(Sha256(**def, data), Sha256(data));
  EXPECT_EQ(HmacSha256(**def, AsBytes("k"), data), HmacSha256(**fips, AsBytes("k"), data));
  EXPECT_EQ(HmacSha256(**fips, AsBytes("k"), data), HmacSha256(AsBytes("k"), data));
  Sha256Hasher h(fips->get());
  h.Update(data);
  EXPECT_EQ(h.Final(), Sha256(data));

  for (ProviderContext* pc : {def->get(), fips->get()}) {
    auto key = EcdsaPrivateKey::Generate(pc);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Bytes sig = *key->Sign(data);
    EXPECT_TRUE(key->PublicKey().Verify(data, sig).ok());
    // The signature is standard: the process context verifies it too.
    auto pub = EcdsaPublicKey::FromUncompressedPoint(key->PublicKey().UncompressedPoint());
    ASSERT_TRUE(pub.ok());
    EXPECT_TRUE(pub->Verify(data, sig).ok());
  }
}

TEST(ProviderContext, BadModuleDirIsAClearError) {
  auto r = ProviderContext::Open({FipsMode::kOn, "/nonexistent/fips"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("FIPS module not found: /nonexistent/fips/fips.so"),
            std::string::npos)
      << r.status().ToString();
}

TEST(ProviderContext, StrictRefusesUnlistedVersion) {
  auto r = ProviderContext::Open({FipsMode::kStrict, ""});
  auto on = ProviderContext::Open({FipsMode::kOn, ""});
  ASSERT_TRUE(on.ok());
  if ((*on)->provider_version() == "3.1.2") {
    EXPECT_TRUE(r.ok());
  } else {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("not a validated version"), std::string::npos)
        << r.status().ToString();
  }
}

}  // namespace
}  // namespace immudb::crypto
