// Header serialisation, inner hash, Alh and entry digests against PROTOCOL.md 7.1-7.4.
#include "ledger/tx.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ledger/ahtree.h"
#include "ledger/htree.h"
#include "test_util.h"

namespace immudb::ledger {
namespace {

using testing::D;
using testing::H;
using testing::Hex;
using testing::RawEntry;

Digest FirstByte(uint8_t b) {
  Digest d{};
  d[0] = b;
  return d;
}

TxHeader VectorHeader(int32_t version) {
  TxHeader h;
  h.id = 1;
  h.ts = 2;
  h.bl_tx_id = 3;
  h.bl_root = FirstByte(4);
  h.prev_alh = FirstByte(5);
  h.version = version;
  h.n_entries = 7;
  h.eh = FirstByte(8);
  return h;
}

constexpr char kV0Bytes[] =
    "0000000000000001 0500000000000000000000000000000000000000000000000000000000000000"
    "0000000000000002 0000 0007 0800000000000000000000000000000000000000000000000000000000000000"
    "0000000000000003 0400000000000000000000000000000000000000000000000000000000000000";
constexpr char kV1Bytes[] =
    "0000000000000001 0500000000000000000000000000000000000000000000000000000000000000"
    "0000000000000002 0001 0000 00000007 0800000000000000000000000000000000000000000000000000000000000000"
    "0000000000000003 0400000000000000000000000000000000000000000000000000000000000000";

TEST(TxHeaderTest, SerialisationVectors) {  // PROTOCOL.md 7.1
  Result<Bytes> v0 = VectorHeader(0).Serialize();
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(v0->size(), 124u);
  EXPECT_EQ(H(*v0), H(Hex(kV0Bytes)));
  Result<Bytes> v1 = VectorHeader(1).Serialize();
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->size(), 128u);
  EXPECT_EQ(H(*v1), H(Hex(kV1Bytes)));

  EXPECT_FALSE(VectorHeader(-1).Serialize().ok());
  EXPECT_FALSE(VectorHeader(2).Serialize().ok());
  EXPECT_FALSE(VectorHeader(2).Alh().ok());
}

TEST(TxHeaderTest, InnerHashAndAlhVectors) {  // PROTOCOL.md 7.1 [computed]
  TxHeader v0 = VectorHeader(0);
  EXPECT_EQ(H(v0.InnerHash().value()),
            "6cbad48f4c16a2030c9b3b81a9cece76210846bdc2093a8cf9a4e1044cd8c8aa");
  EXPECT_EQ(H(v0.Alh().value()), "d2e1f8985e449b9dbec77da9cf544931e8a9f44200c488112e19ea6717a316d3");
  // InnerHash = H(Bytes()[40:]).
  Bytes ser = v0.Serialize().value();
  EXPECT_EQ(crypto::Sha256(ByteView(ser).subspan(40)), v0.InnerHash().value());

  TxHeader v1 = VectorHeader(1);
  EXPECT_EQ(H(v1.InnerHash().value()),
            "f418fe9d179d2a85b485520de3e9f31311c298aefe2c0f6c83d06de1308037b5");
  EXPECT_EQ(H(v1.Alh().value()), "16d2e3f26c26225ac4a84fa3e7f34f0afda196979234c9e6d6be86118edcd459");

  v1.metadata = TxMetadata{.truncated_upto_tx = 5, .extra = ToBytes("abc")};
  EXPECT_EQ(v1.InnerPreimage()->size(), 88u + 15u);
  EXPECT_EQ(H(v1.InnerHash().value()),
            "2fdbe4e6df4724dfb9fb036bb303a927bb418569e53454c4dcfc938c20faf778");
  EXPECT_EQ(H(v1.Alh().value()), "59178390c91ac38fc3cc3cc109de9bfcf0870e55c314c97a6e381d2ee994d9ee");
  EXPECT_EQ(ChainAlh(v1.id, v1.prev_alh, v1.InnerHash().value()), v1.Alh().value());
}

TEST(TxHeaderTest, Version0Limits) {
  TxHeader h = VectorHeader(0);
  h.metadata.truncated_upto_tx = 1;
  EXPECT_FALSE(h.Validate().ok());
  EXPECT_FALSE(h.Alh().ok());
  h = VectorHeader(0);
  h.n_entries = 65536;
  EXPECT_FALSE(h.Validate().ok());
  h.version = 1;
  EXPECT_TRUE(h.Validate().ok());
  // u16(0) || u16(n) == u32(n): version 0 hashes equal the pre-1.2 layout.
  EXPECT_EQ(h.InnerPreimage()->size(), 88u);
  EXPECT_EQ(VectorHeader(0).InnerPreimage()->size(), 84u);
}

TEST(TxHeaderTest, ParseRoundTripsAndRejects) {
  for (int32_t v : {0, 1}) {
    TxHeader h = VectorHeader(v);
    if (v == 1) h.metadata = TxMetadata{.truncated_upto_tx = 9, .extra = ToBytes("xyz")};
    Bytes b = h.Serialize().value();
    Result<TxHeader> p = TxHeader::Parse(b);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(*p, h);
    for (size_t cut = 0; cut < b.size(); ++cut) {
      EXPECT_FALSE(TxHeader::Parse(ByteView(b).first(cut)).ok()) << cut;
    }
    Bytes longer = b;
    longer.push_back(0);
    EXPECT_FALSE(TxHeader::Parse(longer).ok());
  }
  Bytes bad = VectorHeader(1).Serialize().value();
  bad[8 + 32 + 8 + 1] = 2;  // version 2
  EXPECT_FALSE(TxHeader::Parse(bad).ok());
}

TEST(TxHeaderTest, JavaSdkVersion0Alh) {  // PROTOCOL.md 7.2
  TxHeader h;
  h.id = 1;
  h.ts = 1614009046;
  h.version = 0;
  h.n_entries = 1;
  h.prev_alh = GenesisAlh();
  h.eh = D("ae5a57418820b7202ce6d3c31506ea6078c9ecab57fce57b7d4c6ec51d3c18a8");
  EXPECT_EQ(H(h.Alh().value()), "7041f4e68a50d02561f6bb33d0da5b166704213343a3279aada4352e9fb8b250");
  EXPECT_EQ(H(GenesisAlh()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// PROTOCOL.md 7.3: a chain printed by a real immudb server.
TEST(TxHeaderTest, RealServerChain) {
  auto kv = [](const char* k, const char* v) {
    return RawEntry(Hex(std::string("00") + k), Hex(std::string("00") + v));
  };
  auto ref = [](const char* k, uint64_t at_tx, const char* target) {
    Bytes v{0x01};
    AppendU64(v, at_tx);
    v.push_back(0x00);
    Append(v, Hex(target));
    return RawEntry(Hex(std::string("00") + k), v);
  };
  auto zadd = [](const char* set, double score, const char* key, uint64_t at_tx) {
    Bytes s = Hex(set), k = Hex(key);
    Bytes sk{0x01};
    AppendU64(sk, s.size());
    Append(sk, s);
    uint64_t bits;
    std::memcpy(&bits, &score, 8);
    AppendU64(sk, bits);
    AppendU64(sk, k.size() + 1);
    sk.push_back(0x00);
    Append(sk, k);
    AppendU64(sk, at_tx);
    return RawEntry(sk, Bytes{});
  };
  const std::vector<std::vector<TxEntry>> txs = {
      {kv("00", "00"), kv("01", "01")},
      {kv("02", "02")},
      {ref("03", 2, "00")},
      {zadd("04", 3.0, "02", 0)},
      {kv("02", "06"), ref("03", 0, "02"), zadd("04", 9.0, "01", 0)},
  };
  EXPECT_EQ(H(txs[3][0].key),
            "010000000000000001044008000000000000000000000000000200020000000000000000");
  const char* kEh[] = {"036d4004b6a18c5ddc302e41ff5fca9cd0edd4e176ff7938064c3f61cfef7285",
                       "a2059bc2cb19de68965dbc7fb98feff98679853553fa73e2080f75febd929aaa",
                       "50334132a91405730232af6680340de3ea7bf038b6a7e3dcf5be171005386888",
                       "8a95fa6ff238dec5f53e6ffaa0f48aefb735fa2c73b0afec4623e36d9584488c",
                       "2323efc81288f5e2f0f84a94f67bb0c58b059343b5424d0f9df9d95f309b5c84"};
  for (size_t t = 0; t < txs.size(); ++t) {
    EXPECT_EQ(H(ComputeEh(1, txs[t]).value()), kEh[t]) << "tx " << t + 2;
  }
  // PrevAlh of tx 2..6 = Alh1..Alh5; BlRoot of tx n = ahtree root over Alh1..Alh(n-1).
  const char* kAlh[] = {"a3d25975995353504f9e68f9a71f29c3f3edfae277dc1640892c8ad44d5037cc",
                        "5eb8e56dda2639d845b81967ca5f39740adf983b552ac862b3f8d06a32e9110b",
                        "538bfc952db54204b1753ec778ffb503159d019fdcb1e54ca87a874cde76bbd1",
                        "ce6485bb06588c04b95dd11a21778ebc589a1d28bc995e1882a59fcc6e6ec469",
                        "f47486f86543b2726189ecbc3e90d8f7ca2a127f9ad4a1e432fb09d739c30ad3"};
  const char* kBlRoot[] = {"93c6a2ce298e92412ff4bbd79c15e11612321506b77e9d151aae0481e073bf4d",
                           "e758d91a3c0adee843fae2712ac081ff969fb92cfb50767825130302330c4163",
                           "fb63040a5d7c0820f0c1f9099d4d90471d292e27384a51cd03557dab83fa9425",
                           "243ab50a4f4b30095fbd2f171d080a2b383d878bfff793baa5887ea58154d37c",
                           "abe4211e62bd0e6528cf2c9426038a68d26cb3586b6037e395f9cd883e4c28a5"};
  ahtree::MemoryTree tree;
  for (int n = 0; n < 5; ++n) {
    ASSERT_TRUE(tree.Append(D(kAlh[n])).ok());
    EXPECT_EQ(H(tree.Root().value()), kBlRoot[n]) << "BlRoot of tx " << n + 2;
  }
  // Full Alh of tx 4 and tx 5 from their headers.
  for (uint64_t id : {4, 5}) {
    TxHeader h;
    h.id = id;
    h.ts = 1663281242;
    h.bl_tx_id = id - 1;
    h.bl_root = D(kBlRoot[id - 2]);
    h.prev_alh = D(kAlh[id - 2]);
    h.version = 1;
    h.n_entries = 1;
    h.eh = D(kEh[id - 2]);
    EXPECT_EQ(H(h.Alh().value()), kAlh[id - 1]) << "Alh" << id;
  }
}

TEST(EntryDigestTest, Vectors) {  // PROTOCOL.md 7.4
  const Bytes key1 = Hex("006b657931");
  const Bytes value1 = Hex("0076616c756531");
  const Digest hv = crypto::Sha256(value1);
  EXPECT_EQ(H(hv), "d7da3a95c85f6573d3e611bac5be34c478a4b7710e9eb0955ab99238f54ccb45");
  EXPECT_EQ(H(EntryDigest(1, key1, {}, hv).value()),
            "00eb1b3b3a9fc14cb200eb0750febd87aa1b24c09a4e197ec456caad53c2188a");
  EXPECT_EQ(H(EntryDigest(0, key1, {}, hv).value()),
            "91b6057a9072a58ab02d9a193a18ff2bf5bc92b9a6b897ecaf9f8223557b7e90");
  EXPECT_EQ(H(EntryDigestV0(key1, hv)),
            "91b6057a9072a58ab02d9a193a18ff2bf5bc92b9a6b897ecaf9f8223557b7e90");
  EXPECT_EQ(H(EntryDigest(1, key1, {.deleted = true}, crypto::EmptyDigest()).value()),
            "33912627fb487cb225fc16d07949adeeab8514e7da9093e9b20841c1601e04f1");
  EXPECT_EQ(H(EntryDigest(1, key1, {.expires_at = 1700000000}, hv).value()),
            "cc0a182af2541eea48bb5e34f07f495eec806b8b230ea86c186c5371c8f8f598");
  EXPECT_EQ(H(EntryDigest(1, key1, {.non_indexable = true}, hv).value()),
            "f4688b095829360c95a213f78684f77c36e790a5f10ec3b52f536b6b643027df");
  const Bytes ref1 = Hex("0072656631");
  EXPECT_EQ(H(RawEntry(ref1, Hex("010000000000000000006b657931")).ComputeDigest(1).value()),
            "030be547929fd14c1278019903d788f1966b2e5a4def4ed0cc529594f72d40c8");
  EXPECT_EQ(H(RawEntry(ref1, Hex("010000000000000005006b657931")).ComputeDigest(1).value()),
            "2f357b0903181559b0edcd52e47b58aadea76ffca1d6264bb968f60b8060fb92");
  const Bytes zkey =
      Hex("01 0000000000000004 73657431 3ff8000000000000 0000000000000005 006b657931 "
          "0000000000000000");
  EXPECT_EQ(H(RawEntry(zkey, {}).ComputeDigest(1).value()),
            "520c86e1f8bfd00af1103855b7eea924222829cc57ade7e9ff68d682cb7e205f");
}

TEST(EntryDigestTest, VersionRules) {  // PROTOCOL.md 7.8 (TestEntryMetadataWithVersions)
  TxEntry e = RawEntry(ToBytes("k"), ToBytes("v"), {.deleted = true});
  EXPECT_FALSE(e.ComputeDigest(0).ok());
  EXPECT_TRUE(e.ComputeDigest(1).ok());
  EXPECT_FALSE(ComputeEh(0, std::vector<TxEntry>{e}).ok());
  EXPECT_TRUE(ComputeEh(1, std::vector<TxEntry>{e}).ok());
  TxEntry plain = RawEntry(ToBytes("k"), ToBytes("v"));
  EXPECT_TRUE(ComputeEh(0, std::vector<TxEntry>{plain}).ok());
  EXPECT_TRUE(ComputeEh(1, std::vector<TxEntry>{plain}).ok());
  EXPECT_FALSE(plain.ComputeDigest(2).ok());
  EXPECT_FALSE(plain.ComputeDigest(-1).ok());
  // No entries: Eh = H("").
  EXPECT_EQ(ComputeEh(1, {}).value(), crypto::EmptyDigest());
  // Key longer than a u16 length cannot be digested under v1.
  EXPECT_FALSE(EntryDigestV1(Bytes(65536, 1), {}, crypto::EmptyDigest()).ok());
}

}  // namespace
}  // namespace immudb::ledger
