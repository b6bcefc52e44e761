#include "crypto/hmac.h"

#include <gtest/gtest.h>

#include <string>

namespace immudb::crypto {
namespace {

struct Vector {
  Bytes key;
  Bytes data;
  const char* mac;
};

// RFC 4231 test cases 1-4, 6, 7 (case 5 is a truncated MAC).
std::vector<Vector> Rfc4231() {
  Bytes k4;
  for (int i = 1; i <= 25; ++i) k4.push_back(uint8_t(i));
  return {
      {Bytes(20, 0x0b), ToBytes("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {ToBytes("Jefe"), ToBytes("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Bytes(20, 0xaa), Bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {k4, Bytes(50, 0xcd), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {Bytes(131, 0xaa), ToBytes("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {Bytes(131, 0xaa),
       ToBytes("This is a test using a larger than block-size key and a larger than block-size "
               "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(HmacSha256, Rfc4231OneShot) {
  int i = 0;
  for (const Vector& v : Rfc4231()) {
    EXPECT_EQ(HexEncode(View(HmacSha256(v.key, v.data))), v.mac) << "case " << i;
    ++i;
  }
}

TEST(HmacSha256, Rfc4231Incremental) {
  for (const Vector& v : Rfc4231()) {
    HmacSha256Hasher h(v.key);
    for (size_t i = 0; i < v.data.size(); i += 7)
      h.Update(ByteView(v.data).subspan(i, std::min<size_t>(7, v.data.size() - i)));
    EXPECT_EQ(HexEncode(View(h.Final())), v.mac);
    // Final() restarts with the same key.
    h.Update(v.data);
    EXPECT_EQ(HexEncode(View(h.Final())), v.mac);
  }
}

TEST(HmacSha256, KeyMatters) {
  EXPECT_NE(HmacSha256(AsBytes("k1"), AsBytes("m")), HmacSha256(AsBytes("k2"), AsBytes("m")));
  EXPECT_NE(HmacSha256(AsBytes("k1"), AsBytes("m")), HmacSha256(AsBytes("k1"), AsBytes("n")));
  // An empty key is valid HMAC input.
  EXPECT_EQ(HexEncode(View(HmacSha256(ByteView{}, ByteView{}))),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace immudb::crypto
