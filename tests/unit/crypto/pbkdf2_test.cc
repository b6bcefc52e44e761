#include "crypto/pbkdf2.h"

#include <gtest/gtest.h>

#include "crypto/password_hash.h"

namespace immudb::crypto {
namespace {

const Bytes kSalt = ToBytes("saltSALTsaltSALT");  // 16 bytes

TEST(Pbkdf2, KnownAnswer) {
  // Computed independently with Python's hashlib.pbkdf2_hmac("sha256", ...).
  auto out = Pbkdf2HmacSha256(AsBytes("password"), kSalt, 1000, 32, kPbkdf2MinIterations);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(HexEncode(*out), "46f895baaa185f0265c1da708d799953de592f576c4538b7eba99ced700ee75b");
  // A prefix of the longer output, as PBKDF2 defines.
  auto shorter = Pbkdf2HmacSha256(AsBytes("password"), kSalt, 1000, 16, kPbkdf2MinIterations);
  ASSERT_TRUE(shorter.ok());
  EXPECT_EQ(HexEncode(*shorter), "46f895baaa185f0265c1da708d799953");
}

TEST(Pbkdf2, BoundsRefused) {
  // Salt shorter than 16 bytes.
  auto r = Pbkdf2HmacSha256(AsBytes("pw"), ToBytes("saltSALTsaltSAL"), 1000, 32, 1000);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("salt"), std::string::npos);
  // Output below 112 bits.
  r = Pbkdf2HmacSha256(AsBytes("pw"), kSalt, 1000, 13, 1000);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("output"), std::string::npos);
  EXPECT_TRUE(Pbkdf2HmacSha256(AsBytes("pw"), kSalt, 1000, 14, 1000).ok());
  // Too few iterations: the default floor is the password floor (600,000).
  r = Pbkdf2HmacSha256(AsBytes("pw"), kSalt, 599999, 32);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("iterations"), std::string::npos);
  r = Pbkdf2HmacSha256(AsBytes("pw"), kSalt, 999, 32, 999);  // floor below SP 800-132
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  r = Pbkdf2HmacSha256(AsBytes("pw"), kSalt, 999, 32, 1000);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(PasswordHash, VerifiesAKnownHash) {
  // Python: salt bytes 0..15, 600,000 iterations, 32 bytes.
  const char* stored =
      "pbkdf2-sha256$600000$AAECAwQFBgcICQoLDA0ODw==$7xdxRO7JQgy8EJPSqLNEqSvFBtDU7JwCjdGfgyTYweY=";
  auto ok = VerifyPassword("correct horse battery staple", stored);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(*ok);
  auto bad = VerifyPassword("correct horse battery stapler", stored);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(*bad);
}

TEST(PasswordHash, HashThenVerify) {
  auto h = HashPassword("s3cret!");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rfind("pbkdf2-sha256$600000$", 0), 0u) << *h;
  EXPECT_TRUE(*VerifyPassword("s3cret!", *h));
  EXPECT_FALSE(*VerifyPassword("s3cret?", *h));
  EXPECT_FALSE(*VerifyPassword("", *h));
  // Fresh salt each time.
  auto h2 = HashPassword("s3cret!");
  ASSERT_TRUE(h2.ok());
  EXPECT_NE(*h, *h2);
}

TEST(PasswordHash, RefusesWeakParameters) {
  PasswordHashParams p;
  p.iterations = 100000;
  EXPECT_EQ(HashPassword("pw", p).status().code(), Code::kInvalidArgument);
  p = {};
  p.salt_size = 8;
  EXPECT_EQ(HashPassword("pw", p).status().code(), Code::kInvalidArgument);
  p = {};
  p.hash_size = 8;
  EXPECT_EQ(HashPassword("pw", p).status().code(), Code::kInvalidArgument);
  // A stored hash below the bounds is refused, not accepted.
  EXPECT_EQ(VerifyPassword("pw", "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$"
                                 "7xdxRO7JQgy8EJPSqLNEqSvFBtDU7JwCjdGfgyTYweY=")
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(VerifyPassword("pw", "pbkdf2-sha256$600000$AAECAwQFBgc=$"
                                 "7xdxRO7JQgy8EJPSqLNEqSvFBtDU7JwCjdGfgyTYweY=")
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST(PasswordHash, RefusesMalformedStrings) {
  for (const char* s : {"", "bcrypt$2a$10$xyz", "pbkdf2-sha256$600000$AAEC",
                        "pbkdf2-sha256$abc$AAECAwQFBgcICQoLDA0ODw==$AAAA",
                        "pbkdf2-sha256$0600000$AAECAwQFBgcICQoLDA0ODw==$AAAAAAAAAAAAAAAAAAAA",
                        "pbkdf2-sha256$600000$AAECAwQFBgcICQoLDA0ODw$AAAA",
                        "pbkdf2-sha256$600000$AAECAwQFBgcICQoLDA0ODw==$AA*A",
                        "md5$600000$AAECAwQFBgcICQoLDA0ODw==$AAAA",
                        "pbkdf2-sha256$4000000000$AAECAwQFBgcICQoLDA0ODw==$"
                        "7xdxRO7JQgy8EJPSqLNEqSvFBtDU7JwCjdGfgyTYweY="}) {
    EXPECT_EQ(VerifyPassword("pw", s).status().code(), Code::kInvalidArgument) << s;
  }
}

}  // namespace
}  // namespace immudb::crypto
