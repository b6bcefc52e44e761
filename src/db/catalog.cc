#include "db/catalog.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace immudb::db {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSettingsFile = "settings.json";
constexpr const char* kMetaFile = "catalog.json";

// Writes `text` to `path` atomically: temp file, fsync, rename, fsync of the folder.
Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot write " + tmp.string());
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      return IoError("cannot write " + tmp.string());
    }
    off += size_t(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return IoError("cannot sync " + tmp.string());
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IoError("cannot rename " + tmp.string() + ": " + ec.message());
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t DirSize(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

Status NotExists() { return NotFound("database does not exist"); }

}  // namespace

Status ValidateDatabaseName(const std::string& name) {
  if (name.empty() || name.size() > 128) {
    return InvalidArgument("database name length outside of limits");
  }
  bool special = false;
  for (unsigned char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') continue;
    if (c < 0x80 && std::ispunct(c)) {
      special = true;
      continue;
    }
    return InvalidArgument("unrecognized character in database name");
  }
  if (special) {
    return InvalidArgument("punctuation marks and symbols are not allowed in database name");
  }
  return Status::Ok();
}

Catalog::Catalog(CatalogOptions opts) : opts_(std::move(opts)) {}

Catalog::~Catalog() { (void)Close(); }

Result<std::unique_ptr<Catalog>> Catalog::Open(const CatalogOptions& opts) {
  IMMUDB_RETURN_IF_ERROR(opts.default_settings.Validate());
  if (opts.max_active_databases == 0) {
    return InvalidArgument("max active databases must be at least 1");
  }
  std::error_code ec;
  fs::create_directories(opts.data_dir, ec);
  if (ec) return IoError("cannot create data folder " + opts.data_dir + ": " + ec.message());
  std::unique_ptr<Catalog> c(new Catalog(opts));
  std::lock_guard<std::mutex> l(c->mu_);
  for (const char* name : {kSystemDbName, kDefaultDbName}) {
    if (!fs::exists(fs::path(c->DbDir(name)) / kSettingsFile)) {
      IMMUDB_RETURN_IF_ERROR(c->CreateLocked(name, opts.default_settings, ""));
    }
  }
  return c;
}

Status Catalog::Close() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return Status::Ok();
  closed_ = true;
  // A Get opening a database now sees closed_ when it finishes and closes it itself.
  opened_cv_.wait(l, [this] { return opening_.empty(); });
  Status first;
  for (auto& [name, db] : open_) {
    Status st = db->Close();
    if (first.ok() && !st.ok()) first = st;
  }
  open_.clear();
  lru_.clear();
  return first;
}

std::string Catalog::DbDir(const std::string& name) const {
  return (fs::path(opts_.data_dir) / name).string();
}

Status Catalog::WriteMeta(const std::string& name, const Meta& m) const {
  nlohmann::json j = {{"createdAt", m.created_at}, {"createdBy", m.created_by},
                      {"loaded", m.loaded}};
  return WriteFileAtomically(fs::path(DbDir(name)) / kMetaFile, j.dump(2));
}

Result<Catalog::Meta> Catalog::ReadMeta(const std::string& name) const {
  IMMUDB_ASSIGN_OR_RETURN(std::string text, ReadFile(fs::path(DbDir(name)) / kMetaFile));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corruption("catalog: bad " + name + "/catalog.json");
  Meta m;
  m.created_at = j.value("createdAt", uint64_t{0});
  m.created_by = j.value("createdBy", std::string());
  m.loaded = j.value("loaded", true);
  return m;
}

Status Catalog::WriteSettings(const std::string& name, const DatabaseSettings& s) const {
  return WriteFileAtomically(fs::path(DbDir(name)) / kSettingsFile, s.ToJson());
}

Result<DatabaseSettings> Catalog::GetSettings(const std::string& name) const {
  auto text = ReadFile(fs::path(DbDir(name)) / kSettingsFile);
  if (!text.ok()) return NotExists();
  return DatabaseSettings::FromJson(*text);
}

bool Catalog::Exists(const std::string& name) const {
  if (!ValidateDatabaseName(name).ok()) return false;
  return fs::exists(fs::path(DbDir(name)) / kSettingsFile);
}

Status Catalog::CreateLocked(const std::string& name, const DatabaseSettings& s,
                             const std::string& by) {
  IMMUDB_RETURN_IF_ERROR(s.Validate());
  std::error_code ec;
  fs::create_directories(DbDir(name), ec);
  if (ec) return IoError("cannot create " + DbDir(name) + ": " + ec.message());
  Meta m;
  m.created_at = uint64_t(std::time(nullptr));
  m.created_by = by;
  m.loaded = true;
  IMMUDB_RETURN_IF_ERROR(WriteMeta(name, m));
  // settings.json last: its presence is what makes the database exist.
  return WriteSettings(name, s);
}

Result<CreateDatabaseResult> Catalog::Create(const std::string& name,
                                             const DatabaseSettings& settings, bool if_not_exists,
                                             const std::string& created_by) {
  IMMUDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  std::lock_guard<std::mutex> l(mu_);
  if (closed_) return FailedPrecondition("catalog is closed");
  if (Exists(name)) {
    if (!if_not_exists) return AlreadyExists("database already exists");
    IMMUDB_ASSIGN_OR_RETURN(DatabaseSettings existing, GetSettings(name));
    return CreateDatabaseResult{name, existing, true};
  }
  IMMUDB_RETURN_IF_ERROR(CreateLocked(name, settings, created_by));
  return CreateDatabaseResult{name, settings, false};
}

Result<std::vector<DatabaseInfo>> Catalog::List() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<DatabaseInfo> out;
  std::error_code ec;
  for (auto& d : fs::directory_iterator(opts_.data_dir, ec)) {
    if (!d.is_directory()) continue;
    std::string name = d.path().filename().string();
    if (!Exists(name)) continue;
    DatabaseInfo info;
    info.name = name;
    IMMUDB_ASSIGN_OR_RETURN(info.settings, GetSettings(name));
    auto meta = ReadMeta(name);
    if (meta.ok()) {
      info.loaded = meta->loaded;
      info.created_at = meta->created_at;
      info.created_by = meta->created_by;
    }
    info.disk_size = DirSize(d.path());
    auto it = open_.find(name);
    if (it != open_.end()) info.num_transactions = it->second->LastCommittedTx();
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const DatabaseInfo& a, const DatabaseInfo& b) { return a.name < b.name; });
  return out;
}

void Catalog::EvictLocked() {
  // Close least recently used databases nobody else holds until within the limit.
  auto it = lru_.end();
  while (open_.size() > opts_.max_active_databases && it != lru_.begin()) {
    --it;
    auto db = open_.find(*it);
    if (db == open_.end() || db->second.use_count() > 1) continue;
    (void)db->second->Close();
    open_.erase(db);
    it = lru_.erase(it);
  }
}

void Catalog::WaitNotOpeningLocked(std::unique_lock<std::mutex>& l, const std::string& name) {
  opened_cv_.wait(l, [&] { return opening_.count(name) == 0; });
}

Result<std::shared_ptr<Database>> Catalog::Get(const std::string& name) {
  IMMUDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (closed_) return FailedPrecondition("catalog is closed");
    auto it = open_.find(name);
    if (it != open_.end()) {
      lru_.remove(name);
      lru_.push_front(name);
      return it->second;
    }
    if (opening_.count(name) == 0) break;
    opened_cv_.wait(l);  // another Get is opening it: take its result (or retry its failure)
  }
  if (!Exists(name)) return NotExists();
  IMMUDB_ASSIGN_OR_RETURN(Meta meta, ReadMeta(name));
  if (!meta.loaded) return FailedPrecondition("database is not loaded");
  IMMUDB_ASSIGN_OR_RETURN(DatabaseSettings s, GetSettings(name));
  // Open without the lock: it may take long (an index rebuilt from the store).
  opening_.insert(name);
  l.unlock();
  if (opts_.before_open) opts_.before_open(name);
  Result<std::unique_ptr<Database>> opened =
      Database::Open(name, DbDir(name), s, opts_.commit_tuning);
  l.lock();
  opening_.erase(name);
  opened_cv_.notify_all();
  if (!opened.ok()) return opened.status();
  std::shared_ptr<Database> shared(std::move(opened).value());
  if (closed_) {
    (void)shared->Close();
    return FailedPrecondition("catalog is closed");
  }
  open_[name] = shared;
  lru_.push_front(name);
  EvictLocked();
  return shared;
}

Status Catalog::CloseLocked(const std::string& name) {
  auto it = open_.find(name);
  if (it == open_.end()) return Status::Ok();
  Status st = it->second->Close();
  open_.erase(it);
  lru_.remove(name);
  return st;
}

Status Catalog::Load(const std::string& name) {
  IMMUDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  std::lock_guard<std::mutex> l(mu_);
  if (!Exists(name)) return NotExists();
  IMMUDB_ASSIGN_OR_RETURN(Meta meta, ReadMeta(name));
  if (meta.loaded) return FailedPrecondition("database already loaded");
  meta.loaded = true;
  return WriteMeta(name, meta);
}

Status Catalog::Unload(const std::string& name) {
  IMMUDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  std::unique_lock<std::mutex> l(mu_);
  WaitNotOpeningLocked(l, name);
  if (!Exists(name)) return NotExists();
  if (name == kSystemDbName || name == kDefaultDbName) {
    return PermissionDenied("database is reserved");
  }
  IMMUDB_ASSIGN_OR_RETURN(Meta meta, ReadMeta(name));
  if (!meta.loaded) return FailedPrecondition("database is not loaded");
  IMMUDB_RETURN_IF_ERROR(CloseLocked(name));
  meta.loaded = false;
  return WriteMeta(name, meta);
}

Status Catalog::Delete(const std::string& name) {
  IMMUDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  std::unique_lock<std::mutex> l(mu_);
  WaitNotOpeningLocked(l, name);
  if (name == kSystemDbName || name == kDefaultDbName) {
    return PermissionDenied("database is reserved");
  }
  if (!Exists(name)) return NotExists();
  IMMUDB_ASSIGN_OR_RETURN(Meta meta, ReadMeta(name));
  if (meta.loaded) return FailedPrecondition("cannot delete an open database");
  // Remove the marker first so a crash midway leaves no half-existing database.
  std::error_code ec;
  fs::remove(fs::path(DbDir(name)) / kSettingsFile, ec);
  fs::remove_all(DbDir(name), ec);
  if (ec) return IoError("cannot delete " + DbDir(name) + ": " + ec.message());
  return Status::Ok();
}

Result<DatabaseSettings> Catalog::UpdateSettings(const std::string& name,
                                                 const DatabaseSettings& s) {
  IMMUDB_RETURN_IF_ERROR(ValidateDatabaseName(name));
  IMMUDB_RETURN_IF_ERROR(s.Validate());
  std::unique_lock<std::mutex> l(mu_);
  WaitNotOpeningLocked(l, name);
  if (!Exists(name)) return NotExists();
  IMMUDB_ASSIGN_OR_RETURN(DatabaseSettings old, GetSettings(name));
  if (old.write_tx_header_version != s.write_tx_header_version || old.file_size != s.file_size) {
    return InvalidArgument(
        "illegal arguments: fileSize and writeTxHeaderVersion cannot be changed after creation");
  }
  IMMUDB_RETURN_IF_ERROR(WriteSettings(name, s));
  IMMUDB_RETURN_IF_ERROR(CloseLocked(name));
  return s;
}

size_t Catalog::ActiveCount() const {
  std::lock_guard<std::mutex> l(mu_);
  return open_.size();
}

}  // namespace immudb::db
