// The catalog of databases under one data folder: systemdb and defaultdb are created at first
// start; databases can be created (with settings), listed, loaded, unloaded, deleted and
// updated. At most `max_active_databases` are kept open at once (least recently used ones are
// closed and transparently reopened on next use; nothing is lost since every database is
// durable on disk).
//
// Layout: <data_dir>/<name>/{settings.json, catalog.json, store/, index/}.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "db/database.h"
#include "db/settings.h"

namespace immudb::db {

inline constexpr const char* kSystemDbName = "systemdb";
inline constexpr const char* kDefaultDbName = "defaultdb";

struct CatalogOptions {
  std::string data_dir = "./data";
  size_t max_active_databases = 100;   // immudb's --max-active-databases
  DatabaseSettings default_settings;   // for systemdb, defaultdb and unspecified fields
  CommitTuning commit_tuning;          // every database's group commit delay
  // Tests: runs before a database is opened, without the catalog's lock held.
  std::function<void(const std::string& name)> before_open;
};

// DatabaseInfo of DatabaseListV2.
struct DatabaseInfo {
  std::string name;
  DatabaseSettings settings;
  bool loaded = false;
  uint64_t disk_size = 0;
  uint64_t num_transactions = 0;
  uint64_t created_at = 0;  // Unix seconds
  std::string created_by;
};

struct CreateDatabaseResult {
  std::string name;
  DatabaseSettings settings;
  bool already_existed = false;
};

// immudb's database name rule: 1..128 characters, lower-case letters, digits and '_'.
// InvalidArgument with immudb's message otherwise.
Status ValidateDatabaseName(const std::string& name);

class Catalog {
 public:
  // Opens the catalog in opts.data_dir, creating the folder, systemdb and defaultdb if
  // missing. Databases are opened lazily on first Get.
  static Result<std::unique_ptr<Catalog>> Open(const CatalogOptions& opts);
  ~Catalog();

  // Closes every open database. Idempotent.
  Status Close();

  // Creates database `name`. AlreadyExists ("database already exists") unless if_not_exists,
  // in which case the existing settings are returned with already_existed = true.
  Result<CreateDatabaseResult> Create(const std::string& name, const DatabaseSettings& settings,
                                      bool if_not_exists = false,
                                      const std::string& created_by = "");
  // Every database, sorted by name.
  Result<std::vector<DatabaseInfo>> List();
  bool Exists(const std::string& name) const;

  // The open database `name`, opening it if needed (and closing the least recently used one
  // beyond the active limit). NotFound if it does not exist, FailedPrecondition if unloaded.
  // Opening (which may rebuild the database's index) runs without the catalog's lock: other
  // databases stay usable meanwhile; other callers of the same name wait for that open, and
  // Unload, UpdateSettings and Close wait for it to finish.
  Result<std::shared_ptr<Database>> Get(const std::string& name);

  // Marks a database loaded (usable) / unloaded (closed, refused by Get until loaded).
  Status Load(const std::string& name);
  Status Unload(const std::string& name);
  // Removes an unloaded database and its files. systemdb and defaultdb cannot be deleted.
  Status Delete(const std::string& name);

  // Replaces the settings of `name` (creation-only fields must stay as they were). An open
  // database is closed so the next Get reopens it with the new settings.
  Result<DatabaseSettings> UpdateSettings(const std::string& name, const DatabaseSettings& s);
  Result<DatabaseSettings> GetSettings(const std::string& name) const;

  // Number of databases currently open.
  size_t ActiveCount() const;

 private:
  struct Meta {
    uint64_t created_at = 0;
    std::string created_by;
    bool loaded = true;
  };
  explicit Catalog(CatalogOptions opts);
  std::string DbDir(const std::string& name) const;
  Status WriteMeta(const std::string& name, const Meta& m) const;
  Result<Meta> ReadMeta(const std::string& name) const;
  Status WriteSettings(const std::string& name, const DatabaseSettings& s) const;
  Status CreateLocked(const std::string& name, const DatabaseSettings& s, const std::string& by);
  Status CloseLocked(const std::string& name);
  void EvictLocked();
  // Waits (releasing mu_ meanwhile) until no Get is opening `name`.
  void WaitNotOpeningLocked(std::unique_lock<std::mutex>& l, const std::string& name);

  CatalogOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable opened_cv_;  // an open of a name in opening_ finished
  std::set<std::string> opening_;      // names a Get is opening now (without mu_)
  std::map<std::string, std::shared_ptr<Database>> open_;
  std::list<std::string> lru_;  // front = most recently used
  bool closed_ = false;
};

}  // namespace immudb::db
