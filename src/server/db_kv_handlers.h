// KvHandlers backed by the database layer (db::Catalog): each RPC converts its request
// (proto_convert.h), calls the caller's database, converts the result, and signs states
// (CurrentState and every VerifiableTx) when a signing key is configured.
// Also CatalogDirectory: the DatabaseDirectory view of the catalog for permissions.
#pragma once

#include <memory>
#include <optional>

#include "crypto/ecdsa.h"
#include "db/catalog.h"
#include "server/database_directory.h"
#include "server/kv_handlers.h"

namespace immudb::server {

class DbKvHandlers : public KvHandlers {
 public:
  // `catalog` is not owned and must outlive this object. `signer` signs states when set.
  DbKvHandlers(db::Catalog* catalog, std::optional<crypto::EcdsaPrivateKey> signer);

  Status Set(const CallInfo&, const schema::SetRequest&, schema::TxHeader*) override;
  void SetAsync(const CallInfo& info, const schema::SetRequest& req, schema::TxHeader* resp,
                std::function<void(Status)> done) override;
  Status VerifiableSet(const CallInfo&, const schema::VerifiableSetRequest&,
                       schema::VerifiableTx*) override;
  void VerifiableSetAsync(const CallInfo& info, const schema::VerifiableSetRequest& req,
                          schema::VerifiableTx* resp, std::function<void(Status)> done) override;
  Status Get(const CallInfo&, const schema::KeyRequest&, schema::Entry*) override;
  Status VerifiableGet(const CallInfo&, const schema::VerifiableGetRequest&,
                       schema::VerifiableEntry*) override;
  Status CurrentState(const CallInfo&, schema::ImmutableState*) override;
  Status Delete(const CallInfo&, const schema::DeleteKeysRequest&, schema::TxHeader*) override;
  Status GetAll(const CallInfo&, const schema::KeyListRequest&, schema::Entries*) override;
  Status Scan(const CallInfo&, const schema::ScanRequest&, schema::Entries*) override;
  Status Count(const CallInfo&, const schema::KeyPrefix&, schema::EntryCount*) override;
  Status History(const CallInfo&, const schema::HistoryRequest&, schema::Entries*) override;
  Status TxById(const CallInfo&, const schema::TxRequest&, schema::Tx*) override;
  Status VerifiableTxById(const CallInfo&, const schema::VerifiableTxRequest&,
                          schema::VerifiableTx*) override;
  Status TxScan(const CallInfo&, const schema::TxScanRequest&, schema::TxList*) override;
  Status ExecAll(const CallInfo&, const schema::ExecAllRequest&, schema::TxHeader*) override;
  Status SetReference(const CallInfo&, const schema::ReferenceRequest&, schema::TxHeader*) override;
  Status VerifiableSetReference(const CallInfo&, const schema::VerifiableReferenceRequest&,
                                schema::VerifiableTx*) override;
  Status ZAdd(const CallInfo&, const schema::ZAddRequest&, schema::TxHeader*) override;
  Status VerifiableZAdd(const CallInfo&, const schema::VerifiableZAddRequest&,
                        schema::VerifiableTx*) override;
  Status ZScan(const CallInfo&, const schema::ZScanRequest&, schema::ZEntries*) override;

  // Catalog.
  Status CreateDatabaseV2(const CallInfo&, const schema::CreateDatabaseRequest&,
                          schema::CreateDatabaseResponse*) override;
  Status DatabaseListV2(const CallInfo&, schema::DatabaseListResponseV2*) override;
  Status LoadDatabase(const CallInfo&, const schema::LoadDatabaseRequest&,
                      schema::LoadDatabaseResponse*) override;
  Status UnloadDatabase(const CallInfo&, const schema::UnloadDatabaseRequest&,
                        schema::UnloadDatabaseResponse*) override;
  Status DeleteDatabase(const CallInfo&, const schema::DeleteDatabaseRequest&,
                        schema::DeleteDatabaseResponse*) override;
  Status UpdateDatabaseV2(const CallInfo&, const schema::UpdateDatabaseRequest&,
                          schema::UpdateDatabaseResponse*) override;
  Status GetDatabaseSettingsV2(const CallInfo&, schema::DatabaseSettingsResponse*) override;

  // Replication (db_kv_handlers_replication.cc).
  Status ExportTx(const CallInfo&, uint64_t tx, Bytes* exported) override;
  Status ReplicateTx(const CallInfo&, ByteView exported, schema::TxHeader*) override;

 private:
  Result<std::shared_ptr<db::Database>> Open(const CallInfo& info);
  // Fills out (tx, dual proof) and, with a signer, the signature of the target state.
  Status RenderVerifiableTx(const std::string& db, const db::VerifiableTx& in,
                            schema::VerifiableTx* out);

  db::Catalog* const catalog_;
  std::optional<crypto::EcdsaPrivateKey> signer_;
};

class CatalogDirectory : public DatabaseDirectory {
 public:
  explicit CatalogDirectory(db::Catalog* catalog) : catalog_(catalog) {}
  bool Exists(const std::string& name) const override;
  std::vector<std::string> List() const override;

 private:
  db::Catalog* const catalog_;
};

}  // namespace immudb::server
