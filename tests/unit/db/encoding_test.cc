#include "db/encoding.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "ledger/tx.h"

namespace immudb::db {
namespace {

std::string Hex(ByteView b) { return HexEncode(b); }

// PROTOCOL.md 7.4: store encodings and their v1 digests.
TEST(EncodingTest, PlainKeyValueMatchesVectors) {
  EXPECT_EQ(Hex(EncodeKey(AsBytes("key1"))), "006b657931");
  Bytes v = EncodePlainValue(AsBytes("value1"));
  EXPECT_EQ(Hex(v), "0076616c756531");
  auto hv = crypto::Sha256(v);
  EXPECT_EQ(Hex(hv), "d7da3a95c85f6573d3e611bac5be34c478a4b7710e9eb0955ab99238f54ccb45");
  auto d1 = ledger::EntryDigest(1, EncodeKey(AsBytes("key1")), {}, hv);
  ASSERT_TRUE(d1.ok());
  EXPECT_EQ(Hex(*d1), "00eb1b3b3a9fc14cb200eb0750febd87aa1b24c09a4e197ec456caad53c2188a");
  auto d0 = ledger::EntryDigest(0, EncodeKey(AsBytes("key1")), {}, hv);
  ASSERT_TRUE(d0.ok());
  EXPECT_EQ(Hex(*d0), "91b6057a9072a58ab02d9a193a18ff2bf5bc92b9a6b897ecaf9f8223557b7e90");
}

TEST(EncodingTest, ReferenceMatchesVectors) {
  EXPECT_EQ(Hex(EncodeReferenceValue(AsBytes("key1"), 0)), "010000000000000000006b657931");
  Bytes v = EncodeReferenceValue(AsBytes("key1"), 5);
  EXPECT_EQ(Hex(v), "010000000000000005006b657931");
  auto d = ledger::EntryDigest(1, EncodeKey(AsBytes("ref1")), {}, crypto::Sha256(v));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Hex(*d), "2f357b0903181559b0edcd52e47b58aadea76ffca1d6264bb968f60b8060fb92");
  auto r = ParseReferenceValue(v);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at_tx, 5u);
  EXPECT_EQ(Hex(r->referenced_key), "006b657931");
  EXPECT_FALSE(ParseReferenceValue(Bytes{0x01, 0x00}).ok());
}

TEST(EncodingTest, ZAddKeyMatchesVector) {
  Bytes k = EncodeZAddKey(AsBytes("set1"), 1.5, AsBytes("key1"), 0);
  EXPECT_EQ(Hex(k),
            "01000000000000000473657431" "3ff8000000000000" "0000000000000005" "006b657931"
            "0000000000000000");
  auto d = ledger::EntryDigest(1, k, {}, crypto::Sha256(Bytes{}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Hex(*d), "520c86e1f8bfd00af1103855b7eea924222829cc57ade7e9ff68d682cb7e205f");
  auto z = ParseZAddKey(k);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->set, ToBytes("set1"));
  EXPECT_EQ(z->score, 1.5);
  EXPECT_EQ(Hex(z->member_key), "006b657931");
  EXPECT_EQ(z->at_tx, 0u);
  Bytes bad = k;
  bad.pop_back();
  EXPECT_FALSE(ParseZAddKey(bad).ok());
}

TEST(EncodingTest, DeleteAndMetadataDigests) {
  ledger::KvMetadata del;
  del.deleted = true;
  auto d = ledger::EntryDigest(1, EncodeKey(AsBytes("key1")), del, crypto::Sha256(Bytes{}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Hex(*d), "33912627fb487cb225fc16d07949adeeab8514e7da9093e9b20841c1601e04f1");
  ledger::KvMetadata exp;
  exp.expires_at = 1700000000;
  d = ledger::EntryDigest(1, EncodeKey(AsBytes("key1")), exp,
                          crypto::Sha256(EncodePlainValue(AsBytes("value1"))));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Hex(*d), "cc0a182af2541eea48bb5e34f07f495eec806b8b230ea86c186c5371c8f8f598");
}

}  // namespace
}  // namespace immudb::db
