// Fuzzes the server's request handling in-process: byte 0 picks an RPC, the rest is parsed
// as that RPC's request message (what gRPC does with the bytes a client sends) and run
// through the same handlers the gRPC service calls after authentication (DbKvHandlers over
// a real catalog in a temporary folder, as user immudb on defaultdb), then the status is
// mapped to gRPC and the response serialized, as the server would send it. Property: every
// request is answered with a response or an error status: no crash, no sanitizer report, no
// hang, no escaped exception.
//
// The database persists across inputs (a fuzzing session builds up keys, references, sorted
// sets and txs, so reads meet real data); it lives in $TMPDIR and is removed at exit.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "db/catalog.h"
#include "fuzz_init.h"
#include "schema.pb.h"
#include "server/db_kv_handlers.h"
#include "server/status_map.h"

using namespace immudb;
using namespace immudb::server;

namespace {

std::string g_dir;
// Never destroyed: a static unique_ptr's destructor would close the catalog (and its RocksDB
// index) from the exit handlers, after RocksDB's own statics are gone (a SEGV inside
// rocksdb::Log at exit). Both stay reachable from these globals, so LeakSanitizer does not
// count them.
db::Catalog* g_catalog = nullptr;
DbKvHandlers* g_handlers = nullptr;

// Removes the folder only (see above).
void Cleanup() {
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

template <typename Req, typename Resp, typename Fn>
void Run(const uint8_t* data, size_t size, Fn fn) {
  Req req;
  if (!req.ParseFromArray(data, static_cast<int>(size))) return;
  Resp resp;
  CallInfo info{"immudb", "defaultdb", nullptr};
  Status st = fn(info, req, &resp);
  grpc::Status g = ToGrpcStatus(st);
  if (g.ok()) {
    std::string wire;
    (void)resp.SerializeToString(&wire);
  }
}

template <typename Resp, typename Fn>
void RunEmpty(Fn fn) {
  Resp resp;
  CallInfo info{"immudb", "defaultdb", nullptr};
  grpc::Status g = ToGrpcStatus(fn(info, &resp));
  if (g.ok()) {
    std::string wire;
    (void)resp.SerializeToString(&wire);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  const char* tmp = std::getenv("TMPDIR");
  g_dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/immudb-request-fuzz-" +
          std::to_string(::getpid());
  std::filesystem::remove_all(g_dir);
  db::CatalogOptions o;
  o.data_dir = g_dir;
  o.default_settings.file_size = 1 << 20;
  o.default_settings.synced = false;
  o.default_settings.prealloc_files = false;
  o.default_settings.max_result_size = 100;
  auto c = db::Catalog::Open(o);
  if (!c.ok()) {
    std::fprintf(stderr, "catalog: %s\n", c.status().ToString().c_str());
    std::abort();
  }
  g_catalog = c->release();
  g_handlers = new DbKvHandlers(g_catalog, std::nullopt);
  std::atexit(Cleanup);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  KvHandlers& h = *g_handlers;
  const uint8_t* d = data + 1;
  const size_t n = size - 1;
#define RPC(Name, Req, Resp)                                                              \
  Run<schema::Req, schema::Resp>(d, n, [&h](const CallInfo& i, const schema::Req& r,       \
                                            schema::Resp* out) { return h.Name(i, r, out); })
  switch (data[0] % 21) {
    case 0: RPC(Set, SetRequest, TxHeader); break;
    case 1: RPC(VerifiableSet, VerifiableSetRequest, VerifiableTx); break;
    case 2: RPC(Get, KeyRequest, Entry); break;
    case 3: RPC(VerifiableGet, VerifiableGetRequest, VerifiableEntry); break;
    case 4: RPC(Delete, DeleteKeysRequest, TxHeader); break;
    case 5: RPC(GetAll, KeyListRequest, Entries); break;
    case 6: RPC(Scan, ScanRequest, Entries); break;
    case 7: RPC(Count, KeyPrefix, EntryCount); break;
    case 8: RPC(History, HistoryRequest, Entries); break;
    case 9: RPC(TxById, TxRequest, Tx); break;
    case 10: RPC(VerifiableTxById, VerifiableTxRequest, VerifiableTx); break;
    case 11: RPC(TxScan, TxScanRequest, TxList); break;
    case 12: RPC(ExecAll, ExecAllRequest, TxHeader); break;
    case 13: RPC(SetReference, ReferenceRequest, TxHeader); break;
    case 14: RPC(VerifiableSetReference, VerifiableReferenceRequest, VerifiableTx); break;
    case 15: RPC(ZAdd, ZAddRequest, TxHeader); break;
    case 16: RPC(VerifiableZAdd, VerifiableZAddRequest, VerifiableTx); break;
    case 17: RPC(ZScan, ZScanRequest, ZEntries); break;
    case 18:
      RunEmpty<schema::ImmutableState>(
          [&h](const CallInfo& i, schema::ImmutableState* out) { return h.CurrentState(i, out); });
      break;
    case 19:
      RunEmpty<schema::EntryCount>(
          [&h](const CallInfo& i, schema::EntryCount* out) { return h.CountAll(i, out); });
      break;
    case 20:
      RunEmpty<schema::DatabaseSettingsResponse>([&h](const CallInfo& i,
                                                      schema::DatabaseSettingsResponse* out) {
        return h.GetDatabaseSettingsV2(i, out);
      });
      break;
  }
#undef RPC
  return 0;
}
