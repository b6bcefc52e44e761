// Key-value RPCs of the real server backed by the database layer, checked the way an immudb
// client checks them: entry inclusion in the tx's htree, dual proofs between states, and the
// ECDSA signature over (db, txId, Alh) made with the server's --signingKey.
#include <gtest/gtest.h>

#include "crypto/ecdsa.h"
#include "crypto/sha256.h"
#include "ledger/dual_proof.h"
#include "ledger/htree.h"
#include "ledger/state.h"
#include "ledger/state_signature.h"
#include "ledger/tx.h"
#include "server_fixture.h"

namespace immudb::server::testing {
namespace {

using google::protobuf::Empty;

crypto::Digest D(const std::string& s) {
  crypto::Digest d{};
  EXPECT_EQ(s.size(), d.size());
  std::copy_n(s.begin(), std::min(s.size(), d.size()), d.begin());
  return d;
}
Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

ledger::TxHeader FromWire(const schema::TxHeader& h) {
  ledger::TxHeader out;
  out.id = h.id();
  out.prev_alh = D(h.prevalh());
  out.ts = h.ts();
  out.n_entries = static_cast<uint32_t>(h.nentries());
  out.eh = D(h.eh());
  out.bl_tx_id = h.bltxid();
  out.bl_root = D(h.blroot());
  out.version = h.version();
  if (h.has_metadata()) {
    if (h.metadata().truncatedtxid() != 0) out.metadata.truncated_upto_tx = h.metadata().truncatedtxid();
    if (!h.metadata().extra().empty()) out.metadata.extra = B(h.metadata().extra());
  }
  return out;
}

std::vector<crypto::Digest> Terms(const google::protobuf::RepeatedPtrField<std::string>& in) {
  std::vector<crypto::Digest> out;
  for (const auto& t : in) out.push_back(D(t));
  return out;
}

ledger::DualProof FromWire(const schema::DualProof& p) {
  ledger::DualProof out;
  out.source_tx_header = FromWire(p.sourcetxheader());
  out.target_tx_header = FromWire(p.targettxheader());
  out.inclusion_proof = Terms(p.inclusionproof());
  out.consistency_proof = Terms(p.consistencyproof());
  out.target_bl_tx_alh = D(p.targetbltxalh());
  out.last_inclusion_proof = Terms(p.lastinclusionproof());
  out.linear_proof.source_tx_id = p.linearproof().sourcetxid();
  out.linear_proof.target_tx_id = p.linearproof().targettxid();
  out.linear_proof.terms = Terms(p.linearproof().terms());
  if (p.has_linearadvanceproof()) {
    ledger::LinearAdvanceProof lap;
    lap.linear_proof_terms = Terms(p.linearadvanceproof().linearproofterms());
    for (const auto& ip : p.linearadvanceproof().inclusionproofs()) {
      lap.inclusion_proofs.push_back(Terms(ip.terms()));
    }
    out.linear_advance_proof = lap;
  }
  return out;
}

class ServerKvTest : public SignedServerTest {
 protected:
  ServerKvTest() : SignedServerTest("kv") {}
  void ExpectSigned(uint64_t tx_id, const crypto::Digest& alh, const schema::Signature& sig) {
    ledger::State state{"defaultdb", tx_id, alh};
    EXPECT_EQ(sig.publickey().size(), 65u);
    EXPECT_TRUE(ledger::VerifyStateSignature(state, B(sig.signature()), *public_key_).ok());
    ledger::State other{"otherdb", tx_id, alh};
    EXPECT_FALSE(ledger::VerifyStateSignature(other, B(sig.signature()), *public_key_).ok());
  }
};

TEST_F(ServerKvTest, SetGetAndVerifiedCallsProveWhatTheyReturn) {
  // Empty database: state is (0, H("")), signed.
  Empty e;
  schema::ImmutableState st0;
  auto c0 = Ctx(sid_);
  ASSERT_TRUE(stub_->CurrentState(c0.get(), e, &st0).ok());
  EXPECT_EQ(st0.db(), "defaultdb");
  EXPECT_EQ(st0.txid(), 0u);
  EXPECT_EQ(D(st0.txhash()), crypto::EmptyDigest());
  ExpectSigned(0, crypto::EmptyDigest(), st0.signature());

  // Set k1 -> tx 1.
  schema::SetRequest set;
  set.add_kvs()->set_key("k1");
  set.mutable_kvs(0)->set_value("v1");
  schema::TxHeader h1;
  auto c1 = Ctx(sid_);
  ASSERT_TRUE(stub_->Set(c1.get(), set, &h1).ok());
  EXPECT_EQ(h1.id(), 1u);
  EXPECT_EQ(h1.nentries(), 1);
  EXPECT_EQ(D(h1.prevalh()), crypto::EmptyDigest());
  auto alh1 = FromWire(h1).Alh();
  ASSERT_TRUE(alh1.ok());

  // Get k1.
  schema::KeyRequest get;
  get.set_key("k1");
  schema::Entry entry;
  auto c2 = Ctx(sid_);
  ASSERT_TRUE(stub_->Get(c2.get(), get, &entry).ok());
  EXPECT_EQ(entry.value(), "v1");
  EXPECT_EQ(entry.tx(), 1u);
  EXPECT_EQ(entry.revision(), 1u);

  // VerifiableSet k2 from the trusted state (1, alh1): dual proof 1 -> 2 and signature.
  schema::VerifiableSetRequest vset;
  vset.mutable_setrequest()->add_kvs()->set_key("k2");
  vset.mutable_setrequest()->mutable_kvs(0)->set_value("v2");
  vset.set_provesincetx(1);
  schema::VerifiableTx vtx;
  auto c3 = Ctx(sid_);
  ASSERT_TRUE(stub_->VerifiableSet(c3.get(), vset, &vtx).ok());
  ASSERT_EQ(vtx.tx().header().id(), 2u);
  ASSERT_EQ(vtx.tx().entries_size(), 1);
  EXPECT_EQ(vtx.tx().entries(0).key(), std::string("\0k2", 3));  // store key keeps its prefix
  auto alh2 = FromWire(vtx.tx().header()).Alh();
  ASSERT_TRUE(alh2.ok());
  ledger::DualProof dp = FromWire(vtx.dualproof());
  EXPECT_TRUE(ledger::VerifyDualProof(dp, 1, 2, *alh1, *alh2).ok());
  crypto::Digest wrong = *alh1;
  wrong[0] ^= 1;
  EXPECT_FALSE(ledger::VerifyDualProof(dp, 1, 2, wrong, *alh2).ok());
  ExpectSigned(2, *alh2, vtx.signature());

  // VerifiableGet k1 from the trusted state (2, alh2): entry inclusion in tx 1, proof 1 -> 2.
  schema::VerifiableGetRequest vget;
  vget.mutable_keyrequest()->set_key("k1");
  vget.set_provesincetx(2);
  schema::VerifiableEntry ve;
  auto c4 = Ctx(sid_);
  ASSERT_TRUE(stub_->VerifiableGet(c4.get(), vget, &ve).ok());
  EXPECT_EQ(ve.entry().value(), "v1");
  const auto& tx1 = ve.verifiabletx().tx();
  ASSERT_EQ(tx1.header().id(), 1u);
  ledger::TxEntry raw;
  raw.key = B(std::string("\0k1", 3));
  Bytes store_value = B(std::string("\0v1", 3));
  raw.value_hash = crypto::Sha256(store_value);
  raw.value_len = static_cast<uint32_t>(store_value.size());
  auto digest = raw.ComputeDigest(tx1.header().version());
  ASSERT_TRUE(digest.ok());
  ledger::HTreeProof inclusion;
  inclusion.leaf = static_cast<uint64_t>(ve.inclusionproof().leaf());
  inclusion.width = static_cast<uint64_t>(ve.inclusionproof().width());
  inclusion.terms = Terms(ve.inclusionproof().terms());
  EXPECT_TRUE(ledger::VerifyHTreeInclusion(inclusion, *digest, D(tx1.header().eh())));
  ledger::DualProof dp2 = FromWire(ve.verifiabletx().dualproof());
  EXPECT_TRUE(ledger::VerifyDualProof(dp2, 1, 2, *alh1, *alh2).ok());
  ExpectSigned(2, *alh2, ve.verifiabletx().signature());

  // DatabaseHealth: nothing in flight now, and the last call completed just before.
  schema::DatabaseHealthResponse health;
  auto ch = Ctx(sid_);
  ASSERT_TRUE(stub_->DatabaseHealth(ch.get(), e, &health).ok());
  EXPECT_EQ(health.pendingrequests(), 0u);
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(health.lastrequestcompletedat(), now_ms - 60000);
  EXPECT_LE(health.lastrequestcompletedat(), now_ms);

  // ServerInfo counts the transactions of the user databases.
  schema::ServerInfoRequest ireq;
  schema::ServerInfoResponse info;
  auto ci = Ctx();
  ASSERT_TRUE(stub_->ServerInfo(ci.get(), ireq, &info).ok());
  EXPECT_EQ(info.numdatabases(), 1);
  EXPECT_EQ(info.numtransactions(), 2);
  EXPECT_GT(info.databasesdisksize(), 0);

  // CurrentState is (2, alh2), signed.
  schema::ImmutableState st2;
  auto c5 = Ctx(sid_);
  ASSERT_TRUE(stub_->CurrentState(c5.get(), e, &st2).ok());
  EXPECT_EQ(st2.txid(), 2u);
  EXPECT_EQ(D(st2.txhash()), *alh2);
  ExpectSigned(2, *alh2, st2.signature());
}

TEST_F(ServerKvTest, MissingKeyIsUnknownWithImmudbsText) {
  schema::KeyRequest get;
  get.set_key("nope");
  schema::Entry entry;
  auto ctx = Ctx(sid_);
  grpc::Status st = stub_->Get(ctx.get(), get, &entry);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_NE(st.error_message().find("key not found"), std::string::npos);
}

TEST_F(ServerKvTest, HistoryScanCountDeleteAndTxById) {
  for (const char* v : {"a", "b", "c"}) {
    schema::SetRequest set;
    set.add_kvs()->set_key("h");
    set.mutable_kvs(0)->set_value(v);
    schema::TxHeader hdr;
    auto ctx = Ctx(sid_);
    ASSERT_TRUE(stub_->Set(ctx.get(), set, &hdr).ok());
  }
  schema::HistoryRequest hist;
  hist.set_key("h");
  schema::Entries entries;
  auto c1 = Ctx(sid_);
  ASSERT_TRUE(stub_->History(c1.get(), hist, &entries).ok());
  ASSERT_EQ(entries.entries_size(), 3);
  EXPECT_EQ(entries.entries(2).value(), "c");
  EXPECT_EQ(entries.entries(2).revision(), 3u);

  schema::ScanRequest scan;
  scan.set_prefix("h");
  schema::Entries scanned;
  auto c2 = Ctx(sid_);
  ASSERT_TRUE(stub_->Scan(c2.get(), scan, &scanned).ok());
  ASSERT_EQ(scanned.entries_size(), 1);
  EXPECT_EQ(scanned.entries(0).value(), "c");

  schema::KeyPrefix prefix;
  prefix.set_prefix("h");
  schema::EntryCount count;
  auto c3 = Ctx(sid_);
  ASSERT_TRUE(stub_->Count(c3.get(), prefix, &count).ok());
  EXPECT_EQ(count.count(), 1u);

  schema::TxRequest txr;
  txr.set_tx(2);
  schema::Tx tx;
  auto c4 = Ctx(sid_);
  ASSERT_TRUE(stub_->TxById(c4.get(), txr, &tx).ok());
  EXPECT_EQ(tx.header().id(), 2u);
  ASSERT_EQ(tx.entries_size(), 1);

  schema::DeleteKeysRequest del;
  del.add_keys("h");
  schema::TxHeader dh;
  auto c5 = Ctx(sid_);
  ASSERT_TRUE(stub_->Delete(c5.get(), del, &dh).ok());
  EXPECT_EQ(dh.id(), 4u);
  schema::KeyRequest get;
  get.set_key("h");
  schema::Entry entry;
  auto c6 = Ctx(sid_);
  EXPECT_NE(stub_->Get(c6.get(), get, &entry).error_message().find("key not found"),
            std::string::npos);
}

TEST_F(ServerKvTest, ExecAllReferencesAndSortedSets) {
  schema::ExecAllRequest exec;
  auto* op1 = exec.add_operations()->mutable_kv();
  op1->set_key("doc");
  op1->set_value("body");
  auto* op2 = exec.add_operations()->mutable_zadd();
  op2->set_set("ranking");
  op2->set_key("doc");
  op2->set_score(7.5);
  op2->set_boundref(true);  // bound to this tx (at_tx 0 with noWait false)
  schema::TxHeader hdr;
  auto c1 = Ctx(sid_);
  grpc::Status st = stub_->ExecAll(c1.get(), exec, &hdr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(hdr.nentries(), 2);

  schema::ReferenceRequest ref;
  ref.set_key("alias");
  ref.set_referencedkey("doc");
  auto c2 = Ctx(sid_);
  ASSERT_TRUE(stub_->SetReference(c2.get(), ref, &hdr).ok());
  schema::KeyRequest get;
  get.set_key("alias");
  schema::Entry entry;
  auto c3 = Ctx(sid_);
  ASSERT_TRUE(stub_->Get(c3.get(), get, &entry).ok());
  EXPECT_EQ(entry.key(), "doc");
  EXPECT_EQ(entry.value(), "body");
  ASSERT_TRUE(entry.has_referencedby());
  EXPECT_EQ(entry.referencedby().key(), "alias");

  schema::VerifiableZAddRequest vz;
  vz.mutable_zaddrequest()->set_set("ranking");
  vz.mutable_zaddrequest()->set_key("doc");
  vz.mutable_zaddrequest()->set_score(1.0);
  vz.set_provesincetx(hdr.id());
  schema::VerifiableTx vtx;
  auto c4 = Ctx(sid_);
  ASSERT_TRUE(stub_->VerifiableZAdd(c4.get(), vz, &vtx).ok());
  auto alh = FromWire(vtx.tx().header()).Alh();
  ASSERT_TRUE(alh.ok());
  ExpectSigned(vtx.tx().header().id(), *alh, vtx.signature());

  schema::ZScanRequest zs;
  zs.set_set("ranking");
  schema::ZEntries zentries;
  auto c5 = Ctx(sid_);
  ASSERT_TRUE(stub_->ZScan(c5.get(), zs, &zentries).ok());
  ASSERT_EQ(zentries.entries_size(), 2);
  EXPECT_EQ(zentries.entries(0).score(), 1.0);
  EXPECT_EQ(zentries.entries(1).score(), 7.5);
  EXPECT_EQ(zentries.entries(1).entry().value(), "body");
}

TEST_F(ServerKvTest, DatabasesCanBeCreatedListedSelectedAndAreIsolated) {
  schema::CreateDatabaseRequest create;
  create.set_name("sales");
  schema::CreateDatabaseResponse created;
  auto c1 = Ctx(sid_);
  grpc::Status st = stub_->CreateDatabaseV2(c1.get(), create, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.name(), "sales");
  EXPECT_FALSE(created.alreadyexisted());

  schema::DatabaseListRequestV2 lreq;
  schema::DatabaseListResponseV2 list;
  auto c2 = Ctx(sid_);
  ASSERT_TRUE(stub_->DatabaseListV2(c2.get(), lreq, &list).ok());
  std::vector<std::string> names;
  for (const auto& d : list.databases()) names.push_back(d.name());
  EXPECT_EQ(names, (std::vector<std::string>{"defaultdb", "sales"}));

  // Switch the session to sales, write there; defaultdb does not see it.
  schema::Database use;
  use.set_databasename("sales");
  schema::UseDatabaseReply reply;
  auto c3 = Ctx(sid_);
  ASSERT_TRUE(stub_->UseDatabase(c3.get(), use, &reply).ok());
  schema::SetRequest set;
  set.add_kvs()->set_key("only-in-sales");
  set.mutable_kvs(0)->set_value("1");
  schema::TxHeader hdr;
  auto c4 = Ctx(sid_);
  ASSERT_TRUE(stub_->Set(c4.get(), set, &hdr).ok());
  EXPECT_EQ(hdr.id(), 1u);
  Empty e;
  schema::ImmutableState state;
  auto c5 = Ctx(sid_);
  ASSERT_TRUE(stub_->CurrentState(c5.get(), e, &state).ok());
  EXPECT_EQ(state.db(), "sales");
  EXPECT_EQ(state.txid(), 1u);

  std::string other = OpenTestSession(stub_.get());
  ASSERT_FALSE(other.empty());
  schema::KeyRequest get;
  get.set_key("only-in-sales");
  schema::Entry entry;
  auto c7 = Ctx(other);
  EXPECT_FALSE(stub_->Get(c7.get(), get, &entry).ok());

  // A read-write user of defaultdb cannot create databases nor open sales.
  schema::CreateUserRequest cu;
  cu.set_user("writer");
  cu.set_password("Writer123!");
  cu.set_permission(kPermissionReadWrite);
  cu.set_database("defaultdb");
  auto c8 = Ctx(sid_);
  ASSERT_TRUE(stub_->CreateUser(c8.get(), cu, &e).ok());
  const std::string ws = OpenTestSession(stub_.get(), "defaultdb", "writer", "Writer123!");
  ASSERT_FALSE(ws.empty());
  create.set_name("mine");
  auto c10 = Ctx(ws);
  EXPECT_EQ(stub_->CreateDatabaseV2(c10.get(), create, &created).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto c11 = Ctx(ws);
  EXPECT_EQ(stub_->UseDatabase(c11.get(), use, &reply).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  schema::DatabaseListResponseV2 wlist;
  auto c12 = Ctx(ws);
  ASSERT_TRUE(stub_->DatabaseListV2(c12.get(), lreq, &wlist).ok());
  ASSERT_EQ(wlist.databases_size(), 1);
  EXPECT_EQ(wlist.databases(0).name(), "defaultdb");
}

}  // namespace
}  // namespace immudb::server::testing
