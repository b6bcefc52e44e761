// Plain key-value operations of Database: set, get (atTx, sinceTx, atRevision), getAll,
// delete, expiration, non-indexable entries, preconditions, history, scan, count, limits.
#include <set>

#include "db/errors.h"
#include "db_test_util.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::DbTest;
using testing::KV;
using testing::TestSettings;

std::vector<std::string> Keys(const std::vector<Entry>& es) {
  std::vector<std::string> out;
  for (auto& e : es) out.push_back(ToString(e.key));
  return out;
}

TEST_F(DbTest, SetGetAndMultiKeyTx) {
  Open();
  EXPECT_EQ(db_->CurrentState().tx_id, 0u);
  SetRequest req;
  req.kvs = {KV("a", "1"), KV("b", "2"), KV("c", "")};
  auto hdr = db_->Set(req);
  ASSERT_TRUE(hdr.ok()) << hdr.status().ToString();
  EXPECT_EQ(hdr->id, 1u);
  EXPECT_EQ(hdr->n_entries, 3u);
  EXPECT_EQ(hdr->version, 1);
  auto e = Get("b");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "2");
  EXPECT_EQ(e->tx, 1u);
  EXPECT_EQ(e->revision, 1u);
  EXPECT_FALSE(e->metadata.has_value());
  e = Get("c");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->value.empty());
  auto st = db_->CurrentState();
  EXPECT_EQ(st.tx_id, 1u);
  EXPECT_EQ(st.db, "defaultdb");
}

TEST_F(DbTest, SetRejectsBadInput) {
  Open();
  SetRequest dup;
  dup.kvs = {KV("a", "1"), KV("a", "2")};
  auto r = db_->Set(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("duplicated keys"), std::string::npos);
  SetRequest empty_key;
  empty_key.kvs = {KV("", "1")};
  EXPECT_EQ(db_->Set(empty_key).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(db_->Set(SetRequest{}).status().code(), Code::kInvalidArgument);
  // Whichever fault comes first in the request is reported.
  SetRequest dup_then_empty;
  dup_then_empty.kvs = {KV("a", "1"), KV("b", "1"), KV("a", "2"), KV("", "3")};
  EXPECT_NE(db_->Set(dup_then_empty).status().message().find("duplicated keys"),
            std::string::npos);
  SetRequest empty_then_dup;
  empty_then_dup.kvs = {KV("a", "1"), KV("", "2"), KV("a", "3")};
  auto e = db_->Set(empty_then_dup);
  EXPECT_EQ(e.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(e.status().message().find("duplicated keys"), std::string::npos);
  SetRequest many;  // a duplicate far apart among many distinct keys
  for (int i = 0; i < 500; ++i) many.kvs.push_back(KV("k" + std::to_string(i), "v"));
  many.kvs.push_back(KV("k17", "again"));
  EXPECT_NE(db_->Set(many).status().message().find("duplicated keys"), std::string::npos);
  many.kvs.pop_back();
  many.kvs.push_back(KV(std::string("k17\0", 4), "prefix-extended, distinct"));
  EXPECT_TRUE(db_->Set(many).ok());
  EXPECT_EQ(db_->CurrentState().tx_id, 1u);
}

TEST_F(DbTest, KeyAndValueLimits) {
  Open();
  // Max key length (1024) counts the store key, prefix byte included.
  std::string k1023(1023, 'k'), k1024(1024, 'k');
  EXPECT_GT(Set(k1023, "v"), 0u);
  SetRequest too_long;
  too_long.kvs = {KV(k1024, "v")};
  auto r = db_->Set(too_long);
  EXPECT_EQ(r.status().message(), "max key length exceeded");
  auto e = Get(k1023);
  ASSERT_TRUE(e.ok());
  // Binary keys with zero bytes.
  std::string zk("\0\0a\0", 4);
  EXPECT_GT(Set(zk, "zero"), 0u);
  e = Get(zk);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "zero");
  EXPECT_EQ(Get(std::string("\0\0a", 3)).status().code(), Code::kNotFound);
  // 32 MiB store values: the user value plus its prefix byte must fit.
  std::string big((32u << 20) - 1, 'x');
  big[12345] = 'y';
  EXPECT_GT(Set("big", big), 0u);
  e = Get("big");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->value.size(), big.size());
  EXPECT_EQ(e->value[12345], 'y');
  SetRequest too_big;
  too_big.kvs = {KV("big2", std::string(32u << 20, 'x'))};
  EXPECT_EQ(db_->Set(too_big).status().message(), "max value length exceeded");
}

TEST_F(DbTest, GetAtTxSinceTxAndErrors) {
  Open();
  Set("k", "v1");          // tx 1
  Set("other", "x");       // tx 2
  Set("k", "v2");          // tx 3
  KeyRequest req;
  req.key = B("k");
  req.at_tx = 1;
  auto e = db_->Get(req);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v1");
  EXPECT_EQ(e->tx, 1u);
  EXPECT_EQ(e->revision, 0u);
  req.at_tx = 2;  // k is not in tx 2
  EXPECT_EQ(db_->Get(req).status().code(), Code::kNotFound);
  req.at_tx = 99;
  EXPECT_EQ(db_->Get(req).status().message(), "tx not found");
  req.at_tx = 1;
  req.since_tx = 1;
  EXPECT_EQ(db_->Get(req).status().code(), Code::kInvalidArgument);
  req.since_tx = 0;
  req.at_revision = 1;
  EXPECT_EQ(db_->Get(req).status().code(), Code::kInvalidArgument);
  KeyRequest since;
  since.key = B("k");
  since.since_tx = 4;
  EXPECT_EQ(db_->Get(since).status().code(), Code::kInvalidArgument);
  since.since_tx = 3;
  e = db_->Get(since);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v2");
  EXPECT_EQ(e->revision, 2u);
  KeyRequest empty;
  EXPECT_EQ(db_->Get(empty).status().code(), Code::kInvalidArgument);
  auto missing = Get("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("key not found"), std::string::npos);
}

TEST_F(DbTest, Revisions) {
  Open();
  for (int i = 1; i <= 5; ++i) Set("k", "v" + std::to_string(i));
  auto at = [&](int64_t rev) {
    KeyRequest r;
    r.key = B("k");
    r.at_revision = rev;
    return db_->Get(r);
  };
  for (int i = 1; i <= 5; ++i) {
    auto e = at(i);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(ToString(e->value), "v" + std::to_string(i));
    EXPECT_EQ(e->revision, uint64_t(i));
  }
  auto e = at(-1);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v4");
  EXPECT_EQ(e->revision, 4u);
  e = at(-4);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "v1");
  EXPECT_EQ(at(6).status().message(), "invalid key revision number");
  EXPECT_EQ(at(-5).status().message(), "invalid key revision number");
  EXPECT_EQ(at(-100).status().message(), "invalid key revision number");
  KeyRequest unknown;
  unknown.key = B("unknown");
  unknown.at_revision = 1;
  EXPECT_EQ(db_->Get(unknown).status().code(), Code::kNotFound);
}

TEST_F(DbTest, DeleteIsLogical) {
  Open();
  Set("k", "v1");
  Set("j", "x");
  DeleteKeysRequest del;
  del.keys = {B("k")};
  auto h = db_->Delete(del);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(Get("k").status().code(), Code::kNotFound);
  EXPECT_NE(Get("k").status().message().find("key not found"), std::string::npos);
  // The delete entry: empty store value, md {deleted}.
  TxRequest tr;
  tr.tx = h->id;
  auto tx = db_->TxById(tr);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->entries.size(), 1u);
  EXPECT_EQ(tx->entries[0].v_len, 0);
  EXPECT_EQ(tx->entries[0].h_value, crypto::EmptyDigest());
  ASSERT_TRUE(tx->entries[0].metadata.has_value());
  EXPECT_TRUE(tx->entries[0].metadata->deleted);
  // Deleting again (or a missing key) fails and commits nothing.
  uint64_t before = db_->CurrentState().tx_id;
  EXPECT_EQ(db_->Delete(del).status().code(), Code::kNotFound);
  del.keys = {B("never")};
  EXPECT_EQ(db_->Delete(del).status().code(), Code::kNotFound);
  EXPECT_EQ(db_->CurrentState().tx_id, before);
  // Old versions stay readable by tx and by revision; the deleted revision is not found.
  KeyRequest at;
  at.key = B("k");
  at.at_tx = 1;
  EXPECT_TRUE(db_->Get(at).ok());
  KeyRequest rev;
  rev.key = B("k");
  rev.at_revision = 2;
  EXPECT_EQ(db_->Get(rev).status().code(), Code::kNotFound);
  // Set after delete revives it with the next revision.
  Set("k", "v3");
  auto e = Get("k");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->revision, 3u);
}

TEST_F(DbTest, DeleteUnsupportedInHeaderVersion0) {
  Open(TestSettings(0));
  Set("k", "v");
  DeleteKeysRequest del;
  del.keys = {B("k")};
  EXPECT_FALSE(db_->Delete(del).ok());
  EXPECT_TRUE(Get("k").ok());
}

TEST_F(DbTest, Expiration) {
  Open();
  uint64_t now = NowUnixSeconds();
  SetRequest req;
  KeyValue past = KV("expired", "x");
  past.metadata = KvMetadata{};
  past.metadata->expires_at = now - 10;
  KeyValue future = KV("fresh", "y");
  future.metadata = KvMetadata{};
  future.metadata->expires_at = now + 3600;
  req.kvs = {past, future};
  auto h = db_->Set(req);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto e = Get("expired");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("key not found"), std::string::npos);
  KeyRequest at;
  at.key = B("expired");
  at.at_tx = h->id;
  EXPECT_EQ(db_->Get(at).status().code(), Code::kNotFound);
  e = Get("fresh");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->metadata.has_value());
  EXPECT_EQ(e->metadata->expires_at.value_or(0), now + 3600);
  // History shows the expired version without its value.
  HistoryRequest hr;
  hr.key = B("expired");
  auto hist = db_->History(hr);
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_TRUE((*hist)[0].expired);
  EXPECT_TRUE((*hist)[0].value.empty());
  // Expired keys cannot be deleted and do not satisfy mustExist.
  DeleteKeysRequest del;
  del.keys = {B("expired")};
  EXPECT_EQ(db_->Delete(del).status().code(), Code::kNotFound);
}

TEST_F(DbTest, NonIndexableEntries) {
  Open();
  Set("k", "indexed");
  SetRequest req;
  KeyValue kv = KV("k", "hidden");
  kv.metadata = KvMetadata{};
  kv.metadata->non_indexable = true;
  KeyValue kv2 = KV("only_hidden", "h");
  kv2.metadata = kv.metadata;
  req.kvs = {kv, kv2};
  auto h = db_->Set(req);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto e = Get("k");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "indexed");
  EXPECT_EQ(Get("only_hidden").status().code(), Code::kNotFound);
  KeyRequest at;
  at.key = B("only_hidden");
  at.at_tx = h->id;
  e = db_->Get(at);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "h");
  ScanRequest sr;
  auto s = db_->Scan(sr);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Keys(*s), (std::vector<std::string>{"k"}));
}

TEST_F(DbTest, Preconditions) {
  Open();
  Set("a", "1");  // tx 1
  auto set_with = [&](std::string_view k, Precondition p) {
    SetRequest req;
    req.kvs = {KV(k, "x")};
    req.preconditions = {std::move(p)};
    return db_->Set(req);
  };
  auto r = set_with("b", Precondition::MustExist(B("a")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();  // tx 2
  r = set_with("b", Precondition::MustExist(B("zzz")));
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "precondition failed");
  r = set_with("c", Precondition::MustNotExist(B("a")));
  EXPECT_EQ(r.status().message(), "precondition failed");
  r = set_with("c", Precondition::MustNotExist(B("c")));
  ASSERT_TRUE(r.ok());  // tx 3
  r = set_with("a", Precondition::NotModifiedAfterTx(B("a"), 1));
  ASSERT_TRUE(r.ok());  // tx 4, a modified at 4
  r = set_with("a", Precondition::NotModifiedAfterTx(B("a"), 3));
  EXPECT_EQ(r.status().message(), "precondition failed");
  r = set_with("a", Precondition::NotModifiedAfterTx(B("never_written"), 1));
  EXPECT_TRUE(r.ok());  // tx 5
  // A deleted key does not exist, and a deletion counts as a modification.
  DeleteKeysRequest del;
  del.keys = {B("c")};
  auto d = db_->Delete(del);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(set_with("x", Precondition::MustExist(B("c"))).status().code(),
            Code::kFailedPrecondition);
  EXPECT_TRUE(set_with("x", Precondition::MustNotExist(B("c"))).ok());
  EXPECT_EQ(set_with("x", Precondition::NotModifiedAfterTx(B("c"), d->id - 1)).status().code(),
            Code::kFailedPrecondition);
  // Invalid preconditions.
  EXPECT_EQ(set_with("x", Precondition::MustExist(Bytes{})).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(set_with("x", Precondition::NotModifiedAfterTx(B("a"), 0)).status().code(),
            Code::kInvalidArgument);
  // Nothing was written by failing requests.
  uint64_t last = db_->CurrentState().tx_id;
  EXPECT_FALSE(set_with("y", Precondition::MustExist(B("nope"))).ok());
  EXPECT_EQ(db_->CurrentState().tx_id, last);
  EXPECT_EQ(Get("y").status().code(), Code::kNotFound);
}

TEST_F(DbTest, ConcurrentPreconditionsAdmitExactlyOneWriter) {
  Open();
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) {
    ts.emplace_back([&, i] {
      SetRequest req;
      req.kvs = {KV("lock", std::to_string(i))};
      req.preconditions = {Precondition::MustNotExist(B("lock"))};
      if (db_->Set(req).ok()) ++ok;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 1);
}

TEST_F(DbTest, GetAll) {
  Open();
  Set("a", "1");
  Set("b", "2");
  KeyListRequest req;
  req.keys = {B("a"), B("missing"), B("b")};
  auto r = db_->GetAll(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Keys(*r), (std::vector<std::string>{"a", "b"}));
}

TEST_F(DbTest, History) {
  Open();
  for (int i = 1; i <= 6; ++i) Set("k", "v" + std::to_string(i));
  DeleteKeysRequest del;
  del.keys = {B("k")};
  ASSERT_TRUE(db_->Delete(del).ok());
  HistoryRequest hr;
  hr.key = B("k");
  auto h = db_->History(hr);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 7u);
  EXPECT_EQ(ToString((*h)[0].value), "v1");
  EXPECT_EQ((*h)[0].revision, 1u);
  EXPECT_TRUE((*h)[6].metadata.has_value() && (*h)[6].metadata->deleted);
  EXPECT_TRUE((*h)[6].value.empty());
  hr.offset = 2;
  hr.limit = 2;
  h = db_->History(hr);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(ToString((*h)[0].value), "v3");
  EXPECT_EQ((*h)[1].revision, 4u);
  hr.desc = true;
  hr.offset = 1;
  hr.limit = 2;
  h = db_->History(hr);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(ToString((*h)[0].value), "v6");
  EXPECT_EQ((*h)[0].revision, 6u);
  hr.limit = 2501;
  EXPECT_NE(db_->History(hr).status().message().find("result size limit exceeded"),
            std::string::npos);
  hr.limit = 0;
  hr.offset = 100;
  h = db_->History(hr);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->empty());
  hr.since_tx = 100;
  EXPECT_EQ(db_->History(hr).status().code(), Code::kInvalidArgument);
}

TEST_F(DbTest, ScanBoundsOrderAndFilters) {
  Open();
  for (std::string k : {"a1", "a2", "a3", "a4", "b1", "b2", "c"}) Set(k, "v-" + k);
  DeleteKeysRequest del;
  del.keys = {B("a2")};
  ASSERT_TRUE(db_->Delete(del).ok());
  SetRequest exp;
  KeyValue kv = KV("a3", "gone");
  kv.metadata = KvMetadata{};
  kv.metadata->expires_at = NowUnixSeconds() - 1;
  exp.kvs = {kv};
  ASSERT_TRUE(db_->Set(exp).ok());
  auto scan = [&](auto fill) {
    ScanRequest r;
    fill(r);
    auto out = db_->Scan(r);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? Keys(*out) : std::vector<std::string>{};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(scan([](ScanRequest&) {}), (V{"a1", "a4", "b1", "b2", "c"}));
  EXPECT_EQ(scan([](ScanRequest& r) { r.prefix = B("a"); }), (V{"a1", "a4"}));
  EXPECT_EQ(scan([](ScanRequest& r) { r.desc = true; }), (V{"c", "b2", "b1", "a4", "a1"}));
  EXPECT_EQ(scan([](ScanRequest& r) { r.seek_key = B("a4"); }), (V{"b1", "b2", "c"}));
  EXPECT_EQ(scan([](ScanRequest& r) {
              r.seek_key = B("a4");
              r.inclusive_seek = true;
            }),
            (V{"a4", "b1", "b2", "c"}));
  EXPECT_EQ(scan([](ScanRequest& r) {
              r.end_key = B("b2");
            }),
            (V{"a1", "a4", "b1"}));
  EXPECT_EQ(scan([](ScanRequest& r) {
              r.end_key = B("b2");
              r.inclusive_end = true;
            }),
            (V{"a1", "a4", "b1", "b2"}));
  EXPECT_EQ(scan([](ScanRequest& r) {
              r.desc = true;
              r.seek_key = B("b2");
              r.end_key = B("a1");
            }),
            (V{"b1", "a4"}));
  EXPECT_EQ(scan([](ScanRequest& r) {
              r.limit = 2;
              r.offset = 1;
            }),
            (V{"a4", "b1"}));
  EXPECT_EQ(scan([](ScanRequest& r) { r.prefix = B("zz"); }), (V{}));
  ScanRequest big;
  big.limit = 2501;
  EXPECT_NE(db_->Scan(big).status().message().find("result size limit exceeded"),
            std::string::npos);
  ScanRequest since;
  since.since_tx = 1000;
  EXPECT_EQ(db_->Scan(since).status().code(), Code::kInvalidArgument);
}

TEST_F(DbTest, ScanCapsAtMaxResultSize) {
  auto s = TestSettings();
  s.max_result_size = 10;
  Open(s);
  SetRequest req;
  for (int i = 0; i < 25; ++i) req.kvs.push_back(KV("k" + std::to_string(100 + i), "v"));
  ASSERT_TRUE(db_->Set(req).ok());
  auto r = db_->Scan(ScanRequest{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 10u);
  auto c = db_->Count({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, 25u);
}

TEST_F(DbTest, Count) {
  Open();
  for (std::string k : {"p1", "p2", "p3", "q1"}) Set(k, "v");
  DeleteKeysRequest del;
  del.keys = {B("p2")};
  ASSERT_TRUE(db_->Delete(del).ok());
  EXPECT_EQ(*db_->Count(AsBytes("p")), 2u);
  EXPECT_EQ(*db_->Count(AsBytes("")), 3u);
  EXPECT_EQ(*db_->Count(AsBytes("zz")), 0u);
}

TEST_F(DbTest, ReadsSurviveReopen) {
  Open();
  Set("a", "1");
  Set("a", "2");
  Set("b", "3");
  ASSERT_TRUE(db_->Close().ok());
  Open();
  EXPECT_FALSE(db_->index_open_report().rebuilt);
  EXPECT_EQ(db_->index_open_report().caught_up_txs, 0u);
  auto e = Get("a");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "2");
  EXPECT_EQ(e->revision, 2u);
  EXPECT_EQ(db_->CurrentState().tx_id, 3u);
}

TEST_F(DbTest, FlushAndCompactIndex) {
  Open();
  for (int i = 0; i < 20; ++i) Set("k" + std::to_string(i % 4), std::to_string(i));
  ASSERT_TRUE(db_->FlushIndex().ok());
  ASSERT_TRUE(db_->CompactIndex().ok());
  auto e = Get("k3");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToString(e->value), "19");
  EXPECT_EQ(e->revision, 5u);
}

TEST_F(DbTest, UseAfterCloseFailsCleanly) {
  Open();
  Set("a", "1");
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_FALSE(Get("a").ok());
  SetRequest req;
  req.kvs = {KV("b", "2")};
  EXPECT_FALSE(db_->Set(req).ok());
  EXPECT_FALSE(db_->Scan(ScanRequest{}).ok());
  EXPECT_TRUE(db_->Close().ok());
}

TEST_F(DbTest, AsyncIndexingStillReadsYourWrites) {
  auto s = TestSettings();
  s.sync_indexing = false;
  Open(s);
  for (int i = 0; i < 50; ++i) Set("k" + std::to_string(i), "v" + std::to_string(i));
  for (int i = 0; i < 50; ++i) {
    auto e = Get("k" + std::to_string(i));
    ASSERT_TRUE(e.ok()) << i;
  }
  SetRequest nw;
  nw.kvs = {KV("nowait", "1")};
  nw.no_wait = true;
  ASSERT_TRUE(db_->Set(nw).ok());
  EXPECT_TRUE(Get("nowait").ok());  // Get waits for indexing by default
}

}  // namespace
}  // namespace immudb::db
