// The client's verification of verifiable RPC answers, without a server: proofs are built by
// src/ledger over an in-memory chain, rendered into the wire messages as the server renders
// them, and must be accepted intact and rejected (as Tampered) after any single change.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "client/verification.h"
#include "proof_renderer.h"

namespace immudb::client {
namespace {

using testing::ProofRenderer;
using ledger::testing::KvEntry;
using ledger::testing::RawEntry;

void ExpectTampered(const Status& st) {
  EXPECT_EQ(st.code(), Code::kTampered) << st.ToString();
  EXPECT_EQ(st.message().rfind("tampering detected", 0), 0u) << st.message();
}
template <typename T>
void ExpectTampered(const Result<T>& r) {
  ASSERT_FALSE(r.ok());
  ExpectTampered(r.status());
}

void FlipByte(std::string* s, size_t i = 0) {
  ASSERT_GT(s->size(), i);
  (*s)[i] = char((*s)[i] ^ 0x01);
}

// Every field of a header that enters its Alh, each mutated in turn.
std::vector<std::function<void(schema::TxHeader*)>> HeaderMutations() {
  return {
      [](schema::TxHeader* h) { h->set_id(h->id() + 1); },
      [](schema::TxHeader* h) { FlipByte(h->mutable_prevalh(), 5); },
      [](schema::TxHeader* h) { h->set_ts(h->ts() + 1); },
      [](schema::TxHeader* h) { h->set_nentries(h->nentries() + 1); },
      [](schema::TxHeader* h) { FlipByte(h->mutable_eh(), 31); },
      [](schema::TxHeader* h) { h->set_bltxid(h->bltxid() + 1); },
      [](schema::TxHeader* h) { FlipByte(h->mutable_blroot(), 0); },
      [](schema::TxHeader* h) { h->set_version(h->version() == 0 ? 1 : 0); },
  };
}

// Every digest carried by a dual proof, as pointers to mutate.
std::vector<std::string*> ProofTerms(schema::DualProof* p) {
  std::vector<std::string*> out;
  for (auto& t : *p->mutable_inclusionproof()) out.push_back(&t);
  for (auto& t : *p->mutable_consistencyproof()) out.push_back(&t);
  for (auto& t : *p->mutable_lastinclusionproof()) out.push_back(&t);
  for (auto& t : *p->mutable_linearproof()->mutable_terms()) out.push_back(&t);
  if (p->targettxheader().bltxid() > 0) out.push_back(p->mutable_targetbltxalh());
  return out;
}

class VerifiedWriteTest : public ::testing::TestWithParam<int32_t> {};

TEST_P(VerifiedWriteTest, AcceptsIntactSetFromEveryLocalState) {
  ProofRenderer server(GetParam());
  for (int i = 1; i <= 9; ++i) server.CommitKv("k" + std::to_string(i), "v" + std::to_string(i));
  uint64_t tx = server.CommitKv("key", "value");
  ExpectedEntry want{KvStoreKey(AsBytes("key")), PlainStoreValue(AsBytes("value")), true};
  for (uint64_t local = 0; local <= 9; ++local) {
    schema::VerifiableTx resp;
    server.RenderVerifiableTx(tx, local, &resp);
    Result<ledger::State> st = VerifyWriteResponse(resp, want, server.StateAt(local), "defaultdb");
    ASSERT_TRUE(st.ok()) << "local " << local << ": " << st.status().ToString();
    EXPECT_EQ(*st, server.StateAt(tx));
  }
}

TEST_P(VerifiedWriteTest, RejectsEveryTampering) {
  ProofRenderer server(GetParam());
  for (int i = 1; i <= 9; ++i) server.CommitKv("k" + std::to_string(i), "v" + std::to_string(i));
  uint64_t tx = server.CommitKv("key", "value");
  ExpectedEntry want{KvStoreKey(AsBytes("key")), PlainStoreValue(AsBytes("value")), true};
  for (uint64_t local : {1u, 2u, 5u, 8u, 9u}) {
    SCOPED_TRACE("local " + std::to_string(local));
    schema::VerifiableTx good;
    server.RenderVerifiableTx(tx, local, &good);
    ledger::State state = server.StateAt(local);

    // The server stored another value / another key than the client sent.
    ExpectedEntry other_value = want;
    other_value.value = PlainStoreValue(AsBytes("valuf"));
    ExpectTampered(VerifyWriteResponse(good, other_value, state, "defaultdb"));
    ExpectedEntry other_key = want;
    other_key.key = KvStoreKey(AsBytes("kez"));
    ExpectTampered(VerifyWriteResponse(good, other_key, state, "defaultdb"));

    schema::VerifiableTx r = good;
    FlipByte(r.mutable_tx()->mutable_entries(0)->mutable_hvalue());
    ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
    r = good;
    FlipByte(r.mutable_tx()->mutable_entries(0)->mutable_key(), 1);
    ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
    r = good;
    r.mutable_tx()->mutable_entries(0)->mutable_metadata()->set_deleted(true);
    ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));

    for (auto& mutate : HeaderMutations()) {
      r = good;  // the tx header and the proven header changed consistently
      mutate(r.mutable_tx()->mutable_header());
      mutate(r.mutable_dualproof()->mutable_targettxheader());
      ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
      r = good;
      mutate(r.mutable_dualproof()->mutable_sourcetxheader());
      ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
    }
    size_t terms = ProofTerms(good.mutable_dualproof()).size();
    EXPECT_GT(terms, 0u);
    for (size_t i = 0; i < terms; ++i) {
      r = good;
      FlipByte(ProofTerms(r.mutable_dualproof())[i], 7);
      ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
    }
    r = good;
    r.mutable_dualproof()->mutable_linearproof()->set_sourcetxid(
        r.dualproof().linearproof().sourcetxid() + 1);
    ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
    r = good;
    r.mutable_dualproof()->clear_linearproof();
    ExpectTampered(VerifyWriteResponse(r, want, state, "defaultdb"));
    // A stale local state the proof does not start from.
    ExpectTampered(VerifyWriteResponse(good, want, server.StateAt(local == 1 ? 2 : local - 1),
                                       "defaultdb"));
  }
}

TEST_P(VerifiedWriteTest, ReferenceAndZAdd) {
  ProofRenderer server(GetParam());
  uint64_t a = server.CommitKv("a", "1");
  server.CommitKv("b", "2");
  Bytes ref_key = KvStoreKey(AsBytes("ref"));
  Bytes ref_value = ReferenceStoreValue(a, AsBytes("a"));
  uint64_t ref_tx = server.Commit({RawEntry(ref_key, ref_value)});
  Bytes z_key = ZAddStoreKey(AsBytes("set"), 1.5, AsBytes("a"), 0);
  uint64_t z_tx = server.Commit({RawEntry(z_key, {})});

  schema::VerifiableTx resp;
  server.RenderVerifiableTx(ref_tx, 2, &resp);
  ASSERT_TRUE(VerifyWriteResponse(resp, {ref_key, ref_value, false}, server.StateAt(2), "defaultdb").ok());
  ExpectTampered(VerifyWriteResponse(resp, {ref_key, ReferenceStoreValue(0, AsBytes("a")), false},
                                     server.StateAt(2), "defaultdb"));
  ExpectTampered(VerifyWriteResponse(resp, {ref_key, ReferenceStoreValue(a, AsBytes("b")), false},
                                     server.StateAt(2), "defaultdb"));

  resp.Clear();
  server.RenderVerifiableTx(z_tx, ref_tx, &resp);
  Result<ledger::State> st = VerifyWriteResponse(resp, {z_key, {}, false}, server.StateAt(ref_tx), "defaultdb");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->tx_id, z_tx);
  ExpectTampered(VerifyWriteResponse(
      resp, {ZAddStoreKey(AsBytes("set"), 2.5, AsBytes("a"), 0), {}, false}, server.StateAt(ref_tx),
      "defaultdb"));
}

INSTANTIATE_TEST_SUITE_P(HeaderVersions, VerifiedWriteTest, ::testing::Values(0, 1));

class VerifiedGetTest : public ::testing::TestWithParam<int32_t> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ProofRenderer>(GetParam());
    server_->CommitKv("x", "0");
    server_->CommitKv("y", "0");
    server_->CommitKv("z", "0");
    tx_ = server_->Commit({KvEntry("a", "1"), KvEntry("b", "2"), KvEntry("c", "3")});
    for (int i = 0; i < 4; ++i) server_->CommitKv("w" + std::to_string(i), "9");
  }
  std::unique_ptr<ProofRenderer> server_;
  uint64_t tx_ = 0;
};

TEST_P(VerifiedGetTest, AcceptsFromStatesBeforeAndAfterTheEntry) {
  for (uint64_t local = 0; local <= server_->chain().size(); ++local) {
    schema::VerifiableEntry resp;
    server_->RenderVerifiableGet(tx_, "b", "2", local, &resp);
    Result<ledger::State> st =
        VerifyEntryResponse(resp, AsBytes("b"), 0, server_->StateAt(local), "defaultdb");
    ASSERT_TRUE(st.ok()) << "local " << local << ": " << st.status().ToString();
    EXPECT_EQ(*st, server_->StateAt(std::max(local, tx_)));
    // atTx reads are proven against the tx the client asked for.
    st = VerifyEntryResponse(resp, AsBytes("b"), tx_, server_->StateAt(local), "defaultdb");
    ASSERT_TRUE(st.ok()) << st.status().ToString();
  }
}

TEST_P(VerifiedGetTest, RejectsEveryTampering) {
  for (uint64_t local : {1u, 3u, 4u, 6u, 8u}) {
    SCOPED_TRACE("local " + std::to_string(local));
    ledger::State state = server_->StateAt(local);
    schema::VerifiableEntry good;
    server_->RenderVerifiableGet(tx_, "b", "2", local, &good);
    ASSERT_TRUE(VerifyEntryResponse(good, AsBytes("b"), 0, state, "defaultdb").ok());

    schema::VerifiableEntry r = good;
    r.mutable_entry()->set_value("3");
    ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    // The proof of b handed out for a request of c.
    ExpectTampered(VerifyEntryResponse(good, AsBytes("c"), 0, state, "defaultdb"));
    r = good;
    r.mutable_entry()->mutable_metadata()->set_nonindexable(true);
    ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    r = good;
    r.mutable_entry()->set_tx(tx_ + 1);
    ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    ExpectTampered(VerifyEntryResponse(good, AsBytes("b"), tx_ - 1, state, "defaultdb"));
    r = good;
    r.mutable_inclusionproof()->set_leaf(2);
    ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    r = good;
    r.mutable_inclusionproof()->set_width(2);
    ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    for (int i = 0; i < good.inclusionproof().terms_size(); ++i) {
      r = good;
      FlipByte(r.mutable_inclusionproof()->mutable_terms(i), 3);
      ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    }
    auto* dp = good.mutable_verifiabletx()->mutable_dualproof();
    bool entry_is_target = local <= tx_;
    for (auto& mutate : HeaderMutations()) {
      r = good;
      mutate(entry_is_target ? r.mutable_verifiabletx()->mutable_dualproof()->mutable_targettxheader()
                             : r.mutable_verifiabletx()->mutable_dualproof()->mutable_sourcetxheader());
      ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    }
    if (local == tx_) continue;  // a proof from a tx to itself carries no linking terms
    for (size_t i = 0; i < ProofTerms(dp).size(); ++i) {
      r = good;
      FlipByte(ProofTerms(r.mutable_verifiabletx()->mutable_dualproof())[i], 9);
      ExpectTampered(VerifyEntryResponse(r, AsBytes("b"), 0, state, "defaultdb"));
    }
  }
}

TEST_P(VerifiedGetTest, ReferenceIsHashedAsTheReferenceEntry) {
  uint64_t a_tx = tx_;
  Bytes ref_key = KvStoreKey(AsBytes("ref"));
  uint64_t ref_tx = server_->Commit({RawEntry(ref_key, ReferenceStoreValue(0, AsBytes("a")))});
  schema::VerifiableEntry resp;
  resp.mutable_entry()->set_tx(a_tx);
  resp.mutable_entry()->set_key("a");
  resp.mutable_entry()->set_value("1");
  auto* by = resp.mutable_entry()->mutable_referencedby();
  by->set_tx(ref_tx);
  by->set_key("ref");
  by->set_attx(0);
  server_->RenderVerifiableTx(ref_tx, 5, resp.mutable_verifiabletx());
  server_->RenderInclusion(ref_tx, ref_key, resp.mutable_inclusionproof());
  Result<ledger::State> st = VerifyEntryResponse(resp, AsBytes("ref"), 0, server_->StateAt(5), "defaultdb");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->tx_id, ref_tx);

  schema::VerifiableEntry r = resp;
  r.mutable_entry()->set_key("b");  // the reference points elsewhere
  ExpectTampered(VerifyEntryResponse(r, AsBytes("ref"), 0, server_->StateAt(5), "defaultdb"));
  r = resp;
  r.mutable_entry()->mutable_referencedby()->set_attx(a_tx);
  ExpectTampered(VerifyEntryResponse(r, AsBytes("ref"), 0, server_->StateAt(5), "defaultdb"));
}

INSTANTIATE_TEST_SUITE_P(HeaderVersions, VerifiedGetTest, ::testing::Values(0, 1));

TEST(VerifiedTxTest, AcceptsAndRejects) {
  ProofRenderer server;
  for (int i = 1; i <= 12; ++i) {
    server.Commit({KvEntry("k" + std::to_string(i), "v"), KvEntry("j" + std::to_string(i), "w")});
  }
  for (uint64_t tx : {1u, 6u, 12u}) {
    for (uint64_t local : {0u, 1u, 5u, 6u, 7u, 12u}) {
      SCOPED_TRACE("tx " + std::to_string(tx) + " local " + std::to_string(local));
      schema::VerifiableTx good;
      server.RenderVerifiableTx(tx, local, &good);
      ledger::State state = server.StateAt(local);
      Result<ledger::State> st = VerifyTxResponse(good, tx, state, "defaultdb");
      ASSERT_TRUE(st.ok()) << st.status().ToString();
      EXPECT_EQ(*st, server.StateAt(std::max(tx, local)));

      schema::VerifiableTx r = good;
      FlipByte(r.mutable_tx()->mutable_entries(1)->mutable_hvalue(), 4);
      ExpectTampered(VerifyTxResponse(r, tx, state, "defaultdb"));
      for (auto& mutate : HeaderMutations()) {
        r = good;
        mutate(r.mutable_tx()->mutable_header());
        ExpectTampered(VerifyTxResponse(r, tx, state, "defaultdb"));
      }
      ExpectTampered(VerifyTxResponse(good, tx == 1 ? 2 : tx - 1, state, "defaultdb"));
      if (local == 0 || local == tx) continue;
      for (size_t i = 0; i < ProofTerms(good.mutable_dualproof()).size(); ++i) {
        r = good;
        FlipByte(ProofTerms(r.mutable_dualproof())[i], 11);
        ExpectTampered(VerifyTxResponse(r, tx, state, "defaultdb"));
      }
    }
  }
}

TEST(StateSignatureTest, VerifiesServerSignatures) {
  Result<crypto::EcdsaPrivateKey> key = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  Result<crypto::EcdsaPrivateKey> other = crypto::EcdsaPrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  ProofRenderer server;
  server.SetSigningKey(*key);
  for (int i = 0; i < 3; ++i) server.CommitKv("k" + std::to_string(i), "v");
  uint64_t tx = server.CommitKv("key", "value");
  schema::VerifiableTx resp;
  server.RenderVerifiableTx(tx, 2, &resp);
  Result<ledger::State> st = VerifyWriteResponse(
      resp, {KvStoreKey(AsBytes("key")), PlainStoreValue(AsBytes("value")), true}, server.StateAt(2),
      "defaultdb");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(VerifyStateSignature(*st, &resp.signature(), key->PublicKey()).ok());
  ExpectTampered(VerifyStateSignature(*st, &resp.signature(), other->PublicKey()));
  ExpectTampered(VerifyStateSignature(*st, nullptr, key->PublicKey()));
  ledger::State other_db = *st;
  other_db.db = "otherdb";
  ExpectTampered(VerifyStateSignature(other_db, &resp.signature(), key->PublicKey()));
  schema::Signature bad = resp.signature();
  FlipByte(bad.mutable_signature(), bad.signature().size() - 1);
  ExpectTampered(VerifyStateSignature(*st, &bad, key->PublicKey()));
}

}  // namespace
}  // namespace immudb::client
