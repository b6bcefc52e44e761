// Database::ExportTx / ReplicateTx (the engine under exportTx / replicateTx and immuadmin's
// hot-backup / hot-restore): a replica fed every exported tx has identical headers, Alhs,
// proofs and reads, under header versions 0 and 1 and with entry and tx metadata; exported
// bytes that were altered, skip a tx, repeat one, or belong to another chain are refused
// naming the tx, with nothing committed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "base/bytes.h"
#include "db_test_util.h"
#include "ledger/tx_export.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::KV;

class ReplicationTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override { dir_ = testing::TempDirFor("replication"); }
  void TearDown() override {
    dbs_.clear();
    std::filesystem::remove_all(dir_);
  }
  Database* OpenDb(const std::string& name, uint32_t version) {
    auto r = Database::Open(name, dir_ + "/" + name, testing::TestSettings(version));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    dbs_.push_back(std::move(r).value());
    return dbs_.back().get();
  }
  static uint64_t SetMd(Database* db, std::string_view k, std::string_view v,
                        std::optional<KvMetadata> md) {
    SetRequest req;
    req.kvs.push_back({B(k), B(v), md});
    auto r = db->Set(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  }
  // A's transactions: values, metadata (v1), a reference, sorted-set members, a deletion, a
  // multi-op ExecAll and (v1) a tx with tx metadata written through the store.
  void Fill(Database* a, uint32_t version) {
    SetMd(a, "k1", "v1", std::nullopt);
    SetMd(a, "k2", "v2", std::nullopt);
    if (version == 1) {
      KvMetadata exp;
      exp.expires_at = 4102444800;  // 2100-01-01
      SetMd(a, "expiring", "e", exp);
      KvMetadata ni;
      ni.non_indexable = true;
      SetMd(a, "hidden", "h", ni);
      ledger::TxMetadata txmd;
      txmd.extra = B("tx-extra");
      store::CommitOptions co;
      co.metadata = txmd;
      auto r = a->store().Commit({store::EntryInput{Bytes{0x00, 'r', 'a', 'w'}, B("raw"), {}}}, co);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    ReferenceRequest ref;
    ref.key = B("r1");
    ref.referenced_key = B("k1");
    ASSERT_TRUE(a->SetReference(ref).ok());
    ZAddRequest z;
    z.set = B("set");
    z.key = B("k2");
    z.score = 2.5;
    ASSERT_TRUE(a->ZAdd(z).ok());
    if (version == 1) {  // deletion is entry metadata: version 1 only
      DeleteKeysRequest del;
      del.keys.push_back(B("k2"));
      ASSERT_TRUE(a->Delete(del).ok());
    }
    ExecAllRequest ex;
    ex.operations = {Op(KV("m1", "x")), Op(KV("m2", "y"))};
    ASSERT_TRUE(a->ExecAll(ex).ok());
    SetMd(a, "k1", "v1b", std::nullopt);
  }
  static void ReplicateAll(Database* from, Database* to) {
    for (uint64_t i = to->LastCommittedTx() + 1; i <= from->LastCommittedTx(); ++i) {
      auto bytes = from->ExportTx(i);
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      auto h = to->ReplicateTx(*bytes);
      ASSERT_TRUE(h.ok()) << "tx " << i << ": " << h.status().ToString();
      EXPECT_EQ(h->id, i);
    }
  }
  std::string dir_;
  std::vector<std::unique_ptr<Database>> dbs_;
};

TEST_P(ReplicationTest, ReplicaIsIdentical) {
  const uint32_t v = GetParam();
  Database* a = OpenDb("a", v);
  Fill(a, v);
  Database* b = OpenDb("b", v);
  ReplicateAll(a, b);
  const uint64_t n = a->LastCommittedTx();
  ASSERT_EQ(b->LastCommittedTx(), n);
  for (uint64_t i = 1; i <= n; ++i) {
    auto ta = a->store().ReadTx(i);
    auto tb = b->store().ReadTx(i);
    ASSERT_TRUE(ta.ok() && tb.ok());
    EXPECT_EQ(ta->header, tb->header) << "tx " << i;
    EXPECT_EQ(ta->alh, tb->alh) << "tx " << i;
    EXPECT_EQ(ta->entries, tb->entries) << "tx " << i;
    for (size_t e = 0; e < ta->entries.size(); ++e) {
      EXPECT_EQ(*a->store().ReadValue(ta->value_refs[e]), *b->store().ReadValue(tb->value_refs[e]));
    }
    EXPECT_EQ(*a->store().DualProof(i, n), *b->store().DualProof(i, n)) << "tx " << i;
    EXPECT_EQ(*a->ExportTx(i), *b->ExportTx(i));
  }
  EXPECT_EQ(a->CurrentState().tx_hash, b->CurrentState().tx_hash);
  if (v == 1) {
    auto txa = a->store().ReadTxHeader(5);
    ASSERT_TRUE(txa.ok());
    EXPECT_TRUE(txa->metadata.extra.has_value());
  }
  for (const char* k : {"k1", "r1", "m1", "m2", "expiring"}) {
    KeyRequest kr;
    kr.key = B(k);
    auto ea = a->Get(kr);
    auto eb = b->Get(kr);
    ASSERT_EQ(ea.ok(), eb.ok()) << k;
    if (!ea.ok()) continue;
    EXPECT_EQ(ea->value, eb->value) << k;
    EXPECT_EQ(ea->tx, eb->tx) << k;
    EXPECT_EQ(ea->revision, eb->revision) << k;
  }
  KeyRequest gone;
  gone.key = B("k2");
  EXPECT_EQ(b->Get(gone).ok(), v == 0);
  ZScanRequest zs;
  zs.set = B("set");
  auto za = a->ZScan(zs);
  auto zb = b->ZScan(zs);
  ASSERT_TRUE(za.ok() && zb.ok());
  EXPECT_EQ(za->size(), zb->size());
}

TEST_P(ReplicationTest, RefusesAlteredMissingRepeatedAndForeignTxs) {
  const uint32_t v = GetParam();
  Database* a = OpenDb("a", v);
  Fill(a, v);
  Database* b = OpenDb("b", v);
  ReplicateAll(a, b);  // b is a full replica; use a fresh one below
  Database* c = OpenDb("c", v);
  ASSERT_TRUE(c->ReplicateTx(*a->ExportTx(1)).ok());

  // A value byte changed: entries no longer hash to Eh. The search starts after the header
  // (u32 length || header): its hashes may happen to hold the bytes "v2" too.
  Bytes t2 = *a->ExportTx(2);
  ASSERT_GT(t2.size(), 4u);
  const size_t entries_at = 4 + GetU32(t2.data());
  ASSERT_LT(entries_at, t2.size());
  auto pos = std::search(t2.begin() + static_cast<ptrdiff_t>(entries_at), t2.end(),
                         std::begin("v2"), std::end("v2") - 1);
  ASSERT_NE(pos, t2.end());
  *pos ^= 0x01;
  auto r = c->ReplicateTx(t2);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("tx 2: entries do not hash"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(c->LastCommittedTx(), 1u);

  // Truncated bytes.
  Bytes t2ok = *a->ExportTx(2);
  r = c->ReplicateTx(ByteView(t2ok).first(t2ok.size() - 5));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();

  // A gap (tx 3 before tx 2) and a repeat (tx 1 again).
  r = c->ReplicateTx(*a->ExportTx(3));
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("tx 3 does not follow"), std::string::npos)
      << r.status().ToString();
  r = c->ReplicateTx(*a->ExportTx(1));
  EXPECT_EQ(r.status().code(), Code::kAlreadyExists) << r.status().ToString();
  EXPECT_EQ(c->LastCommittedTx(), 1u);

  // Another chain: d's tx 1 differs, so a's tx 2 does not chain onto it.
  Database* d = OpenDb("d", v);
  SetMd(d, "other", "chain", std::nullopt);
  r = d->ReplicateTx(*a->ExportTx(2));
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("tx 2: PrevAlh"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(d->LastCommittedTx(), 1u);

  // A header version the database does not write.
  Database* e = OpenDb("e", v == 1 ? 0 : 1);
  r = e->ReplicateTx(*a->ExportTx(1));
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("header version"), std::string::npos);

  // The valid tx still goes in afterwards.
  EXPECT_TRUE(c->ReplicateTx(t2ok).ok());
  EXPECT_EQ(c->LastCommittedTx(), 2u);
  EXPECT_EQ(c->CurrentState().tx_hash, b->store().ReadAlh(2).value());
}

TEST(ExportedTxFormatTest, RoundTripsAndRejectsTrailingBytes) {
  ledger::ExportedTx tx;
  tx.header.id = 7;
  tx.header.n_entries = 1;
  tx.header.version = 1;
  tx.entries.push_back({B("\x00key"), {}, B("value")});
  tx.entries[0].metadata.non_indexable = true;
  auto enc = ledger::EncodeExportedTx(tx);
  ASSERT_TRUE(enc.ok());
  auto dec = ledger::ParseExportedTx(*enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(dec->header, tx.header);
  EXPECT_EQ(dec->entries[0].value, B("value"));
  EXPECT_TRUE(dec->entries[0].metadata.non_indexable);
  Bytes extra = *enc;
  extra.push_back(0);
  EXPECT_EQ(ledger::ParseExportedTx(extra).status().code(), Code::kInvalidArgument);
  // The entries do not hash to the (zero) Eh of this made-up header.
  EXPECT_NE(ledger::CheckExportedEntries(*dec).message().find("tx 7: entries do not hash"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(HeaderVersions, ReplicationTest, ::testing::Values(0u, 1u));

}  // namespace
}  // namespace immudb::db
