#include "cli/immuadmin_client_commands.h"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>

#include "cli/client_connection.h"
#include "cli/immuadmin_backup.h"

namespace immudb::cli {
namespace {

constexpr const char* kProgram = "immuadmin";

struct AdminState {
  ConnectionFlags flags;
  std::unique_ptr<client::ImmuClient> client;

  Result<client::ImmuClient*> Client() {
    if (!client) {
      IMMUDB_ASSIGN_OR_RETURN(client, Connect(flags, kProgram));
    }
    return client.get();
  }
};

// Database settings given on the command line (unset = server default / unchanged).
struct SettingsFlags {
  std::optional<uint32_t> write_tx_header_version, max_key_len, max_value_len, max_tx_entries,
      file_size, max_concurrency;
  std::optional<bool> exclude_commit_time, autoload, embedded_values, prealloc_files;
  std::optional<int64_t> sync_frequency_ms;

  void Add(CLI::App* app) {
    app->add_option("--write-tx-header-version", write_tx_header_version,
                    "tx header version to write (0 or 1)");
    app->add_option("--max-key-len", max_key_len, "maximum key length");
    app->add_option("--max-value-len", max_value_len, "maximum value length");
    app->add_option("--max-tx-entries", max_tx_entries, "maximum entries per transaction");
    app->add_option("--file-size", file_size, "segment file size");
    app->add_option("--max-concurrency", max_concurrency, "maximum concurrent writers");
    app->add_option("--exclude-commit-time", exclude_commit_time, "store Ts = 0 in headers");
    app->add_option("--autoload", autoload, "load the database at server start");
    app->add_option("--embedded-values", embedded_values, "store values in the tx log");
    app->add_option("--prealloc-files", prealloc_files, "preallocate segment files");
    app->add_option("--sync-frequency", sync_frequency_ms, "sync frequency in milliseconds");
  }

  schema::DatabaseNullableSettings ToProto() const {
    schema::DatabaseNullableSettings s;
    if (write_tx_header_version) s.mutable_writetxheaderversion()->set_value(*write_tx_header_version);
    if (max_key_len) s.mutable_maxkeylen()->set_value(*max_key_len);
    if (max_value_len) s.mutable_maxvaluelen()->set_value(*max_value_len);
    if (max_tx_entries) s.mutable_maxtxentries()->set_value(*max_tx_entries);
    if (file_size) s.mutable_filesize()->set_value(*file_size);
    if (max_concurrency) s.mutable_maxconcurrency()->set_value(*max_concurrency);
    if (exclude_commit_time) s.mutable_excludecommittime()->set_value(*exclude_commit_time);
    if (autoload) s.mutable_autoload()->set_value(*autoload);
    if (embedded_values) s.mutable_embeddedvalues()->set_value(*embedded_values);
    if (prealloc_files) s.mutable_preallocfiles()->set_value(*prealloc_files);
    if (sync_frequency_ms) s.mutable_syncfrequency()->set_value(*sync_frequency_ms);
    return s;
  }
};

Result<uint32_t> ParsePermission(const std::string& p) {
  if (p == "read" || p == "r") return 1u;
  if (p == "readwrite" || p == "rw") return 2u;
  if (p == "admin") return 254u;
  return InvalidArgument("permission must be read, readwrite or admin, not " + p);
}

std::string PermissionName(uint32_t p) {
  switch (p) {
    case 1: return "read";
    case 2: return "readwrite";
    case 254: return "admin";
    case 255: return "sysadmin";
    default: return "none";
  }
}

// Reads a new password: twice (with confirmation) from a terminal, once from a pipe.
Result<std::string> NewPassword(const std::string& prompt) {
  IMMUDB_ASSIGN_OR_RETURN(std::string pw, ReadPassword(prompt));
  if (::isatty(0)) {
    IMMUDB_ASSIGN_OR_RETURN(std::string again, ReadPassword("Confirm password: "));
    if (again != pw) return InvalidArgument("passwords do not match");
  }
  return pw;
}

CLI::App* Group(Program& program, const std::string& name, const std::string& help,
                CLI::App* parent = nullptr) {
  CLI::App* g = program.AddCommand(name, help, [name]() -> Status {
    return InvalidArgument("missing " + name + " subcommand (see --help)");
  }, parent);
  g->require_subcommand(0, 1);
  return g;
}

void AddDatabaseCommands(Program& program, std::shared_ptr<AdminState> st) {
  CLI::App* db = Group(program, "database", "manage databases");
  auto name = std::make_shared<std::string>();
  auto settings = std::make_shared<SettingsFlags>();

  program.AddCommand("list", "list databases", [st]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_ASSIGN_OR_RETURN(auto list, c->DatabaseList());
    std::cout << list.databases_size() << " database(s)\n";
    for (const auto& d : list.databases()) {
      std::cout << d.name() << "\t" << (d.loaded() ? "LOADED" : "UNLOADED") << "\t"
                << d.numtransactions() << " txs\t" << d.disksize() << " bytes\n";
    }
    return Status::Ok();
  }, db);

  CLI::App* create = program.AddCommand("create", "create a database", [st, name, settings]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_RETURN_IF_ERROR(c->CreateDatabase(*name, settings->ToProto()).status());
    std::cout << "database '" << *name << "' created\n";
    return Status::Ok();
  }, db);
  create->add_option("name", *name, "database name")->required();
  settings->Add(create);

  CLI::App* update = program.AddCommand("update", "change database settings", [st, name, settings]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_RETURN_IF_ERROR(c->UpdateDatabase(*name, settings->ToProto()).status());
    std::cout << "database '" << *name << "' updated\n";
    return Status::Ok();
  }, db);
  update->add_option("name", *name, "database name")->required();
  settings->Add(update);

  struct Simple {
    const char* cmd;
    const char* help;
    const char* done;
    Status (client::ImmuClient::*fn)(const std::string&);
  };
  for (const Simple& s : {Simple{"load", "load a database", "loaded", &client::ImmuClient::LoadDatabase},
                          Simple{"unload", "unload a database", "unloaded", &client::ImmuClient::UnloadDatabase},
                          Simple{"delete", "delete an unloaded database", "deleted", &client::ImmuClient::DeleteDatabase}}) {
    CLI::App* sub = program.AddCommand(s.cmd, s.help, [st, name, s]() -> Status {
      IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
      IMMUDB_RETURN_IF_ERROR((c->*s.fn)(*name));
      std::cout << "database '" << *name << "' " << s.done << "\n";
      return Status::Ok();
    }, db);
    sub->add_option("name", *name, "database name")->required();
  }

  CLI::App* use = program.AddCommand("use", "select the database of later commands", [st, name]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_RETURN_IF_ERROR(c->UseDatabase(*name));
    if (!c->token().empty()) IMMUDB_RETURN_IF_ERROR(SaveToken(st->flags, kProgram, {*name, c->token()}));
    std::cout << "Now using " << *name << "\n";
    return Status::Ok();
  }, db);
  use->add_option("name", *name, "database name")->required();

  auto cleanup = std::make_shared<float>(0.0f);
  auto synced = std::make_shared<bool>(false);
  CLI::App* flush = program.AddCommand("flush", "flush the index of the current database", [st, cleanup, synced]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_RETURN_IF_ERROR(c->FlushIndex(*cleanup, *synced));
    std::cout << "index flushed\n";
    return Status::Ok();
  }, db);
  flush->add_option("--cleanup-percentage", *cleanup, "share of the index to clean up");
  flush->add_flag("--synced", *synced, "sync after flushing");
  program.AddCommand("compact", "compact the index of the current database", [st]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_RETURN_IF_ERROR(c->CompactIndex());
    std::cout << "index compacted\n";
    return Status::Ok();
  }, db);
}

void AddUserCommands(Program& program, std::shared_ptr<AdminState> st) {
  CLI::App* user = Group(program, "user", "manage users");
  auto name = std::make_shared<std::string>();
  auto perm = std::make_shared<std::string>();
  auto dbname = std::make_shared<std::string>();

  program.AddCommand("list", "list users", [st]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_ASSIGN_OR_RETURN(schema::UserList users, c->ListUsers());
    std::cout << users.users_size() << " user(s)\n";
    for (const auto& u : users.users()) {
      std::cout << "\nUser:       " << u.user() << "\nActive:     " << (u.active() ? "true" : "false")
                << "\nCreated By: " << u.createdby() << "\nCreated At: " << u.createdat() << "\n";
      for (const auto& p : u.permissions()) {
        std::cout << "Permission: " << p.database() << " " << PermissionName(p.permission()) << "\n";
      }
    }
    return Status::Ok();
  }, user);

  CLI::App* create = program.AddCommand("create", "create a user: <name> <read|readwrite|admin> <database>", [st, name, perm, dbname]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(uint32_t p, ParsePermission(*perm));
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    IMMUDB_ASSIGN_OR_RETURN(std::string pw, NewPassword("Choose a password for " + *name + ": "));
    IMMUDB_RETURN_IF_ERROR(c->CreateUser(*name, pw, p, *dbname));
    std::cout << "Created user " << *name << "\n";
    return Status::Ok();
  }, user);
  create->add_option("name", *name)->required();
  create->add_option("permission", *perm)->required();
  create->add_option("database", *dbname)->required();

  CLI::App* chpw = program.AddCommand("changepassword", "change a user's password", [st, name]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
    std::string old;
    if (*name == st->flags.username) {
      IMMUDB_ASSIGN_OR_RETURN(old, ReadPassword("Old password: "));
    }
    IMMUDB_ASSIGN_OR_RETURN(std::string pw, NewPassword("Choose a password for " + *name + ": "));
    IMMUDB_RETURN_IF_ERROR(c->ChangePassword(*name, old, pw));
    std::cout << *name << "'s password has been changed\n";
    return Status::Ok();
  }, user);
  chpw->add_option("name", *name)->required();

  for (bool active : {true, false}) {
    CLI::App* sub = program.AddCommand(active ? "activate" : "deactivate",
                                       active ? "activate a user" : "deactivate a user",
                                       [st, name, active]() -> Status {
      IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
      IMMUDB_RETURN_IF_ERROR(c->SetActiveUser(*name, active));
      std::cout << "User " << *name << (active ? " activated" : " deactivated") << "\n";
      return Status::Ok();
    }, user);
    sub->add_option("name", *name)->required();
  }

  CLI::App* permission = Group(program, "permission", "grant or revoke permissions", user);
  for (bool grant : {true, false}) {
    CLI::App* sub = program.AddCommand(
        grant ? "grant" : "revoke",
        grant ? "grant <user> <read|readwrite|admin> <database>"
              : "revoke <user> <read|readwrite|admin> <database>",
        [st, name, perm, dbname, grant]() -> Status {
          IMMUDB_ASSIGN_OR_RETURN(uint32_t p, ParsePermission(*perm));
          IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, st->Client());
          IMMUDB_RETURN_IF_ERROR(
              c->ChangePermission(grant ? schema::GRANT : schema::REVOKE, *name, *dbname, p));
          std::cout << "Permission changed successfully\n";
          return Status::Ok();
        },
        permission);
    sub->add_option("name", *name)->required();
    sub->add_option("permission", *perm)->required();
    sub->add_option("database", *dbname)->required();
  }
}

}  // namespace

void AddImmuadminClientCommands(Program& program) {
  auto st = std::make_shared<AdminState>();
  AddConnectionFlags(program.app(), &st->flags, "IMMUADMIN_PASSWORD");

  auto user_name = std::make_shared<std::string>();
  program.AddCommand("login", "log in and keep a token for later commands", [st, user_name]() -> Status {
    ConnectionFlags f = st->flags;
    f.username = *user_name;
    std::string pw = f.password;
    if (pw.empty()) {
      IMMUDB_ASSIGN_OR_RETURN(pw, ReadPassword("Password: "));
    }
    IMMUDB_ASSIGN_OR_RETURN(auto c, MakeClient(f));
    IMMUDB_ASSIGN_OR_RETURN(std::string warning, c->Login(f.username, pw));
    IMMUDB_RETURN_IF_ERROR(SaveToken(f, kProgram, {f.database, c->token()}));
    if (!warning.empty()) std::cout << "SECURITY WARNING: " << warning << "\n";
    std::cout << "logged in\n";
    return Status::Ok();
  })->add_option("username", *user_name)->required();

  program.AddCommand("logout", "log out", [st]() -> Status {
    Result<client::ImmuClient*> c = st->Client();
    if (c.ok() && !(*c)->token().empty()) (void)(*c)->Logout();
    IMMUDB_RETURN_IF_ERROR(RemoveToken(st->flags, kProgram));
    std::cout << "logged out\n";
    return Status::Ok();
  });

  program.AddCommand("status", "is the server reachable", [st]() -> Status {
    IMMUDB_ASSIGN_OR_RETURN(auto c, MakeClient(st->flags));
    IMMUDB_ASSIGN_OR_RETURN(schema::HealthResponse h, c->Health());
    if (!h.status()) return Unavailable("server is not healthy");
    std::cout << "OK - server is reachable and responding to queries\n";
    return Status::Ok();
  });

  AddDatabaseCommands(program, st);
  AddUserCommands(program, st);
  AddHotBackupCommands(program, [st] { return st->Client(); });
}

}  // namespace immudb::cli
