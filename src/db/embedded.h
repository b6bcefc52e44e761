// libimmudb, embedded: the whole engine in-process, no server. Opens a data folder (the same
// layout the server uses), initialises the crypto module, and hands out databases.
//
//   auto im = immudb::Embedded::Open({.data_dir = "./data"});
//   auto db = (*im)->Database("defaultdb");
//   (*db)->Set(...); (*db)->VerifiableGet(...);
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "crypto/module.h"
#include "db/catalog.h"
#include "db/database.h"

namespace immudb {

struct EmbeddedOptions {
  std::string data_dir = "./data";
  // FIPS mode of the process-wide crypto module. If the module is already initialised in
  // the same mode this is a no-op; another mode is an error.
  crypto::FipsMode fips_mode = crypto::DefaultFipsMode();
  size_t max_active_databases = 100;
  db::DatabaseSettings default_settings;
};

class Embedded {
 public:
  // Initialises the crypto module and opens (creating) the catalog in options.data_dir.
  static Result<std::unique_ptr<Embedded>> Open(const EmbeddedOptions& options = {});
  ~Embedded();

  // The database `name` (defaultdb by default), opened on first use. The returned handle
  // stays valid after Close()/LRU eviction only until the catalog closes it.
  Result<std::shared_ptr<db::Database>> Database(const std::string& name = db::kDefaultDbName);
  // Create/list/load/unload/delete databases and their settings.
  db::Catalog& catalog() { return *catalog_; }

  // Closes every database (flushing the index) and the catalog. Idempotent.
  Status Close();

 private:
  explicit Embedded(std::unique_ptr<db::Catalog> c) : catalog_(std::move(c)) {}
  std::unique_ptr<db::Catalog> catalog_;
};

}  // namespace immudb
