#include "db/embedded.h"

namespace immudb {

Result<std::unique_ptr<Embedded>> Embedded::Open(const EmbeddedOptions& options) {
  crypto::ModuleOptions mo;
  mo.mode = options.fips_mode;
  IMMUDB_RETURN_IF_ERROR(crypto::InitCryptoModule(mo));
  db::CatalogOptions co;
  co.data_dir = options.data_dir;
  co.max_active_databases = options.max_active_databases;
  co.default_settings = options.default_settings;
  IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<db::Catalog> catalog, db::Catalog::Open(co));
  return std::unique_ptr<Embedded>(new Embedded(std::move(catalog)));
}

Embedded::~Embedded() { (void)Close(); }

Result<std::shared_ptr<db::Database>> Embedded::Database(const std::string& name) {
  return catalog_->Get(name);
}

Status Embedded::Close() { return catalog_ ? catalog_->Close() : Status::Ok(); }

}  // namespace immudb
