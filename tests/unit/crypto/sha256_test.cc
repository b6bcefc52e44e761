#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include "base/bytes.h"

namespace immudb::crypto {
namespace {

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(HexEncode(View(Sha256(AsBytes("")))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(View(Sha256(AsBytes("abc")))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(View(Sha256({AsBytes("a"), AsBytes("bc")}))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(EmptyDigest(), Sha256(ByteView{}));
}

}  // namespace
}  // namespace immudb::crypto
