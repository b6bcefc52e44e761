#include "crypto/random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

#include "crypto/constant_time.h"

namespace immudb::crypto {
namespace {

TEST(Random, BytesHaveTheLengthAndDiffer) {
  std::set<Bytes> seen;
  for (int i = 0; i < 100; ++i) {
    auto b = RandomBytes(16);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    ASSERT_EQ(b->size(), 16u);
    EXPECT_TRUE(seen.insert(*b).second) << "a 128-bit random value repeated";
  }
  EXPECT_TRUE(RandomBytes(0)->empty());
  // Larger than one DRBG request.
  auto big = RandomBytes((1 << 20) + 3);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size(), (1u << 20) + 3);
}

TEST(Random, BytesLookUniform) {
  // 64 KiB of output: every byte value appears, none wildly over-represented
  // (expected 256 each; the bound is > 10 standard deviations).
  auto b = RandomBytes(65536);
  ASSERT_TRUE(b.ok());
  std::array<int, 256> counts{};
  for (uint8_t x : *b) ++counts[x];
  for (int c : counts) {
    EXPECT_GT(c, 96);
    EXPECT_LT(c, 416);
  }
}

TEST(Random, Hex) {
  auto h = RandomHex(16);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->size(), 32u);
  EXPECT_EQ(h->find_first_not_of("0123456789abcdef"), std::string::npos) << *h;
  EXPECT_NE(*h, *RandomHex(16));
}

TEST(Random, FillSpan) {
  std::array<uint8_t, 64> buf{};
  ASSERT_TRUE(FillRandom(buf).ok());
  int zeros = 0;
  for (uint8_t x : buf) zeros += x == 0;
  EXPECT_LT(zeros, 16);
}

TEST(ConstantTime, Equal) {
  EXPECT_TRUE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abc")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abd")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("bbc")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abcd")));
  EXPECT_TRUE(ConstantTimeEqual(ByteView{}, ByteView{}));
  EXPECT_FALSE(ConstantTimeEqual(ByteView{}, AsBytes("a")));
  EXPECT_TRUE(ConstantTimeEqual(std::string_view("token"), std::string_view("token")));
  Bytes a(1000, 7), b(1000, 7);
  b[999] = 8;
  EXPECT_FALSE(ConstantTimeEqual(a, b));
  b[999] = 7;
  EXPECT_TRUE(ConstantTimeEqual(a, b));
}

}  // namespace
}  // namespace immudb::crypto
