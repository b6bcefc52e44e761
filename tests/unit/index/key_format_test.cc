#include "index/key_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace immudb::index {
namespace {

TEST(KeyFormatTest, RoundTripsKeysWithZeroBytes) {
  std::vector<Bytes> keys = {{}, {0x00}, {0x00, 0x00}, {0x00, 0x01}, {0xFF}, {'a', 0x00, 'b'}};
  for (const Bytes& k : keys) {
    for (uint64_t tx : {1ull, 7ull, ~0ull >> 1}) {
      auto d = DecodeRecordKey(VersionKey(k, tx));
      ASSERT_TRUE(d.has_value());
      EXPECT_EQ(d->key, k);
      EXPECT_EQ(d->suffix, tx);
    }
    auto r = DecodeRecordKey(RevisionKey(k, 42));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->key, k);
    EXPECT_EQ(r->suffix, 42u);
  }
}

// The escaping, byte for byte (an index on disk depends on it): every zero byte of the key is
// followed by 0xFF, and 00 01 ends the key.
TEST(KeyFormatTest, EscapesZeroBytesExactly) {
  EXPECT_EQ(KeyRecordsPrefix(kVersionRecord, Bytes{}), (Bytes{kVersionRecord, 0x00, 0x01}));
  EXPECT_EQ(KeyRecordsPrefix(kVersionRecord, Bytes{'a', 'b'}),
            (Bytes{kVersionRecord, 'a', 'b', 0x00, 0x01}));
  EXPECT_EQ(KeyRecordsPrefix(kVersionRecord, Bytes{0x00, 'a', 0x00, 0x00}),
            (Bytes{kVersionRecord, 0x00, 0xFF, 'a', 0x00, 0xFF, 0x00, 0xFF, 0x00, 0x01}));
  EXPECT_EQ(KeyRecordsPrefix(kRevisionRecord, Bytes{0xFF, 0x00}),
            (Bytes{kRevisionRecord, 0xFF, 0x00, 0xFF, 0x00, 0x01}));
  Bytes out = {0x42};
  AppendEscapedKey(out, Bytes{'x', 0x00});
  EXPECT_EQ(out, (Bytes{0x42, 'x', 0x00, 0xFF, 0x00, 0x01}));
}

TEST(KeyFormatTest, PreservesKeyOrderAndPutsNewestVersionFirst) {
  std::vector<Bytes> keys = {{}, {0x00}, {0x00, 0x00}, {0x00, 0x01}, {0x01}, {'a'},
                             {'a', 0x00}, {'a', 0x00, 0x00}, {'a', 0x01}, {'a', 0xFF}, {'b'}, {0xFF}};
  ASSERT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  std::vector<Bytes> encoded;
  for (const Bytes& k : keys) {
    for (uint64_t tx : {9ull, 3ull, 1ull}) encoded.push_back(VersionKey(k, tx));
  }
  // The expected order: keys ascending, within a key tx descending.
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
}

TEST(KeyFormatTest, RejectsMalformedRecordKeys) {
  EXPECT_FALSE(DecodeRecordKey(Bytes{kVersionRecord, 'a'}).has_value());
  Bytes bad = {kVersionRecord, 'a', 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_FALSE(DecodeRecordKey(bad).has_value());
}

}  // namespace
}  // namespace immudb::index
