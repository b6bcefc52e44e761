// The database-backed RPCs, as one interface the database layer implements.
//
// The service (immu_service.h) authenticates every call, resolves the caller's database and
// checks the permission the RPC needs (PROTOCOL.md 5.1) BEFORE calling a handler here, so a
// handler only does the work: it reads the request, fills the response, and returns a
// Status (mapped by status_map.h; use NotFound("key not found") etc. with immudb's texts).
// Every default answers UNIMPLEMENTED naming the feature. To wire the database layer:
// subclass KvHandlers, override what is ready, and pass it in ServerDeps::kv_handlers
// (grpc_server.h).
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "schema.pb.h"

namespace immudb::server {

// What a handler knows about the call.
struct CallInfo {
  std::string username;  // empty when auth is off
  std::string database;  // the selected database (lower-case name), never empty here
  grpc::ServerContextBase* grpc = nullptr;
};

class KvHandlers {
 public:
  virtual ~KvHandlers() = default;

  // Writes (need read-write permission).
  virtual Status Set(const CallInfo&, const schema::SetRequest&, schema::TxHeader*);
  // Set without holding the caller's thread while the commit is made durable. `done` is
  // called exactly once with the call's status, after *resp is filled, possibly on another
  // thread and possibly before SetAsync returns; `req` is only read before SetAsync
  // returns, `resp` until `done`. This default runs Set and calls `done` inline.
  virtual void SetAsync(const CallInfo& info, const schema::SetRequest& req,
                        schema::TxHeader* resp, std::function<void(Status)> done);
  virtual Status VerifiableSet(const CallInfo&, const schema::VerifiableSetRequest&,
                               schema::VerifiableTx*);
  // VerifiableSet as SetAsync is to Set (same contract); the default runs VerifiableSet
  // inline.
  virtual void VerifiableSetAsync(const CallInfo& info, const schema::VerifiableSetRequest& req,
                                  schema::VerifiableTx* resp, std::function<void(Status)> done);
  virtual Status Delete(const CallInfo&, const schema::DeleteKeysRequest&, schema::TxHeader*);
  virtual Status ExecAll(const CallInfo&, const schema::ExecAllRequest&, schema::TxHeader*);
  virtual Status SetReference(const CallInfo&, const schema::ReferenceRequest&, schema::TxHeader*);
  virtual Status VerifiableSetReference(const CallInfo&, const schema::VerifiableReferenceRequest&,
                                        schema::VerifiableTx*);
  virtual Status ZAdd(const CallInfo&, const schema::ZAddRequest&, schema::TxHeader*);
  virtual Status VerifiableZAdd(const CallInfo&, const schema::VerifiableZAddRequest&,
                                schema::VerifiableTx*);
  virtual Status GetAll(const CallInfo&, const schema::KeyListRequest&, schema::Entries*);

  // Reads (need read permission).
  virtual Status Get(const CallInfo&, const schema::KeyRequest&, schema::Entry*);
  virtual Status VerifiableGet(const CallInfo&, const schema::VerifiableGetRequest&,
                               schema::VerifiableEntry*);
  virtual Status Scan(const CallInfo&, const schema::ScanRequest&, schema::Entries*);
  virtual Status Count(const CallInfo&, const schema::KeyPrefix&, schema::EntryCount*);
  virtual Status CountAll(const CallInfo&, schema::EntryCount*);
  virtual Status TxById(const CallInfo&, const schema::TxRequest&, schema::Tx*);
  virtual Status VerifiableTxById(const CallInfo&, const schema::VerifiableTxRequest&,
                                  schema::VerifiableTx*);
  virtual Status TxScan(const CallInfo&, const schema::TxScanRequest&, schema::TxList*);
  virtual Status History(const CallInfo&, const schema::HistoryRequest&, schema::Entries*);
  virtual Status ZScan(const CallInfo&, const schema::ZScanRequest&, schema::ZEntries*);
  virtual Status CurrentState(const CallInfo&, schema::ImmutableState*);

  // Administration (need admin permission on the database).
  virtual Status FlushIndex(const CallInfo&, const schema::FlushIndexRequest&,
                            schema::FlushIndexResponse*);
  virtual Status CompactIndex(const CallInfo&);
  // Replication (admin on the database): immudb's ExportTx bytes of tx `tx`, and the commit
  // of such bytes with their original header (db::Database::ExportTx / ReplicateTx).
  virtual Status ExportTx(const CallInfo&, uint64_t tx, Bytes* exported);
  virtual Status ReplicateTx(const CallInfo&, ByteView exported, schema::TxHeader*);

  // Catalog (sysadmin). `database` in CallInfo is the caller's current one.
  virtual Status CreateDatabaseV2(const CallInfo&, const schema::CreateDatabaseRequest&,
                                  schema::CreateDatabaseResponse*);
  virtual Status DatabaseListV2(const CallInfo&, schema::DatabaseListResponseV2*);
  virtual Status LoadDatabase(const CallInfo&, const schema::LoadDatabaseRequest&,
                              schema::LoadDatabaseResponse*);
  virtual Status UnloadDatabase(const CallInfo&, const schema::UnloadDatabaseRequest&,
                                schema::UnloadDatabaseResponse*);
  virtual Status DeleteDatabase(const CallInfo&, const schema::DeleteDatabaseRequest&,
                                schema::DeleteDatabaseResponse*);
  virtual Status UpdateDatabaseV2(const CallInfo&, const schema::UpdateDatabaseRequest&,
                                  schema::UpdateDatabaseResponse*);
  // Settings of the caller's database (read permission).
  virtual Status GetDatabaseSettingsV2(const CallInfo&, schema::DatabaseSettingsResponse*);
};

// Unimplemented("<feature> is not implemented yet") with the same wording everywhere.
Status NotYet(const char* feature);

}  // namespace immudb::server
