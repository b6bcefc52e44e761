#include "store/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace immudb::store::crc32c {
namespace {

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 B.4 and the usual check value.
  EXPECT_EQ(Value(AsBytes("123456789")), 0xE3069283u);
  uint8_t zeros[32] = {};
  EXPECT_EQ(Value(zeros, sizeof(zeros)), 0x8A9136AAu);
  uint8_t ones[32];
  std::fill(std::begin(ones), std::end(ones), 0xff);
  EXPECT_EQ(Value(ones, sizeof(ones)), 0x62A8AB43u);
  uint8_t inc[32];
  for (int i = 0; i < 32; ++i) inc[i] = uint8_t(i);
  EXPECT_EQ(Value(inc, sizeof(inc)), 0x46DD794Eu);
  EXPECT_EQ(Value(nullptr, 0), 0u);
}

TEST(Crc32cTest, HardwareAndPortableAgreeAndExtendComposes) {
  std::mt19937 rng(7);
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 1000u, 4099u}) {
    std::string s(n, '\0');
    for (char& c : s) c = char(rng());
    ByteView b = AsBytes(s);
    EXPECT_EQ(Value(b), ExtendPortable(0, b.data(), b.size())) << n;
    for (size_t cut = 0; cut <= n; cut += 1 + n / 5) {
      EXPECT_EQ(Extend(Value(b.data(), cut), b.data() + cut, n - cut), Value(b));
    }
  }
}

TEST(Crc32cTest, MaskRoundTripsAndDiffers) {
  uint32_t crc = Value(AsBytes("foo"));
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
}

}  // namespace
}  // namespace immudb::store::crc32c
