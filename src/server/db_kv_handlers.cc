#include "server/db_kv_handlers.h"

#include "ledger/state.h"
#include "ledger/state_signature.h"
#include "server/proto_convert.h"

namespace immudb::server {

DbKvHandlers::DbKvHandlers(db::Catalog* catalog, std::optional<crypto::EcdsaPrivateKey> signer)
    : catalog_(catalog), signer_(std::move(signer)) {}

Result<std::shared_ptr<db::Database>> DbKvHandlers::Open(const CallInfo& info) {
  return catalog_->Get(info.database);
}

Status DbKvHandlers::RenderVerifiableTx(const std::string& db, const db::VerifiableTx& in,
                                        schema::VerifiableTx* out) {
  ToProto(in, out);
  if (!signer_) return Status::Ok();
  ledger::State state;
  state.db = db;
  state.tx_id = in.dual_proof.target_tx_header.id;
  IMMUDB_ASSIGN_OR_RETURN(state.tx_hash, in.dual_proof.target_tx_header.Alh());
  IMMUDB_ASSIGN_OR_RETURN(ledger::StateSignature sig, ledger::SignState(state, *signer_));
  ToProto(sig, out->mutable_signature());
  return Status::Ok();
}

Status DbKvHandlers::Set(const CallInfo& info, const schema::SetRequest& req,
                         schema::TxHeader* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::SetRequest r, FromProto(req));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader hdr, database->Set(r));
  ToProto(hdr, resp);
  return Status::Ok();
}

void DbKvHandlers::SetAsync(const CallInfo& info, const schema::SetRequest& req,
                            schema::TxHeader* resp, std::function<void(Status)> done) {
  auto database = Open(info);
  if (!database.ok()) return done(database.status());
  auto r = FromProto(req);
  if (!r.ok()) return done(r.status());
  // The callback holds no reference to the database: the last one must not be dropped on
  // the store's completion thread (closing the database drains the callbacks instead).
  std::shared_ptr<std::function<void(Status)>> finish =
      std::make_shared<std::function<void(Status)>>(std::move(done));
  Status queued = (*database)->SetAsync(*r, [resp, finish](Result<ledger::TxHeader> hdr) {
    if (!hdr.ok()) return (*finish)(hdr.status());
    ToProto(*hdr, resp);
    (*finish)(Status::Ok());
  });
  if (!queued.ok()) (*finish)(queued);
}

Status DbKvHandlers::VerifiableSet(const CallInfo& info, const schema::VerifiableSetRequest& req,
                                   schema::VerifiableTx* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::VerifiableSetRequest r, FromProto(req));
  IMMUDB_ASSIGN_OR_RETURN(db::VerifiableTx vtx, database->VerifiableSet(r));
  return RenderVerifiableTx(info.database, vtx, resp);
}

void DbKvHandlers::VerifiableSetAsync(const CallInfo& info,
                                      const schema::VerifiableSetRequest& req,
                                      schema::VerifiableTx* resp,
                                      std::function<void(Status)> done) {
  auto database = Open(info);
  if (!database.ok()) return done(database.status());
  auto r = FromProto(req);
  if (!r.ok()) return done(r.status());
  // As in SetAsync, the callback holds no reference to the database. It renders (and
  // signs) the proof on the store's completion thread; `this` outlives every call.
  auto finish = std::make_shared<std::function<void(Status)>>(std::move(done));
  Status queued = (*database)->VerifiableSetAsync(
      *r, [this, db = info.database, resp, finish](Result<db::VerifiableTx> vtx) {
        if (!vtx.ok()) return (*finish)(vtx.status());
        (*finish)(RenderVerifiableTx(db, *vtx, resp));
      });
  if (!queued.ok()) (*finish)(queued);
}

Status DbKvHandlers::Get(const CallInfo& info, const schema::KeyRequest& req,
                         schema::Entry* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::Entry e, database->Get(FromProto(req)));
  ToProto(e, resp);
  return Status::Ok();
}

Status DbKvHandlers::VerifiableGet(const CallInfo& info, const schema::VerifiableGetRequest& req,
                                   schema::VerifiableEntry* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::VerifiableEntry ve, database->VerifiableGet(FromProto(req)));
  ToProto(ve.entry, resp->mutable_entry());
  ToProto(ve.inclusion_proof, resp->mutable_inclusionproof());
  return RenderVerifiableTx(info.database, ve.verifiable_tx, resp->mutable_verifiabletx());
}

Status DbKvHandlers::CurrentState(const CallInfo& info, schema::ImmutableState* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  db::ImmutableState st = database->CurrentState();
  st.db = info.database;
  ToProto(st, resp);
  if (signer_) {
    ledger::State state{st.db, st.tx_id, st.tx_hash};
    IMMUDB_ASSIGN_OR_RETURN(ledger::StateSignature sig, ledger::SignState(state, *signer_));
    ToProto(sig, resp->mutable_signature());
  }
  return Status::Ok();
}

Status DbKvHandlers::Delete(const CallInfo& info, const schema::DeleteKeysRequest& req,
                            schema::TxHeader* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader hdr, database->Delete(FromProto(req)));
  ToProto(hdr, resp);
  return Status::Ok();
}

Status DbKvHandlers::GetAll(const CallInfo& info, const schema::KeyListRequest& req,
                            schema::Entries* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(auto entries, database->GetAll(FromProto(req)));
  for (const auto& e : entries) ToProto(e, resp->add_entries());
  return Status::Ok();
}

Status DbKvHandlers::Scan(const CallInfo& info, const schema::ScanRequest& req,
                          schema::Entries* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(auto entries, database->Scan(FromProto(req)));
  for (const auto& e : entries) ToProto(e, resp->add_entries());
  return Status::Ok();
}

Status DbKvHandlers::Count(const CallInfo& info, const schema::KeyPrefix& req,
                           schema::EntryCount* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  Bytes prefix(req.prefix().begin(), req.prefix().end());
  IMMUDB_ASSIGN_OR_RETURN(uint64_t n, database->Count(prefix));
  resp->set_count(n);
  return Status::Ok();
}

Status DbKvHandlers::History(const CallInfo& info, const schema::HistoryRequest& req,
                             schema::Entries* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(auto entries, database->History(FromProto(req)));
  for (const auto& e : entries) ToProto(e, resp->add_entries());
  return Status::Ok();
}

Status DbKvHandlers::TxById(const CallInfo& info, const schema::TxRequest& req, schema::Tx* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::Tx tx, database->TxById(FromProto(req)));
  ToProto(tx, resp);
  return Status::Ok();
}

Status DbKvHandlers::VerifiableTxById(const CallInfo& info, const schema::VerifiableTxRequest& req,
                                      schema::VerifiableTx* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::VerifiableTx vtx, database->VerifiableTxById(FromProto(req)));
  return RenderVerifiableTx(info.database, vtx, resp);
}

Status DbKvHandlers::TxScan(const CallInfo& info, const schema::TxScanRequest& req,
                            schema::TxList* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(auto txs, database->TxScan(FromProto(req)));
  for (const auto& tx : txs) ToProto(tx, resp->add_txs());
  return Status::Ok();
}

Status DbKvHandlers::ExecAll(const CallInfo& info, const schema::ExecAllRequest& req,
                             schema::TxHeader* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::ExecAllRequest r, FromProto(req));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader hdr, database->ExecAll(r));
  ToProto(hdr, resp);
  return Status::Ok();
}

Status DbKvHandlers::SetReference(const CallInfo& info, const schema::ReferenceRequest& req,
                                  schema::TxHeader* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(db::ReferenceRequest r, FromProto(req));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader hdr, database->SetReference(r));
  ToProto(hdr, resp);
  return Status::Ok();
}

Status DbKvHandlers::VerifiableSetReference(const CallInfo& info,
                                            const schema::VerifiableReferenceRequest& req,
                                            schema::VerifiableTx* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  db::VerifiableReferenceRequest r;
  IMMUDB_ASSIGN_OR_RETURN(r.reference_request, FromProto(req.referencerequest()));
  r.prove_since_tx = req.provesincetx();
  IMMUDB_ASSIGN_OR_RETURN(db::VerifiableTx vtx, database->VerifiableSetReference(r));
  return RenderVerifiableTx(info.database, vtx, resp);
}

Status DbKvHandlers::ZAdd(const CallInfo& info, const schema::ZAddRequest& req,
                          schema::TxHeader* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(ledger::TxHeader hdr, database->ZAdd(FromProto(req)));
  ToProto(hdr, resp);
  return Status::Ok();
}

Status DbKvHandlers::VerifiableZAdd(const CallInfo& info, const schema::VerifiableZAddRequest& req,
                                    schema::VerifiableTx* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  db::VerifiableZAddRequest r;
  r.zadd_request = FromProto(req.zaddrequest());
  r.prove_since_tx = req.provesincetx();
  IMMUDB_ASSIGN_OR_RETURN(db::VerifiableTx vtx, database->VerifiableZAdd(r));
  return RenderVerifiableTx(info.database, vtx, resp);
}

Status DbKvHandlers::ZScan(const CallInfo& info, const schema::ZScanRequest& req,
                           schema::ZEntries* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto database, Open(info));
  IMMUDB_ASSIGN_OR_RETURN(auto entries, database->ZScan(FromProto(req)));
  for (const auto& e : entries) ToProto(e, resp->add_entries());
  return Status::Ok();
}

Status DbKvHandlers::CreateDatabaseV2(const CallInfo& info, const schema::CreateDatabaseRequest& req,
                                      schema::CreateDatabaseResponse* resp) {
  db::DatabaseSettings base;
  IMMUDB_ASSIGN_OR_RETURN(db::DatabaseSettings settings, FromProto(req.settings(), base));
  IMMUDB_ASSIGN_OR_RETURN(
      db::CreateDatabaseResult created,
      catalog_->Create(req.name(), settings, req.ifnotexists(), info.username));
  resp->set_name(created.name);
  ToProto(created.settings, resp->mutable_settings());
  resp->set_alreadyexisted(created.already_existed);
  return Status::Ok();
}

Status DbKvHandlers::DatabaseListV2(const CallInfo&, schema::DatabaseListResponseV2* resp) {
  IMMUDB_ASSIGN_OR_RETURN(auto infos, catalog_->List());
  for (const auto& i : infos) {
    if (i.name == db::kSystemDbName) continue;
    ToProto(i, resp->add_databases());
  }
  return Status::Ok();
}

namespace {
Status RefuseReserved(const std::string& name) {
  if (name == db::kSystemDbName || name == db::kDefaultDbName) {
    return InvalidArgument("database is reserved");
  }
  return Status::Ok();
}
}  // namespace

Status DbKvHandlers::LoadDatabase(const CallInfo&, const schema::LoadDatabaseRequest& req,
                                  schema::LoadDatabaseResponse* resp) {
  IMMUDB_RETURN_IF_ERROR(RefuseReserved(req.database()));
  IMMUDB_RETURN_IF_ERROR(catalog_->Load(req.database()));
  resp->set_database(req.database());
  return Status::Ok();
}

Status DbKvHandlers::UnloadDatabase(const CallInfo&, const schema::UnloadDatabaseRequest& req,
                                    schema::UnloadDatabaseResponse* resp) {
  IMMUDB_RETURN_IF_ERROR(RefuseReserved(req.database()));
  IMMUDB_RETURN_IF_ERROR(catalog_->Unload(req.database()));
  resp->set_database(req.database());
  return Status::Ok();
}

Status DbKvHandlers::DeleteDatabase(const CallInfo&, const schema::DeleteDatabaseRequest& req,
                                    schema::DeleteDatabaseResponse* resp) {
  IMMUDB_RETURN_IF_ERROR(RefuseReserved(req.database()));
  IMMUDB_RETURN_IF_ERROR(catalog_->Delete(req.database()));
  resp->set_database(req.database());
  return Status::Ok();
}

Status DbKvHandlers::UpdateDatabaseV2(const CallInfo&, const schema::UpdateDatabaseRequest& req,
                                      schema::UpdateDatabaseResponse* resp) {
  IMMUDB_ASSIGN_OR_RETURN(db::DatabaseSettings current, catalog_->GetSettings(req.database()));
  IMMUDB_ASSIGN_OR_RETURN(db::DatabaseSettings wanted, FromProto(req.settings(), current));
  IMMUDB_ASSIGN_OR_RETURN(db::DatabaseSettings updated,
                          catalog_->UpdateSettings(req.database(), wanted));
  resp->set_database(req.database());
  ToProto(updated, resp->mutable_settings());
  return Status::Ok();
}

Status DbKvHandlers::GetDatabaseSettingsV2(const CallInfo& info,
                                           schema::DatabaseSettingsResponse* resp) {
  IMMUDB_ASSIGN_OR_RETURN(db::DatabaseSettings s, catalog_->GetSettings(info.database));
  resp->set_database(info.database);
  ToProto(s, resp->mutable_settings());
  return Status::Ok();
}

bool CatalogDirectory::Exists(const std::string& name) const {
  return name != db::kSystemDbName && catalog_->Exists(name);
}

std::vector<std::string> CatalogDirectory::List() const {
  std::vector<std::string> names;
  auto infos = catalog_->List();
  if (!infos.ok()) return names;
  for (const auto& i : *infos) {
    if (i.name != db::kSystemDbName) names.push_back(i.name);
  }
  return names;
}

}  // namespace immudb::server
