#include "index/key_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace immudb::index {
namespace {

uint64_t H(uint64_t i) { return KeyFilter::Hash("key-" + std::to_string(i)); }

TEST(KeyFilterTest, NoFalseNegativesAcrossGrowthAndFewFalsePositives) {
  // 1024 keys per first segment, 300k keys: nine segments.
  KeyFilter f(1024, 64u << 20);
  constexpr uint64_t kKeys = 300000;
  for (uint64_t i = 0; i < kKeys; ++i) f.Add(H(i));
  EXPECT_FALSE(f.Disabled());
  EXPECT_EQ(f.keys_added(), kKeys);
  EXPECT_GE(f.segments(), 8u);
  for (uint64_t i = 0; i < kKeys; ++i) ASSERT_TRUE(f.MayContain(H(i))) << i;
  uint64_t fp = 0;
  constexpr uint64_t kProbes = 100000;
  for (uint64_t i = kKeys; i < kKeys + kProbes; ++i) fp += f.MayContain(H(i)) ? 1 : 0;
  // ~1-2 % per segment, fewer in the emptier newest segment.
  EXPECT_LT(fp, kProbes / 8) << fp << " false positives";
  EXPECT_GT(f.bytes(), kKeys * KeyFilter::kBitsPerKey / 8);
}

TEST(KeyFilterTest, OneSegmentFalsePositiveRate) {
  KeyFilter f(100000, 64u << 20);
  for (uint64_t i = 0; i < 100000; ++i) f.Add(H(i));
  EXPECT_EQ(f.segments(), 1u);
  uint64_t fp = 0;
  for (uint64_t i = 100000; i < 200000; ++i) fp += f.MayContain(H(i)) ? 1 : 0;
  EXPECT_LT(fp, 3000u) << fp << " false positives in 100000";
}

TEST(KeyFilterTest, GivesUpPastItsSizeInsteadOfForgetting) {
  // The first segment (1024 keys, 1280 bytes) fits, the second (2560 bytes) does not.
  KeyFilter f(1024, 2048);
  for (uint64_t i = 0; i < 1024; ++i) f.Add(H(i));
  EXPECT_FALSE(f.Disabled());
  EXPECT_FALSE(f.MayContain(H(999999)) && f.MayContain(H(999998)) && f.MayContain(H(999997)));
  f.Add(H(5000));
  EXPECT_TRUE(f.Disabled());
  EXPECT_EQ(f.bytes(), 0u);
  // Disabled: every answer is "maybe", including for keys it never saw.
  for (uint64_t i = 0; i < 10000; ++i) ASSERT_TRUE(f.MayContain(H(i)));
  KeyFilter none(1024, 100);
  EXPECT_TRUE(none.Disabled());
  EXPECT_TRUE(none.MayContain(H(1)));
}

}  // namespace
}  // namespace immudb::index
