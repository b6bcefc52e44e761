// Writes the seed corpora of the fuzzers into <out>/<fuzzer>/ (default fuzz/corpus): valid
// encodings produced by the product's own encoders, so fuzzing starts from inputs that reach
// deep into each decoder. Run once when a format changes; the output is committed.
//   fuzz_seed_gen [out_dir]
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "db/catalog.h"
#include "fuzz_init.h"
#include "ledger/metadata.h"
#include "ledger/tx.h"
#include "schema.pb.h"
#include "server/db_kv_handlers.h"
#include "store/commit_log.h"
#include "store/log_format.h"
#include "store/tx_record.h"

using namespace immudb;

namespace {

std::string g_out;

void Write(const std::string& fuzzer, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(g_out + "/" + fuzzer);
  std::ofstream(g_out + "/" + fuzzer + "/" + name, std::ios::binary) << bytes;
}
std::string S(ByteView b) { return std::string(b.begin(), b.end()); }
std::string Sel(uint8_t b) { return std::string(1, char(b)); }

#define CHECK_OK(expr)                                                        \
  do {                                                                        \
    auto&& _r = (expr);                                                       \
    if (!_r.ok()) {                                                           \
      std::fprintf(stderr, "%s: %s\n", #expr, _r.status().ToString().c_str()); \
      std::exit(1);                                                           \
    }                                                                         \
  } while (0)

void StoreAndMetadataSeeds() {
  ledger::KvMetadata kmd;
  kmd.deleted = true;
  kmd.expires_at = 1700000000;
  kmd.non_indexable = true;
  ledger::TxMetadata tmd;
  tmd.truncated_upto_tx = 7;
  tmd.extra = Bytes{'x', 'y'};
  Write("metadata_fuzzer", "kv", Sel(0) + S(kmd.Encode()));
  Write("metadata_fuzzer", "tx", Sel(1) + S(*tmd.Encode()));

  ledger::TxHeader h;
  h.id = 3;
  h.ts = 1700000000;
  h.bl_tx_id = 2;
  h.bl_root.fill(0xab);
  h.prev_alh.fill(0xcd);
  h.metadata = tmd;
  std::vector<ledger::TxEntry> entries(2);
  entries[0].key = Bytes{0, 'k', '1'};
  entries[0].metadata = kmd;
  entries[0].value_len = 5;
  entries[0].value_hash.fill(0x11);
  entries[1].key = Bytes{0, 'k', '2'};
  entries[1].value_len = 0;
  h.n_entries = 2;
  h.eh = *ledger::ComputeEh(h.version, entries);
  Write("metadata_fuzzer", "header_v1", Sel(2) + S(*h.Serialize()));
  ledger::TxHeader h0 = h;
  h0.version = 0;
  h0.metadata = {};
  Write("metadata_fuzzer", "header_v0", Sel(3) + S(*h0.Serialize()));

  Bytes rec;
  std::vector<Bytes> mds = {kmd.Encode(), Bytes{}};
  std::vector<uint64_t> offsets = {0, 5};
  store::AppendTxRecord(h, *tmd.Encode(), entries, mds, offsets, &rec);
  Write("store_records_fuzzer", "tx_record", Sel(0) + S(rec));
  Write("store_records_fuzzer", "tx_payload",
        Sel(1) + S(ByteView(rec).subspan(store::format::kTxRecordHeaderSize)));
  store::CommitRecord cr{3, 4096, uint32_t(rec.size()), 5, *h.Alh()};
  uint8_t buf[store::format::kCommitRecordSize];
  store::EncodeCommitRecord(cr, buf);
  Write("store_records_fuzzer", "commit_record", Sel(2) + S(ByteView(buf, sizeof(buf))));
  Write("store_records_fuzzer", "commit_fields", Sel(3) + S(ByteView(buf, 60)));
}

void ConfigSeeds() {
  Write("config_fuzzer", "full.toml",
        Sel(0) + "address = \"127.0.0.1\"\nport = 3323\ndir = \"./data\"\nauth = true\n"
                 "synced = false\nmax-sessions = 10\nmax-session-inactivity-time = \"1m30s\"\n"
                 "session-timeout = \"2m\"\ntoken-expiry-time = 60\nlogformat = \"json\"\n"
                 "max-recv-msg-size = 4194304\ngrpc-threads = 4\n");
  Write("config_fuzzer", "duration", Sel(1) + Sel(0) + "1h2m3.5s");
  Write("config_fuzzer", "int", Sel(1) + Sel(1) + "65535");
}

// Drives the real handlers to produce genuine requests and verifiable responses.
void ServerSeeds() {
  std::string dir = "/tmp/immudb-seed-gen-" + std::to_string(::getpid());
  db::CatalogOptions o;
  o.data_dir = dir;
  o.default_settings.file_size = 1 << 20;
  o.default_settings.prealloc_files = false;
  auto catalog = db::Catalog::Open(o);
  CHECK_OK(catalog);
  server::DbKvHandlers h(catalog->get(), std::nullopt);
  server::CallInfo info{"immudb", "defaultdb", nullptr};
  auto req = [](uint8_t sel, const google::protobuf::Message& m) {
    return Sel(sel) + m.SerializeAsString();
  };

  schema::SetRequest set;
  auto* kv = set.add_kvs();
  kv->set_key("k1");
  kv->set_value("v1");
  kv->mutable_metadata()->set_nonindexable(false);
  Write("server_request_fuzzer", "set", req(0, set));
  schema::TxHeader txh;
  for (int i = 0; i < 3; ++i) {
    if (!h.Set(info, set, &txh).ok()) std::exit(1);
  }
  schema::ImmutableState st2;
  (void)h.CurrentState(info, &st2);

  schema::VerifiableSetRequest vset;
  *vset.mutable_setrequest() = set;
  vset.set_provesincetx(st2.txid());
  Write("server_request_fuzzer", "vset", req(1, vset));
  schema::VerifiableTx vtx;
  if (!h.VerifiableSet(info, vset, &vtx).ok()) std::exit(1);

  schema::KeyRequest get;
  get.set_key("k1");
  Write("server_request_fuzzer", "get", req(2, get));
  schema::VerifiableGetRequest vget;
  *vget.mutable_keyrequest() = get;
  vget.set_provesincetx(st2.txid());
  Write("server_request_fuzzer", "vget", req(3, vget));
  schema::VerifiableEntry ventry;
  if (!h.VerifiableGet(info, vget, &ventry).ok()) std::exit(1);

  schema::DeleteKeysRequest del;
  del.add_keys("k9");
  Write("server_request_fuzzer", "delete", req(4, del));
  schema::KeyListRequest all;
  all.add_keys("k1");
  all.add_keys("k2");
  Write("server_request_fuzzer", "getall", req(5, all));
  schema::ScanRequest scan;
  scan.set_prefix("k");
  scan.set_limit(10);
  Write("server_request_fuzzer", "scan", req(6, scan));
  schema::KeyPrefix count;
  count.set_prefix("k");
  Write("server_request_fuzzer", "count", req(7, count));
  schema::HistoryRequest hist;
  hist.set_key("k1");
  hist.set_limit(5);
  Write("server_request_fuzzer", "history", req(8, hist));
  schema::TxRequest tx;
  tx.set_tx(1);
  Write("server_request_fuzzer", "txbyid", req(9, tx));
  schema::VerifiableTxRequest vtxr;
  vtxr.set_tx(1);
  vtxr.set_provesincetx(st2.txid());
  Write("server_request_fuzzer", "vtxbyid", req(10, vtxr));
  schema::VerifiableTx vtx_by_id;
  if (!h.VerifiableTxById(info, vtxr, &vtx_by_id).ok()) std::exit(1);
  schema::TxScanRequest txs;
  txs.set_initialtx(1);
  txs.set_limit(3);
  Write("server_request_fuzzer", "txscan", req(11, txs));
  schema::ExecAllRequest exec;
  auto* op1 = exec.add_operations()->mutable_kv();
  op1->set_key("e1");
  op1->set_value("x");
  auto* op2 = exec.add_operations()->mutable_zadd();
  op2->set_set("s");
  op2->set_key("e1");
  op2->set_score(1.5);
  auto* op3 = exec.add_operations()->mutable_ref();
  op3->set_key("r1");
  op3->set_referencedkey("e1");
  Write("server_request_fuzzer", "execall", req(12, exec));
  schema::ReferenceRequest ref;
  ref.set_key("r2");
  ref.set_referencedkey("k1");
  Write("server_request_fuzzer", "ref", req(13, ref));
  schema::ZAddRequest zadd;
  zadd.set_set("s");
  zadd.set_key("k1");
  zadd.set_score(2);
  Write("server_request_fuzzer", "zadd", req(15, zadd));
  schema::ZScanRequest zscan;
  zscan.set_set("s");
  Write("server_request_fuzzer", "zscan", req(17, zscan));
  Write("server_request_fuzzer", "state", Sel(18));

  // Client-side verification seeds: hash32 | key "\\z" | message | tx | local tx | mode
  // (FuzzedDataProvider reads integers from the end, bytes and strings from the front).
  auto client_seed = [&](uint8_t mode, const std::string& key, uint8_t tx_arg,
                         const std::string& msg) {
    return st2.txhash() + key + "\\z" + msg + Sel(tx_arg) + Sel(uint8_t(st2.txid())) + Sel(mode);
  };
  Write("client_verify_fuzzer", "vget", client_seed(0, "k1", 0, ventry.SerializeAsString()));
  Write("client_verify_fuzzer", "vset", client_seed(1, "k1", 0, vtx.SerializeAsString()));
  Write("client_verify_fuzzer", "vtx", client_seed(2, "", 1, vtx_by_id.SerializeAsString()));
  Write("proof_verify_fuzzer", "dual_set", Sel(0) + vtx.dualproof().SerializeAsString());
  Write("proof_verify_fuzzer", "dual_tx", Sel(0) + vtx_by_id.dualproof().SerializeAsString());
  for (uint8_t m = 1; m < 6; ++m) {
    Write("proof_verify_fuzzer", "raw" + std::to_string(m),
          Sel(m) + std::string(64, char(0x5a)) + std::string(48, char(m)));
  }
  for (uint8_t m = 0; m < 5; ++m) {
    Write("proof_tamper_fuzzer", "kind" + std::to_string(m),
          std::string(8, char(0x33 + m)) + Sel(m) + Sel(0x40) + Sel(0x07) + Sel(0x20) + Sel(m));
  }
  (void)(*catalog)->Close();
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  g_out = argc > 1 ? argv[1] : "fuzz/corpus";
  immudb::fuzz::InitCrypto();
  StoreAndMetadataSeeds();
  ConfigSeeds();
  ServerSeeds();
  std::printf("seeds written to %s\n", g_out.c_str());
  return 0;
}
