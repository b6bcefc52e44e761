#include "cli/immuadmin_backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/backup_file.h"
#include "client/proto_convert.h"

namespace immudb::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

// Stops a long loop between two transactions on Ctrl-C, so the file ends on a record boundary.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    old_ = std::signal(SIGINT, OnInterrupt);
  }
  ~InterruptGuard() { std::signal(SIGINT, old_); }

 private:
  void (*old_)(int);
};

// A one-line progress bar on stderr, drawn when enabled (stderr is a terminal or
// --progress-bar). total 0 = unknown (a counter only).
class Progress {
 public:
  Progress(bool enabled, uint64_t total) : enabled_(enabled), total_(total) {}
  void Step() {
    ++done_;
    if (!enabled_) return;
    if (total_ == 0) {
      std::fprintf(stderr, "\r%llu txs", static_cast<unsigned long long>(done_));
    } else {
      constexpr int kWidth = 40;
      int filled = static_cast<int>(done_ * kWidth / total_);
      std::string bar(filled, '=');
      bar.resize(kWidth, ' ');
      std::fprintf(stderr, "\r[%s] %llu/%llu txs", bar.c_str(),
                   static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_));
    }
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_ && done_ > 0) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  uint64_t total_;
  uint64_t done_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdin && f != stdout) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

crypto::Digest DigestOf(const Bytes& b) {
  crypto::Digest d{};
  std::copy_n(b.begin(), std::min(b.size(), d.size()), d.begin());
  return d;
}

// Alh of tx `id` as the server reports its header.
Result<crypto::Digest> ServerAlh(client::ImmuClient* c, uint64_t id) {
  if (id == 0) return ledger::GenesisAlh();
  IMMUDB_ASSIGN_OR_RETURN(schema::Tx tx, c->TxById(id));
  return client::TxHeaderFromProto(tx.header()).Alh();
}

// Prefixes a server error with the tx unless it already names one.
Status NameTx(const Status& st, uint64_t tx) {
  if (st.ok() || st.message().find("tx " + std::to_string(tx)) != std::string::npos) return st;
  return Status(st.code(), "tx " + std::to_string(tx) + ": " + st.message());
}

// ---- hot-backup ------------------------------------------------------------------------

struct BackupFlags {
  std::string db;
  std::string output = "-";
  uint64_t start_tx = 1;
  uint64_t end_tx = 0;
  bool append = false;
  bool progress = false;
};

// Scans an existing backup (every record verified and chained) for --append. An incomplete
// last record (interrupted backup) is cut off. Returns the last tx and its Alh.
Result<std::pair<uint64_t, crypto::Digest>> ScanForAppend(std::FILE* f) {
  BackupReader reader(f);
  uint64_t last = 0;
  crypto::Digest last_alh{};
  for (;;) {
    uint64_t at = reader.offset();
    auto rec = reader.Next();
    if (!rec.ok() && rec.status().code() == Code::kOutOfRange) {
      if (::ftruncate(::fileno(f), static_cast<off_t>(at)) != 0) {
        return IoError("cannot cut the incomplete last record of the backup file");
      }
      std::cerr << "backup file ended inside a record at offset " << at
                << " (interrupted backup): that record was dropped\n";
      break;
    }
    IMMUDB_RETURN_IF_ERROR(rec.status());
    if (!rec->has_value()) break;
    IMMUDB_ASSIGN_OR_RETURN(ledger::ExportedTx tx, VerifyBackupRecord(**rec));
    if (last > 0) IMMUDB_RETURN_IF_ERROR(CheckChain(last, last_alh, tx.header));
    last = tx.header.id;
    last_alh = DigestOf((*rec)->checksum);
  }
  if (last == 0) return InvalidArgument("backup file exists but holds no transaction");
  std::fseek(f, 0, SEEK_END);
  return std::make_pair(last, last_alh);
}

Status RunHotBackup(client::ImmuClient* c, BackupFlags fl) {
  if (fl.start_tx == 0) return InvalidArgument("--start-tx must be at least 1");
  if (fl.start_tx > 1 && fl.append) {
    return InvalidArgument("don't use --append and --start-tx options together");
  }
  if (fl.output == "-" && fl.append) {
    return InvalidArgument("--append option can be used only when outputting to the file");
  }
  IMMUDB_RETURN_IF_ERROR(c->UseDatabase(fl.db));

  FilePtr out(stdout);
  std::optional<crypto::Digest> prev_alh;
  if (fl.output != "-") {
    struct stat sb;
    if (::stat(fl.output.c_str(), &sb) == 0) {
      if (!fl.append) {
        return InvalidArgument("file already exists, use --append option to append new data to file");
      }
      out.reset(std::fopen(fl.output.c_str(), "r+b"));
      if (!out) return IoError("cannot open " + fl.output);
      IMMUDB_ASSIGN_OR_RETURN(auto last, ScanForAppend(out.get()));
      auto alh = ServerAlh(c, last.first);
      if (!alh.ok()) {
        return NotFound("cannot find file's last transaction " + std::to_string(last.first) +
                        " in database: " + alh.status().message());
      }
      if (*alh != last.second) {
        return FailedPrecondition("checksums for transaction " + std::to_string(last.first) +
                                  " in backup file and database differ - probably file was "
                                  "created from different database");
      }
      fl.start_tx = last.first + 1;
      prev_alh = last.second;
    } else {
      out.reset(std::fopen(fl.output.c_str(), "wb"));
      if (!out) return IoError("cannot create " + fl.output);
    }
  }

  IMMUDB_ASSIGN_OR_RETURN(schema::ImmutableState state, c->CurrentState());
  uint64_t latest = state.txid();
  if (fl.end_tx > 0) {
    if (fl.end_tx > latest) {
      return InvalidArgument("--end-tx " + std::to_string(fl.end_tx) +
                             " is beyond the database's last tx " + std::to_string(latest));
    }
    latest = fl.end_tx;
  }
  if (latest < fl.start_tx) {
    std::cerr << "All backed up, nothing to do\n";
    return Status::Ok();
  }
  if (fl.start_tx == latest) {
    std::cerr << "Backing up transaction " << latest << "\n";
  } else {
    std::cerr << "Backing up transactions from " << fl.start_tx << " to " << latest << "\n";
  }
  if (!prev_alh) {
    IMMUDB_ASSIGN_OR_RETURN(crypto::Digest a, ServerAlh(c, fl.start_tx - 1));
    prev_alh = a;
  }

  InterruptGuard guard;
  Progress bar(fl.progress || ::isatty(2), latest - fl.start_tx + 1);
  crypto::Digest alh = *prev_alh;
  uint64_t done_upto = fl.start_tx - 1;
  for (uint64_t id = fl.start_tx; id <= latest; ++id) {
    if (g_interrupted) break;
    BackupRecord rec;
    rec.tx = id;
    auto framed = c->ExportTx(id);
    if (!framed.ok()) return NameTx(framed.status(), id);
    rec.payload = std::move(framed).value();
    // Verify what the server sent before it reaches the file: entries -> Eh, header -> Alh,
    // chained to the previous tx's Alh.
    if (rec.payload.size() < 8) return InvalidArgument("tx " + std::to_string(id) + ": short export");
    auto parsed = ledger::ParseExportedTx(ByteView(rec.payload).subspan(8));
    if (!parsed.ok()) return NameTx(parsed.status(), id);
    IMMUDB_ASSIGN_OR_RETURN(crypto::Digest this_alh, parsed->header.Alh());
    rec.checksum.assign(this_alh.begin(), this_alh.end());
    IMMUDB_RETURN_IF_ERROR(VerifyBackupRecord(rec).status());
    IMMUDB_RETURN_IF_ERROR(CheckChain(id - 1, alh, parsed->header));
    IMMUDB_RETURN_IF_ERROR(WriteBackupRecord(out.get(), id, this_alh, rec.payload));
    alh = this_alh;
    done_upto = id;
    bar.Step();
  }
  bar.Finish();
  if (g_interrupted) {
    std::cerr << "Terminated by signal - stopped after tx " << done_upto << "\n";
    return Status::Ok();
  }
  if (latest == state.txid() && alh != client::DigestFromProto(state.txhash())) {
    return Tampered("the exported chain ends at Alh " + HexEncode(alh) +
                    ", the server's state at tx " + std::to_string(latest) + " is " +
                    HexEncode(client::DigestFromProto(state.txhash())));
  }
  std::cerr << "Done\n";
  return Status::Ok();
}

// ---- hot-restore -----------------------------------------------------------------------

struct RestoreFlags {
  std::string db;
  std::string input = "-";
  bool append = false;
  bool verify_only = false;
  bool progress = false;
};

// Verifies every record of the file and its chain. Returns {first tx, last tx, count}.
struct FileSummary {
  uint64_t first = 0, last = 0, count = 0;
};
Result<FileSummary> VerifyWholeFile(std::FILE* f) {
  BackupReader reader(f);
  FileSummary s;
  crypto::Digest alh{};
  for (;;) {
    IMMUDB_ASSIGN_OR_RETURN(std::optional<BackupRecord> rec, reader.Next());
    if (!rec) break;
    IMMUDB_ASSIGN_OR_RETURN(ledger::ExportedTx tx, VerifyBackupRecord(*rec));
    if (s.count == 0) {
      s.first = tx.header.id;
    } else {
      IMMUDB_RETURN_IF_ERROR(CheckChain(s.last, alh, tx.header));
    }
    s.last = tx.header.id;
    alh = DigestOf(rec->checksum);
    ++s.count;
  }
  if (s.count == 0) return InvalidArgument("backup file holds no transaction");
  return s;
}

Status RunHotRestore(const std::function<Result<client::ImmuClient*>()>& client, RestoreFlags fl) {
  FilePtr in(stdin);
  if (fl.input != "-") {
    in.reset(std::fopen(fl.input.c_str(), "rb"));
    if (!in) return IoError("cannot open " + fl.input);
  }
  struct stat sb;
  const bool seekable = ::fstat(::fileno(in.get()), &sb) == 0 && S_ISREG(sb.st_mode);
  std::optional<FileSummary> summary;
  if (seekable || fl.verify_only) {
    // A whole verification pass first: a damaged file is refused before anything is committed.
    IMMUDB_ASSIGN_OR_RETURN(FileSummary s, VerifyWholeFile(in.get()));
    summary = s;
    if (fl.verify_only) {
      if (s.first == s.last) {
        std::cout << "Backup file contains transaction " << s.first << "\n";
      } else {
        std::cout << "Backup file contains transactions from " << s.first << " to " << s.last << "\n";
      }
      return Status::Ok();
    }
    std::rewind(in.get());
  }
  if (fl.db.empty()) return InvalidArgument("hot-restore needs the database name");

  BackupReader reader(in.get());
  IMMUDB_ASSIGN_OR_RETURN(std::optional<BackupRecord> first, reader.Next());
  if (!first) return InvalidArgument("backup file holds no transaction");
  IMMUDB_ASSIGN_OR_RETURN(ledger::ExportedTx first_tx, VerifyBackupRecord(*first));

  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, client());
  IMMUDB_ASSIGN_OR_RETURN(schema::DatabaseListResponseV2 list, c->DatabaseList());
  bool exists = false;
  for (const auto& d : list.databases()) exists = exists || d.name() == fl.db;
  if (!exists && first->tx != 1) {
    return FailedPrecondition("the backup starts at tx " + std::to_string(first->tx) +
                              ": a new database needs txs from 1 - restore not possible");
  }
  if (!exists) {
    schema::DatabaseNullableSettings s;
    s.mutable_writetxheaderversion()->set_value(static_cast<uint32_t>(first_tx.header.version));
    IMMUDB_RETURN_IF_ERROR(c->CreateDatabase(fl.db, s).status());
    std::cerr << "Created database " << fl.db << "\n";
  }
  IMMUDB_RETURN_IF_ERROR(c->UseDatabase(fl.db));
  IMMUDB_ASSIGN_OR_RETURN(schema::ImmutableState state, c->CurrentState());
  uint64_t last = state.txid();
  crypto::Digest last_alh = last == 0 ? ledger::GenesisAlh() : client::DigestFromProto(state.txhash());
  if (last > 0 && !fl.append) {
    return FailedPrecondition("cannot restore to non-empty database without --append flag");
  }

  // Skip what the database already has; the file's copy of its last tx must match it.
  std::optional<BackupRecord> rec = std::move(first);
  uint64_t file_last = 0;
  while (rec && rec->tx < last) {
    file_last = rec->tx;
    IMMUDB_ASSIGN_OR_RETURN(rec, reader.Next());
  }
  if (!rec) {
    return FailedPrecondition("the database (at tx " + std::to_string(last) +
                              ") is ahead of the backup file (last tx " +
                              std::to_string(file_last) + ") - nothing to restore");
  }
  if (rec && last > 0 && rec->tx == last) {
    if (DigestOf(rec->checksum) != last_alh) {
      return FailedPrecondition("checksums for tx " + std::to_string(last) +
                                " in backup file and database differ - cannot append data to "
                                "the database");
    }
    IMMUDB_ASSIGN_OR_RETURN(rec, reader.Next());
  } else if (rec && rec->tx > last + 1) {
    return FailedPrecondition("there is a gap of " + std::to_string(rec->tx - last - 1) +
                              " transaction(s) between database (at tx " + std::to_string(last) +
                              ") and file (from tx " + std::to_string(rec->tx) +
                              ") - restore not possible");
  }

  InterruptGuard guard;
  uint64_t total = summary && summary->last > last ? summary->last - last : 0;
  Progress bar(fl.progress || ::isatty(2), total);
  uint64_t restored_first = 0, restored_last = 0;
  while (rec && !g_interrupted) {
    IMMUDB_ASSIGN_OR_RETURN(ledger::ExportedTx tx, VerifyBackupRecord(*rec));
    IMMUDB_RETURN_IF_ERROR(CheckChain(last, last_alh, tx.header));
    auto hdr = c->ReplicateTx(rec->payload);
    if (!hdr.ok()) return NameTx(hdr.status(), rec->tx);
    IMMUDB_ASSIGN_OR_RETURN(crypto::Digest alh, client::TxHeaderFromProto(*hdr).Alh());
    if (alh != DigestOf(rec->checksum)) {
      return Tampered("tx " + std::to_string(rec->tx) + ": the server committed Alh " +
                      HexEncode(alh) + ", the backup holds " + HexEncode(rec->checksum));
    }
    if (restored_first == 0) restored_first = rec->tx;
    restored_last = last = rec->tx;
    last_alh = alh;
    bar.Step();
    IMMUDB_ASSIGN_OR_RETURN(rec, reader.Next());
  }
  bar.Finish();
  if (g_interrupted) std::cerr << "Terminated by signal - stopped after tx " << last << "\n";
  if (restored_first == 0) {
    std::cout << "Target database is up-to-date, nothing restored\n";
  } else if (restored_first == restored_last) {
    std::cout << "Restored transaction " << restored_first << "\n";
  } else {
    std::cout << "Restored transactions from " << restored_first << " to " << restored_last << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddHotBackupCommands(Program& program,
                          std::function<Result<client::ImmuClient*>()> client) {
  auto bf = std::make_shared<BackupFlags>();
  CLI::App* backup = program.AddCommand(
      "hot-backup", "copy a database's transactions to a file without stopping the server",
      [bf, client]() -> Status {
        IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, client());
        return RunHotBackup(c, *bf);
      });
  backup->add_option("database", bf->db, "database to back up")->required();
  backup->add_option("-o,--output", bf->output, "output file, \"-\" for stdout");
  backup->add_option("--start-tx", bf->start_tx, "transaction ID to start from");
  backup->add_option("--end-tx", bf->end_tx, "last transaction ID to back up (default: the latest)");
  backup->add_flag("--append", bf->append,
                   "append to the file if it exists (resumes after its last transaction)");
  backup->add_flag("--progress-bar", bf->progress, "show a progress bar (always on a terminal)");

  auto rf = std::make_shared<RestoreFlags>();
  CLI::App* restore = program.AddCommand(
      "hot-restore", "re-commit a backup's transactions into a database with their original headers",
      [rf, client]() -> Status { return RunHotRestore(client, *rf); });
  restore->add_option("database", rf->db, "database to restore into (created when missing)");
  restore->add_option("-i,--input", rf->input, "input file, \"-\" for stdin");
  restore->add_flag("--append", rf->append, "append to a non-empty database whose last tx is in the file");
  restore->add_flag("--verify-only", rf->verify_only, "only verify the backup file");
  restore->add_flag("--progress-bar", rf->progress, "show a progress bar (always on a terminal)");
}

}  // namespace immudb::cli
