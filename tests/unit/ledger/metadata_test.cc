#include "ledger/metadata.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::H;
using testing::Hex;

TEST(KvMetadataTest, EncodesAttributesInCodeOrder) {
  EXPECT_EQ(KvMetadata{}.Encode(), Bytes{});
  EXPECT_EQ(H(KvMetadata{.deleted = true}.Encode()), "00");
  EXPECT_EQ(H(KvMetadata{.expires_at = 1700000000}.Encode()), "01000000006553f100");
  EXPECT_EQ(H(KvMetadata{.non_indexable = true}.Encode()), "02");
  KvMetadata all{.deleted = true, .expires_at = 1700000000, .non_indexable = true};
  EXPECT_EQ(H(all.Encode()), "0001000000006553f10002");  // PROTOCOL.md 7.4, 11 bytes
  EXPECT_EQ(all.Encode().size(), KvMetadata::kMaxEncodedLen);
  // expiresAt set to 0 is still an attribute.
  EXPECT_EQ(H(KvMetadata{.expires_at = 0}.Encode()), "010000000000000000");
}

TEST(KvMetadataTest, ParseRoundTrips) {
  for (int mask = 0; mask < 8; ++mask) {
    KvMetadata md;
    md.deleted = mask & 1;
    if (mask & 2) md.expires_at = 0x0102030405060708ull;
    md.non_indexable = mask & 4;
    Result<KvMetadata> parsed = KvMetadata::Parse(md.Encode());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, md);
    EXPECT_EQ(parsed->IsEmpty(), mask == 0);
  }
}

TEST(KvMetadataTest, ParseRejectsBadInput) {
  for (const char* bad : {"03", "ff", "01", "0100000000", "0000", "0100000000000000000100000000000000"
                          "00", "0200", "0100000000000000010000"}) {
    EXPECT_FALSE(KvMetadata::Parse(Hex(bad)).ok()) << bad;
  }
}

TEST(TxMetadataTest, EncodesAndParses) {
  TxMetadata md{.truncated_upto_tx = 5, .extra = ToBytes("abc")};
  Result<Bytes> enc = md.Encode();
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(H(*enc), "000000000000000005010003616263");  // PROTOCOL.md 7.1
  Result<TxMetadata> parsed = TxMetadata::Parse(*enc);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, md);

  EXPECT_EQ(TxMetadata{}.Encode().value(), Bytes{});
  TxMetadata empty_extra{.extra = Bytes{}};
  EXPECT_EQ(H(empty_extra.Encode().value()), "010000");
  EXPECT_EQ(TxMetadata::Parse(Hex("010000")).value(), empty_extra);

  TxMetadata max{.truncated_upto_tx = 1, .extra = Bytes(256, 0xab)};
  ASSERT_TRUE(max.Encode().ok());
  EXPECT_EQ(max.Encode()->size(), TxMetadata::kMaxEncodedLen);
  EXPECT_EQ(TxMetadata::Parse(*max.Encode()).value(), max);
}

TEST(TxMetadataTest, RejectsBadInput) {
  TxMetadata too_long{.extra = Bytes(257, 0)};
  EXPECT_FALSE(too_long.Encode().ok());
  Bytes long_enc = Hex("010101");
  long_enc.resize(3 + 257);
  EXPECT_FALSE(TxMetadata::Parse(long_enc).ok());
  for (const char* bad : {"02", "00", "00000000", "01", "0100", "010003aabb",
                          "010000000000000000000005", "0000000000000000050000000000000000"
                          "05"}) {
    EXPECT_FALSE(TxMetadata::Parse(Hex(bad)).ok()) << bad;
  }
}

}  // namespace
}  // namespace immudb::ledger
