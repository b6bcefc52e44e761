// Verifiable operations, checked from the client's side exactly as PROTOCOL.md 3.6 describes
// (recompute the entry digest from key and value, check the htree inclusion under the right
// Eh, check the dual proof against the client's trusted state), in databases with tx header
// version 0 and 1; and every tampering of the value or of any proof term must be detected.
#include <functional>

#include "crypto/sha256.h"
#include "db/encoding.h"
#include "db_test_util.h"
#include "ledger/htree.h"

namespace immudb::db {
namespace {

using testing::B;
using testing::KV;
using testing::TestSettings;

struct ClientState {
  uint64_t tx_id = 0;
  crypto::Digest alh{};
};

Status Fail(const std::string& why) { return Tampered(why); }

// VerifiedGet (3.6): `requested_key` is the user key the client asked for.
Status ClientVerifyGet(const VerifiableEntry& ve, ByteView requested_key, uint64_t req_at_tx,
                       ClientState* state) {
  const Tx& tx = ve.verifiable_tx.tx;
  int32_t version = tx.header.version;
  if (version != 0 && version != 1) return Fail("unsupported tx version");
  Bytes key = EncodeKey(requested_key);
  KvMetadata md;
  Bytes value;
  uint64_t vtx;
  if (!ve.entry.referenced_by) {
    md = ve.entry.metadata.value_or(KvMetadata{});
    value = EncodePlainValue(ve.entry.value);
    vtx = ve.entry.tx;
  } else {
    md = ve.entry.referenced_by->metadata.value_or(KvMetadata{});
    value = EncodeReferenceValue(ve.entry.key, ve.entry.referenced_by->at_tx);
    vtx = ve.entry.referenced_by->tx;
  }
  if (req_at_tx > 0) vtx = req_at_tx;
  auto digest = ledger::EntryDigest(version, key, md, crypto::Sha256(value));
  if (!digest.ok()) return digest.status();
  const ledger::DualProof& dp = ve.verifiable_tx.dual_proof;
  crypto::Digest eh;
  uint64_t src_id, dst_id;
  crypto::Digest src_alh, dst_alh;
  if (state->tx_id <= vtx) {
    eh = dp.target_tx_header.eh;
    src_id = state->tx_id;
    src_alh = state->alh;
    dst_id = vtx;
    auto a = dp.target_tx_header.Alh();
    if (!a.ok()) return a.status();
    dst_alh = *a;
  } else {
    eh = dp.source_tx_header.eh;
    src_id = vtx;
    auto a = dp.source_tx_header.Alh();
    if (!a.ok()) return a.status();
    src_alh = *a;
    dst_id = state->tx_id;
    dst_alh = state->alh;
  }
  if (!ledger::VerifyHTreeInclusion(ve.inclusion_proof, *digest, eh)) {
    return Fail("inclusion proof does not verify");
  }
  if (state->tx_id > 0) {
    IMMUDB_RETURN_IF_ERROR(ledger::VerifyDualProof(dp, src_id, dst_id, src_alh, dst_alh));
  }
  *state = {dst_id, dst_alh};
  return Status::Ok();
}

// VerifiedSet / VerifiedSetReference / VerifiedZAdd (3.6): the expected store entry.
Status ClientVerifySetLike(const VerifiableTx& vt, const Bytes& store_key, const Bytes& store_value,
                           const KvMetadata& expected_md, ClientState* state) {
  const Tx& tx = vt.tx;
  if (tx.header.n_entries != 1 || tx.entries.size() != 1) return Fail("expected one entry");
  int32_t version = tx.header.version;
  std::vector<ledger::TxEntry> entries;
  for (const TxEntry& e : tx.entries) {
    ledger::TxEntry le;
    le.key = e.key;
    le.metadata = e.metadata.value_or(KvMetadata{});
    le.value_hash = e.h_value;
    le.value_len = uint32_t(e.v_len);
    entries.push_back(le);
  }
  auto digests = ledger::EntryDigests(version, entries);
  if (!digests.ok()) return digests.status();
  ledger::HTree tree = ledger::HTree::Build(*digests);
  ledger::TxHeader hdr = tx.header;
  hdr.eh = tree.Root();
  auto alh = hdr.Alh();
  if (!alh.ok()) return alh.status();
  const KvMetadata md = entries[0].metadata;
  if (md.deleted) return Fail("entry is deleted");
  if (!(md == expected_md)) return Fail("unexpected metadata");
  auto digest = ledger::EntryDigest(version, store_key, md, crypto::Sha256(store_value));
  if (!digest.ok()) return digest.status();
  auto proof = tree.Proof(0);
  if (!proof.ok()) return proof.status();
  if (!ledger::VerifyHTreeInclusion(*proof, *digest, hdr.eh)) return Fail("entry not included");
  if (hdr.eh != vt.dual_proof.target_tx_header.eh) return Fail("eh mismatch");
  if (state->tx_id > 0) {
    IMMUDB_RETURN_IF_ERROR(
        ledger::VerifyDualProof(vt.dual_proof, state->tx_id, hdr.id, state->alh, *alh));
  }
  *state = {hdr.id, *alh};
  return Status::Ok();
}

// VerifiedTxByID (3.6) plus a check that the raw entries hash to the header's Eh.
Status ClientVerifyTx(const VerifiableTx& vt, uint64_t tx_id, ClientState* state) {
  const ledger::DualProof& dp = vt.dual_proof;
  uint64_t src_id, dst_id;
  crypto::Digest src_alh, dst_alh;
  if (state->tx_id <= tx_id) {
    src_id = state->tx_id;
    src_alh = state->alh;
    dst_id = tx_id;
    IMMUDB_ASSIGN_OR_RETURN(dst_alh, dp.target_tx_header.Alh());
  } else {
    src_id = tx_id;
    IMMUDB_ASSIGN_OR_RETURN(src_alh, dp.source_tx_header.Alh());
    dst_id = state->tx_id;
    dst_alh = state->alh;
  }
  if (state->tx_id > 0) {
    IMMUDB_RETURN_IF_ERROR(ledger::VerifyDualProof(dp, src_id, dst_id, src_alh, dst_alh));
  }
  std::vector<ledger::TxEntry> entries;
  for (const TxEntry& e : vt.tx.entries) {
    entries.push_back({e.key, e.metadata.value_or(KvMetadata{}), e.h_value, uint32_t(e.v_len)});
  }
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest eh, ledger::ComputeEh(vt.tx.header.version, entries));
  if (eh != vt.tx.header.eh) return Fail("raw entries do not hash to eh");
  IMMUDB_ASSIGN_OR_RETURN(crypto::Digest alh, vt.tx.header.Alh());
  if ((vt.tx.header.id == src_id && alh != src_alh) || (vt.tx.header.id == dst_id && alh != dst_alh)) {
    return Fail("tx header does not match the proof");
  }
  *state = {dst_id, dst_alh};
  return Status::Ok();
}

using Mutation = std::function<void(ledger::DualProof&)>;

void Flip(crypto::Digest& d) { d[7] ^= 0x01; }

// One mutation per proof term / header field that a verifier must depend on.
std::vector<std::pair<std::string, Mutation>> DualProofMutations(const ledger::DualProof& dp) {
  std::vector<std::pair<std::string, Mutation>> m;
  for (size_t i = 0; i < dp.inclusion_proof.size(); ++i) {
    m.push_back({"inclusion_proof[" + std::to_string(i) + "]",
                 [i](ledger::DualProof& p) { Flip(p.inclusion_proof[i]); }});
  }
  for (size_t i = 0; i < dp.consistency_proof.size(); ++i) {
    m.push_back({"consistency_proof[" + std::to_string(i) + "]",
                 [i](ledger::DualProof& p) { Flip(p.consistency_proof[i]); }});
  }
  for (size_t i = 0; i < dp.last_inclusion_proof.size(); ++i) {
    m.push_back({"last_inclusion_proof[" + std::to_string(i) + "]",
                 [i](ledger::DualProof& p) { Flip(p.last_inclusion_proof[i]); }});
  }
  for (size_t i = 0; i < dp.linear_proof.terms.size(); ++i) {
    m.push_back({"linear_proof.terms[" + std::to_string(i) + "]",
                 [i](ledger::DualProof& p) { Flip(p.linear_proof.terms[i]); }});
  }
  if (dp.target_tx_header.bl_tx_id > 0) {
    m.push_back({"target_bl_tx_alh", [](ledger::DualProof& p) { Flip(p.target_bl_tx_alh); }});
  }
  m.push_back({"source.eh", [](ledger::DualProof& p) { Flip(p.source_tx_header.eh); }});
  m.push_back({"target.eh", [](ledger::DualProof& p) { Flip(p.target_tx_header.eh); }});
  m.push_back({"source.ts", [](ledger::DualProof& p) { p.source_tx_header.ts ^= 1; }});
  m.push_back({"target.ts", [](ledger::DualProof& p) { p.target_tx_header.ts ^= 1; }});
  m.push_back({"target.prev_alh", [](ledger::DualProof& p) { Flip(p.target_tx_header.prev_alh); }});
  if (dp.target_tx_header.bl_tx_id > 0) {
    m.push_back({"target.bl_root", [](ledger::DualProof& p) { Flip(p.target_tx_header.bl_root); }});
  }
  m.push_back({"target.bl_tx_id", [](ledger::DualProof& p) { p.target_tx_header.bl_tx_id ^= 1; }});
  return m;
}

class VerifiableTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    dir_ = testing::TempDirFor("verif");
    auto r = Database::Open("defaultdb", dir_, TestSettings(GetParam()));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  uint64_t Set(std::string_view k, std::string_view v) {
    SetRequest req;
    req.kvs = {KV(k, v)};
    auto r = db_->Set(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id : 0;
  }
  ClientState StateAt(uint64_t tx) {
    ClientState s;
    s.tx_id = tx;
    auto a = db_->store().ReadAlh(tx);
    EXPECT_TRUE(a.ok());
    s.alh = *a;
    return s;
  }
  Result<VerifiableEntry> VGet(std::string_view k, uint64_t prove_since, uint64_t at_tx = 0) {
    VerifiableGetRequest req;
    req.key_request.key = B(k);
    req.key_request.at_tx = at_tx;
    req.prove_since_tx = prove_since;
    return db_->VerifiableGet(req);
  }
  std::string dir_;
  std::unique_ptr<Database> db_;
};

TEST_P(VerifiableTest, VerifiableSetVerifiesFromEmptyAndFromEveryEarlierState) {
  ClientState state;  // a fresh client trusts the first state
  for (int i = 1; i <= 12; ++i) {
    std::string k = "key" + std::to_string(i), v = "value" + std::to_string(i);
    VerifiableSetRequest req;
    req.set_request.kvs = {KV(k, v)};
    req.prove_since_tx = state.tx_id;
    auto vt = db_->VerifiableSet(req);
    ASSERT_TRUE(vt.ok()) << vt.status().ToString();
    EXPECT_EQ(vt->tx.header.version, int32_t(GetParam()));
    ASSERT_TRUE(ClientVerifySetLike(*vt, EncodeKey(B(k)), EncodePlainValue(B(v)), {}, &state).ok())
        << "tx " << i;
    EXPECT_EQ(state.tx_id, db_->CurrentState().tx_id);
    EXPECT_EQ(state.alh, db_->CurrentState().tx_hash);
    // A client whose state is older than the previous tx must verify the same response.
    if (i > 3) {
      ClientState older = StateAt(uint64_t(i - 3));
      req.set_request.kvs = {KV(k + "b", v)};
      req.prove_since_tx = older.tx_id;
      auto vt2 = db_->VerifiableSet(req);
      ASSERT_TRUE(vt2.ok());
      ASSERT_TRUE(
          ClientVerifySetLike(*vt2, EncodeKey(B(k + "b")), EncodePlainValue(B(v)), {}, &older).ok());
      state = older;
    }
  }
  VerifiableSetRequest bad;
  bad.set_request.kvs = {KV("x", "y")};
  bad.prove_since_tx = db_->CurrentState().tx_id + 5;
  EXPECT_FALSE(db_->VerifiableSet(bad).ok());
}

TEST_P(VerifiableTest, VerifiableSetDetectsTampering) {
  for (int i = 0; i < 6; ++i) Set("pre" + std::to_string(i), "x");
  ClientState trusted = StateAt(3);
  VerifiableSetRequest req;
  req.set_request.kvs = {KV("k", "v")};
  req.prove_since_tx = trusted.tx_id;
  auto vt = db_->VerifiableSet(req);
  ASSERT_TRUE(vt.ok());
  {
    ClientState s = trusted;
    ASSERT_TRUE(ClientVerifySetLike(*vt, EncodeKey(B("k")), EncodePlainValue(B("v")), {}, &s).ok());
  }
  {
    ClientState s = trusted;  // the value the client sent differs from what was committed
    EXPECT_FALSE(ClientVerifySetLike(*vt, EncodeKey(B("k")), EncodePlainValue(B("w")), {}, &s).ok());
  }
  {
    ClientState s = trusted;
    VerifiableTx t = *vt;
    t.tx.entries[0].h_value[0] ^= 1;
    EXPECT_FALSE(ClientVerifySetLike(t, EncodeKey(B("k")), EncodePlainValue(B("v")), {}, &s).ok());
  }
  for (auto& [name, mutate] : DualProofMutations(vt->dual_proof)) {
    ClientState s = trusted;
    VerifiableTx t = *vt;
    mutate(t.dual_proof);
    EXPECT_FALSE(ClientVerifySetLike(t, EncodeKey(B("k")), EncodePlainValue(B("v")), {}, &s).ok())
        << "tampered " << name << " still verifies";
  }
}

TEST_P(VerifiableTest, VerifiableGetBothDirectionsAndTampering) {
  for (int i = 1; i <= 10; ++i) Set("k" + std::to_string(i), "v" + std::to_string(i));
  // (a) client state older than the entry's tx: source = state, target = entry tx.
  // (b) client state newer than the entry's tx: source = entry tx, target = state.
  struct Case {
    std::string key;
    uint64_t state_tx;
  };
  for (const Case& c : {Case{"k7", 3}, Case{"k2", 8}, Case{"k5", 5}, Case{"k10", 1}, Case{"k1", 10}}) {
    ClientState trusted = StateAt(c.state_tx);
    auto ve = VGet(c.key, trusted.tx_id);
    ASSERT_TRUE(ve.ok()) << ve.status().ToString();
    {
      ClientState s = trusted;
      ASSERT_TRUE(ClientVerifyGet(*ve, B(c.key), 0, &s).ok()) << c.key;
      EXPECT_EQ(s.tx_id, std::max(c.state_tx, ve->entry.tx));
    }
    {
      ClientState s = trusted;
      VerifiableEntry t = *ve;
      t.entry.value.push_back('!');
      EXPECT_FALSE(ClientVerifyGet(t, B(c.key), 0, &s).ok());
    }
    {
      ClientState s = trusted;  // asking for another key cannot reuse this proof
      EXPECT_FALSE(ClientVerifyGet(*ve, B("k3"), 0, &s).ok());
    }
    for (size_t i = 0; i < ve->inclusion_proof.terms.size(); ++i) {
      ClientState s = trusted;
      VerifiableEntry t = *ve;
      Flip(t.inclusion_proof.terms[i]);
      EXPECT_FALSE(ClientVerifyGet(t, B(c.key), 0, &s).ok()) << "inclusion term " << i;
    }
    for (auto& [name, mutate] : DualProofMutations(ve->verifiable_tx.dual_proof)) {
      ClientState s = trusted;
      VerifiableEntry t = *ve;
      mutate(t.verifiable_tx.dual_proof);
      EXPECT_FALSE(ClientVerifyGet(t, B(c.key), 0, &s).ok())
          << c.key << "@" << c.state_tx << ": tampered " << name << " still verifies";
    }
  }
}

TEST_P(VerifiableTest, VerifiableGetInMultiEntryTxAtTxAndFromEmptyState) {
  SetRequest req;
  for (int i = 0; i < 7; ++i) req.kvs.push_back(KV("m" + std::to_string(i), "v" + std::to_string(i)));
  ASSERT_TRUE(db_->Set(req).ok());
  Set("m3", "newer");
  for (int i = 0; i < 7; ++i) {
    ClientState s;
    auto ve = VGet("m" + std::to_string(i), 0, /*at_tx=*/1);
    ASSERT_TRUE(ve.ok()) << ve.status().ToString();
    EXPECT_EQ(ve->inclusion_proof.width, 7u);
    EXPECT_EQ(ve->inclusion_proof.leaf, uint64_t(i));
    ASSERT_TRUE(ClientVerifyGet(*ve, B("m" + std::to_string(i)), 1, &s).ok());
    ClientState s2 = StateAt(2);
    ve = VGet("m" + std::to_string(i), 2, 1);
    ASSERT_TRUE(ve.ok());
    ASSERT_TRUE(ClientVerifyGet(*ve, B("m" + std::to_string(i)), 1, &s2).ok());
  }
  ClientState s;
  auto ve = VGet("m3", 0);
  ASSERT_TRUE(ve.ok());
  EXPECT_EQ(ToString(ve->entry.value), "newer");
  ASSERT_TRUE(ClientVerifyGet(*ve, B("m3"), 0, &s).ok());
  EXPECT_FALSE(VGet("m3", 99).ok());
  EXPECT_EQ(VGet("missing", 0).status().code(), Code::kNotFound);
}

TEST_P(VerifiableTest, VerifiableGetWithMetadataOnlyInVersion1) {
  SetRequest req;
  KeyValue kv = KV("exp", "v");
  kv.metadata = KvMetadata{};
  kv.metadata->expires_at = NowUnixSeconds() + 3600;
  req.kvs = {kv};
  auto h = db_->Set(req);
  if (GetParam() == 0) {
    EXPECT_FALSE(h.ok());  // header version 0 cannot carry entry metadata
    return;
  }
  ASSERT_TRUE(h.ok());
  Set("after", "x");
  ClientState s = StateAt(2);
  auto ve = VGet("exp", 2);
  ASSERT_TRUE(ve.ok());
  ASSERT_TRUE(ClientVerifyGet(*ve, B("exp"), 0, &s).ok());
  ClientState s2 = StateAt(2);
  VerifiableEntry t = *ve;
  t.entry.metadata->expires_at = *t.entry.metadata->expires_at + 1;
  EXPECT_FALSE(ClientVerifyGet(t, B("exp"), 0, &s2).ok());
}

TEST_P(VerifiableTest, ReferencesAndSortedSets) {
  Set("target", "tv");  // tx 1
  ClientState state = StateAt(1);
  VerifiableReferenceRequest rr;
  rr.reference_request.key = B("ref");
  rr.reference_request.referenced_key = B("target");
  rr.prove_since_tx = state.tx_id;
  auto vt = db_->VerifiableSetReference(rr);
  ASSERT_TRUE(vt.ok()) << vt.status().ToString();
  ASSERT_TRUE(ClientVerifySetLike(*vt, EncodeKey(B("ref")), EncodeReferenceValue(B("target"), 0),
                                  {}, &state).ok());
  // Bound reference.
  rr.reference_request.key = B("bref");
  rr.reference_request.at_tx = 1;
  rr.reference_request.bound_ref = true;
  rr.prove_since_tx = state.tx_id;
  vt = db_->VerifiableSetReference(rr);
  ASSERT_TRUE(vt.ok()) << vt.status().ToString();
  ASSERT_TRUE(ClientVerifySetLike(*vt, EncodeKey(B("bref")), EncodeReferenceValue(B("target"), 1),
                                  {}, &state).ok());
  // Verified get through the reference: the proof is of the reference entry.
  Set("target", "tv2");
  ClientState s = state;
  auto ve = VGet("ref", s.tx_id);
  ASSERT_TRUE(ve.ok()) << ve.status().ToString();
  ASSERT_TRUE(ve->entry.referenced_by.has_value());
  EXPECT_EQ(ToString(ve->entry.value), "tv2");
  ASSERT_TRUE(ClientVerifyGet(*ve, B("ref"), 0, &s).ok());
  {
    ClientState s2 = state;
    VerifiableEntry t = *ve;
    t.entry.referenced_by->at_tx = 7;
    EXPECT_FALSE(ClientVerifyGet(t, B("ref"), 0, &s2).ok());
  }
  ve = VGet("bref", s.tx_id);
  ASSERT_TRUE(ve.ok());
  EXPECT_EQ(ToString(ve->entry.value), "tv");
  ASSERT_TRUE(ClientVerifyGet(*ve, B("bref"), 0, &s).ok());
  // ZAdd.
  VerifiableZAddRequest zr;
  zr.zadd_request.set = B("set1");
  zr.zadd_request.score = 1.5;
  zr.zadd_request.key = B("target");
  zr.prove_since_tx = s.tx_id;
  vt = db_->VerifiableZAdd(zr);
  ASSERT_TRUE(vt.ok()) << vt.status().ToString();
  ASSERT_TRUE(ClientVerifySetLike(*vt, EncodeZAddKey(B("set1"), 1.5, B("target"), 0), Bytes{}, {},
                                  &s).ok());
  ClientState bad = s;
  EXPECT_FALSE(ClientVerifySetLike(*vt, EncodeZAddKey(B("set1"), 2.5, B("target"), 0), Bytes{},
                                   {}, &bad).ok());
}

TEST_P(VerifiableTest, VerifiableTxById) {
  for (int i = 1; i <= 9; ++i) Set("t" + std::to_string(i), "v");
  for (auto [tx, since] : std::vector<std::pair<uint64_t, uint64_t>>{{5, 2}, {2, 7}, {9, 0}, {1, 9}}) {
    ClientState trusted = since ? StateAt(since) : ClientState{};
    VerifiableTxRequest req;
    req.tx = tx;
    req.prove_since_tx = since;
    auto vt = db_->VerifiableTxById(req);
    ASSERT_TRUE(vt.ok()) << vt.status().ToString();
    ClientState s = trusted;
    ASSERT_TRUE(ClientVerifyTx(*vt, tx, &s).ok()) << tx << " since " << since;
    if (since == 0) continue;
    for (auto& [name, mutate] : DualProofMutations(vt->dual_proof)) {
      ClientState s2 = trusted;
      VerifiableTx t = *vt;
      mutate(t.dual_proof);
      EXPECT_FALSE(ClientVerifyTx(t, tx, &s2).ok()) << "tampered " << name;
    }
    ClientState s3 = trusted;
    VerifiableTx t = *vt;
    t.tx.entries[0].h_value[3] ^= 1;
    EXPECT_FALSE(ClientVerifyTx(t, tx, &s3).ok());
  }
  VerifiableTxRequest bad;
  bad.tx = 3;
  bad.prove_since_tx = 50;
  EXPECT_FALSE(db_->VerifiableTxById(bad).ok());
}

INSTANTIATE_TEST_SUITE_P(HeaderVersions, VerifiableTest, ::testing::Values(0u, 1u),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

}  // namespace
}  // namespace immudb::db
