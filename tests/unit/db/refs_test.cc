// References, sorted sets, ExecAll and transaction reads (TxById, TxScan, entry specs).
#include "db/encoding.h"
#include "db_test_util.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::DbTest;
using testing::KV;

Result<TxHeader> Ref(Database& db, std::string_view key, std::string_view target,
                     uint64_t at_tx = 0) {
  ReferenceRequest r;
  r.key = B(key);
  r.referenced_key = B(target);
  r.at_tx = at_tx;
  r.bound_ref = at_tx > 0;
  return db.SetReference(r);
}

Result<TxHeader> Zadd(Database& db, std::string_view set, double score, std::string_view key,
                      uint64_t at_tx = 0) {
  ZAddRequest z;
  z.set = B(set);
  z.score = score;
  z.key = B(key);
  z.at_tx = at_tx;
  z.bound_ref = at_tx > 0;
  return db.ZAdd(z);
}

TEST_F(DbTest, ReferencesResolveOnce) {
  Open();
  uint64_t t1 = Set("target", "v1");
  Set("target", "v2");
  auto h = Ref(*db_, "ref", "target");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto e = Get("ref");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(ToString(e->key), "target");
  EXPECT_EQ(ToString(e->value), "v2");
  EXPECT_EQ(e->revision, 2u);
  ASSERT_TRUE(e->referenced_by.has_value());
  EXPECT_EQ(ToString(e->referenced_by->key), "ref");
  EXPECT_EQ(e->referenced_by->tx, h->id);
  EXPECT_EQ(e->referenced_by->at_tx, 0u);
  EXPECT_EQ(e->referenced_by->revision, 1u);
  // Bound reference to the first version.
  ASSERT_TRUE(Ref(*db_, "bref", "target", t1).ok());
  e = Get("bref");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v1");
  EXPECT_EQ(e->tx, t1);
  // Store encoding of the reference entry.
  TxRequest tr;
  tr.tx = h->id;
  auto tx = db_->TxById(tr);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->entries.size(), 1u);
  EXPECT_EQ(tx->entries[0].key, EncodeKey(B("ref")));
  EXPECT_EQ(tx->entries[0].h_value, crypto::Sha256(EncodeReferenceValue(B("target"), 0)));
  EXPECT_FALSE(tx->entries[0].metadata.has_value());
  // Scan resolves references too.
  ScanRequest s;
  s.prefix = B("ref");
  auto sr = db_->Scan(s);
  ASSERT_TRUE(sr.ok());
  ASSERT_EQ(sr->size(), 1u);
  EXPECT_TRUE((*sr)[0].referenced_by.has_value());
}

TEST_F(DbTest, ReferenceRules) {
  Open();
  Set("plain", "v");
  Set("other", "w");
  ASSERT_TRUE(Ref(*db_, "ref", "plain").ok());
  // Target must exist.
  EXPECT_EQ(Ref(*db_, "r2", "missing").status().code(), Code::kNotFound);
  // Target must not be a reference.
  EXPECT_EQ(Ref(*db_, "r3", "ref").status().message(), "referenced key cannot be a reference");
  // A plain key cannot become a reference; a reference can be re-pointed.
  EXPECT_EQ(Ref(*db_, "plain", "other").status().message(),
            "final key cannot be converted into a reference");
  EXPECT_TRUE(Ref(*db_, "ref", "other").ok());
  auto e = Get("ref");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "w");
  // boundRef must match atTx.
  ReferenceRequest bad;
  bad.key = B("x");
  bad.referenced_key = B("plain");
  bad.bound_ref = true;
  EXPECT_EQ(db_->SetReference(bad).status().code(), Code::kInvalidArgument);
  bad.bound_ref = false;
  bad.at_tx = 1;
  EXPECT_EQ(db_->SetReference(bad).status().code(), Code::kInvalidArgument);
  bad.at_tx = 0;
  bad.key.clear();
  EXPECT_EQ(db_->SetReference(bad).status().code(), Code::kInvalidArgument);
}

TEST_F(DbTest, ReferenceToDeletedKey) {
  Open();
  uint64_t t = Set("target", "v");
  ASSERT_TRUE(Ref(*db_, "ref", "target").ok());
  ASSERT_TRUE(Ref(*db_, "bref", "target", t).ok());
  DeleteKeysRequest del;
  del.keys = {B("target")};
  ASSERT_TRUE(db_->Delete(del).ok());
  EXPECT_EQ(Get("ref").status().code(), Code::kNotFound);
  // The bound reference still reads the version it is bound to.
  auto e = Get("bref");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v");
  // Scans skip references whose target is gone.
  ScanRequest s;
  auto sr = db_->Scan(s);
  ASSERT_TRUE(sr.ok());
  ASSERT_EQ(sr->size(), 1u);
  EXPECT_EQ(ToString((*sr)[0].referenced_by->key), "bref");
}

TEST_F(DbTest, SortedSets) {
  Open();
  for (std::string k : {"a", "b", "c", "d"}) Set(k, "v" + k);
  ASSERT_TRUE(Zadd(*db_, "s", 3, "a").ok());
  ASSERT_TRUE(Zadd(*db_, "s", 1, "b").ok());
  ASSERT_TRUE(Zadd(*db_, "s", 2, "c").ok());
  ASSERT_TRUE(Zadd(*db_, "s", 2.5, "d", 4).ok());
  ASSERT_TRUE(Zadd(*db_, "other", 1, "a").ok());
  Set("d", "vd2");
  EXPECT_EQ(Zadd(*db_, "s", 1, "missing").status().code(), Code::kNotFound);
  ASSERT_TRUE(Ref(*db_, "ref", "a").ok());
  EXPECT_EQ(Zadd(*db_, "s", 1, "ref").status().message(), "referenced key cannot be a reference");
  ZAddRequest bad;
  bad.set = B("s");
  bad.key = B("a");
  bad.bound_ref = true;
  EXPECT_EQ(db_->ZAdd(bad).status().code(), Code::kInvalidArgument);

  auto zscan = [&](auto fill) {
    ZScanRequest r;
    r.set = B("s");
    fill(r);
    auto out = db_->ZScan(r);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    std::string s;
    for (auto& z : *out) {
      s += ToString(z.key) + ":" + std::to_string(int(z.score * 10)) + "=" +
           ToString(z.entry->value) + " ";
    }
    return s;
  };
  EXPECT_EQ(zscan([](ZScanRequest&) {}), "b:10=vb c:20=vc d:25=vd a:30=va ");
  EXPECT_EQ(zscan([](ZScanRequest& r) { r.desc = true; }), "a:30=va d:25=vd c:20=vc b:10=vb ");
  EXPECT_EQ(zscan([](ZScanRequest& r) { r.min_score = 2; }), "c:20=vc d:25=vd a:30=va ");
  EXPECT_EQ(zscan([](ZScanRequest& r) {
              r.min_score = 2;
              r.max_score = 2.5;
            }),
            "c:20=vc d:25=vd ");
  EXPECT_EQ(zscan([](ZScanRequest& r) {
              r.desc = true;
              r.max_score = 2.5;
            }),
            "d:25=vd c:20=vc b:10=vb ");
  EXPECT_EQ(zscan([](ZScanRequest& r) {
              r.limit = 2;
              r.offset = 1;
            }),
            "c:20=vc d:25=vd ");
  // Seek after member c (exclusive), as immudb's seekKey/seekScore/seekAtTx.
  EXPECT_EQ(zscan([](ZScanRequest& r) {
              r.seek_key = B("c");
              r.seek_score = 2;
            }),
            "d:25=vd a:30=va ");
  EXPECT_EQ(zscan([](ZScanRequest& r) {
              r.seek_key = B("c");
              r.seek_score = 2;
              r.inclusive_seek = true;
            }),
            "c:20=vc d:25=vd a:30=va ");
  ZScanRequest big;
  big.set = B("s");
  big.limit = 5000;
  EXPECT_FALSE(db_->ZScan(big).ok());
  ZScanRequest noset;
  EXPECT_EQ(db_->ZScan(noset).status().code(), Code::kInvalidArgument);
  // Deleted members disappear from the set.
  DeleteKeysRequest del;
  del.keys = {B("c")};
  ASSERT_TRUE(db_->Delete(del).ok());
  EXPECT_EQ(zscan([](ZScanRequest&) {}), "b:10=vb d:25=vd a:30=va ");
}

TEST_F(DbTest, ExecAll) {
  Open();
  Set("existing", "e");
  ExecAllRequest req;
  req.operations.push_back(KV("k1", "v1"));
  ReferenceRequest r;
  r.key = B("r1");
  r.referenced_key = B("k1");
  r.bound_ref = true;  // bound to the tx being committed
  req.operations.push_back(r);
  ZAddRequest z;
  z.set = B("s");
  z.score = 7;
  z.key = B("k1");
  z.bound_ref = true;
  req.operations.push_back(z);
  ZAddRequest z2;
  z2.set = B("s");
  z2.score = 1;
  z2.key = B("existing");
  req.operations.push_back(z2);
  auto h = db_->ExecAll(req);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->n_entries, 4u);
  TxRequest tr;
  tr.tx = h->id;
  auto tx = db_->TxById(tr);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->entries.size(), 4u);
  EXPECT_EQ(tx->entries[1].h_value, crypto::Sha256(EncodeReferenceValue(B("k1"), h->id)));
  EXPECT_EQ(tx->entries[2].key, EncodeZAddKey(B("s"), 7, B("k1"), h->id));
  auto e = Get("r1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(ToString(e->value), "v1");
  EXPECT_EQ(e->referenced_by->at_tx, h->id);
  ZScanRequest zs;
  zs.set = B("s");
  auto zr = db_->ZScan(zs);
  ASSERT_TRUE(zr.ok());
  ASSERT_EQ(zr->size(), 2u);
  EXPECT_EQ(ToString((*zr)[1].key), "k1");

  ExecAllRequest dup;
  dup.operations = {KV("a", "1"), KV("a", "2")};
  EXPECT_NE(db_->ExecAll(dup).status().message().find("duplicated keys"), std::string::npos);
  EXPECT_EQ(db_->ExecAll(ExecAllRequest{}).status().code(), Code::kInvalidArgument);
  ExecAllRequest missing;
  ZAddRequest zm;
  zm.set = B("s");
  zm.key = B("nope");
  missing.operations = {zm};
  EXPECT_EQ(db_->ExecAll(missing).status().code(), Code::kNotFound);
  ExecAllRequest nowait;
  nowait.no_wait = true;
  nowait.operations = {z2};
  EXPECT_EQ(db_->ExecAll(nowait).status().code(), Code::kInvalidArgument);
  ExecAllRequest pre;
  pre.operations = {KV("p", "1")};
  pre.preconditions = {Precondition::MustNotExist(B("k1"))};
  EXPECT_EQ(db_->ExecAll(pre).status().code(), Code::kFailedPrecondition);
}

TEST_F(DbTest, ConcurrentExecAllWithSelfBoundReferences) {
  Open();
  std::vector<std::thread> ts;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string k = "k" + std::to_string(t) + "_" + std::to_string(i);
        ExecAllRequest req;
        req.operations.push_back(KV(k, "v"));
        ReferenceRequest r;
        r.key = B("ref_" + k);
        r.referenced_key = B(k);
        r.bound_ref = true;
        req.operations.push_back(r);
        auto h = db_->ExecAll(req);
        if (!h.ok()) {
          ++failures;
          continue;
        }
        KeyRequest g;
        g.key = B("ref_" + k);
        auto e = db_->Get(g);
        if (!e.ok() || e->referenced_by->at_tx != h->id) ++failures;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(DbTest, TxByIdEntrySpecsAndTxScan) {
  Open();
  Set("a", "1");                        // tx 1
  ASSERT_TRUE(Zadd(*db_, "s", 1, "a").ok());  // tx 2
  SetRequest multi;
  multi.kvs = {KV("b", "2"), KV("c", "3")};
  ASSERT_TRUE(db_->Set(multi).ok());    // tx 3
  ASSERT_TRUE(Ref(*db_, "r", "a").ok());  // tx 4

  TxRequest raw;
  raw.tx = 3;
  auto tx = db_->TxById(raw);
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(tx->header.id, 3u);
  ASSERT_EQ(tx->entries.size(), 2u);
  EXPECT_EQ(tx->entries[0].key, EncodeKey(B("b")));
  EXPECT_EQ(tx->entries[0].v_len, 2);
  EXPECT_FALSE(tx->entries[0].value.has_value());
  EXPECT_TRUE(tx->kv_entries.empty());

  TxRequest rv = raw;
  rv.entries_spec = EntriesSpec{EntryTypeAction::kRawValue, std::nullopt, std::nullopt};
  tx = db_->TxById(rv);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->entries.size(), 2u);
  EXPECT_EQ(*tx->entries[1].value, EncodePlainValue(B("3")));

  TxRequest res;
  res.tx = 4;
  res.entries_spec = EntriesSpec{EntryTypeAction::kResolve, EntryTypeAction::kResolve,
                                 std::nullopt};
  tx = db_->TxById(res);
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE(tx->entries.empty());
  ASSERT_EQ(tx->kv_entries.size(), 1u);
  EXPECT_EQ(ToString(tx->kv_entries[0].value), "1");
  EXPECT_TRUE(tx->kv_entries[0].referenced_by.has_value());
  res.keep_references_unresolved = true;
  tx = db_->TxById(res);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->kv_entries.size(), 1u);
  EXPECT_TRUE(tx->kv_entries[0].value.empty());
  EXPECT_EQ(ToString(tx->kv_entries[0].key), "a");

  TxRequest z;
  z.tx = 2;
  z.entries_spec = EntriesSpec{EntryTypeAction::kExclude, EntryTypeAction::kResolve, std::nullopt};
  tx = db_->TxById(z);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->z_entries.size(), 1u);
  EXPECT_EQ(ToString(tx->z_entries[0].set), "s");
  EXPECT_EQ(ToString(tx->z_entries[0].key), "a");
  EXPECT_EQ(ToString(tx->z_entries[0].entry->value), "1");
  z.entries_spec = EntriesSpec{EntryTypeAction::kExclude, EntryTypeAction::kExclude, std::nullopt};
  tx = db_->TxById(z);
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE(tx->entries.empty() && tx->z_entries.empty());
  z.entries_spec = EntriesSpec{std::nullopt, EntryTypeAction::kOnlyDigest, std::nullopt};
  tx = db_->TxById(z);
  ASSERT_EQ(tx->entries.size(), 1u);

  TxRequest missing;
  missing.tx = 99;
  EXPECT_EQ(db_->TxById(missing).status().message(), "tx not found");

  TxScanRequest scan;
  scan.initial_tx = 2;
  auto txs = db_->TxScan(scan);
  ASSERT_TRUE(txs.ok());
  ASSERT_EQ(txs->size(), 3u);
  EXPECT_EQ((*txs)[0].header.id, 2u);
  scan.desc = true;
  scan.initial_tx = 3;
  scan.limit = 2;
  txs = db_->TxScan(scan);
  ASSERT_TRUE(txs.ok());
  ASSERT_EQ(txs->size(), 2u);
  EXPECT_EQ((*txs)[0].header.id, 3u);
  EXPECT_EQ((*txs)[1].header.id, 2u);
  scan.initial_tx = 0;
  EXPECT_EQ(db_->TxScan(scan).status().code(), Code::kInvalidArgument);
  scan.initial_tx = 1;
  scan.limit = 3000;
  EXPECT_FALSE(db_->TxScan(scan).ok());
}

}  // namespace
}  // namespace immudb::db
