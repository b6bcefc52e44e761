// The immuclient command table (see immuclient_session.h).
#include "cli/immuclient_session.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "base/bytes.h"
#include "client/proto_convert.h"
#include "client/verification.h"

namespace immudb::cli {

Result<client::ImmuClient*> ClientSession::Client() {
  if (!client) {
    if (interactive) return Unauthenticated("please login first");
    IMMUDB_ASSIGN_OR_RETURN(client, Connect(flags, "immuclient"));
  }
  return client.get();
}

namespace {

using Args = std::vector<std::string>;

Result<uint64_t> ParseU64(const std::string& s, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || s[0] == '-') {
    return InvalidArgument("invalid " + what + ": " + s);
  }
  return uint64_t(v);
}

Result<int64_t> ParseI64(const std::string& s, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0) return InvalidArgument("invalid " + what + ": " + s);
  return int64_t(v);
}

Result<double> ParseDouble(const std::string& s, const std::string& what) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') return InvalidArgument("invalid " + what + ": " + s);
  return v;
}

// "key" or "key@revision" (revision may be negative: -1 = the one before the latest).
Result<std::pair<std::string, client::GetOptions>> KeyAndRevision(const std::string& arg) {
  client::GetOptions o;
  size_t at = arg.rfind('@');
  if (at == std::string::npos || at == 0) return std::make_pair(arg, o);
  IMMUDB_ASSIGN_OR_RETURN(o.at_revision, ParseI64(arg.substr(at + 1), "revision"));
  return std::make_pair(arg.substr(0, at), o);
}

// The value of a u64 command option (0 when absent).
Result<uint64_t> U64Option(const ClientSession& s, const std::string& name) {
  auto it = s.options.find(name);
  if (it == s.options.end()) return uint64_t{0};
  return ParseU64(it->second, name.substr(2));
}

Status Login(ClientSession& s, const Args& a, std::ostream& out) {
  ConnectionFlags f = s.flags;
  f.username = a[0];
  std::string password = f.password;
  if (password.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(password, ReadPassword("Password: "));
  }
  IMMUDB_ASSIGN_OR_RETURN(auto c, MakeClient(f));
  if (s.interactive) {
    IMMUDB_RETURN_IF_ERROR(c->OpenSession(f.username, password, f.database));
  } else {
    IMMUDB_ASSIGN_OR_RETURN(std::string warning, c->Login(f.username, password));
    IMMUDB_RETURN_IF_ERROR(c->UseDatabase(f.database));
    IMMUDB_RETURN_IF_ERROR(SaveToken(f, "immuclient", {f.database, c->token()}));
    if (!warning.empty()) out << "SECURITY WARNING: " << warning << "\n";
  }
  s.client = std::move(c);
  out << "Successfully logged in\n";
  return Status::Ok();
}

Status Logout(ClientSession& s, const Args&, std::ostream& out) {
  if (s.interactive) {
    if (s.client) IMMUDB_RETURN_IF_ERROR(s.client->CloseSession());
    s.client.reset();
  } else {
    Result<client::ImmuClient*> c = s.Client();
    if (c.ok() && !(*c)->token().empty()) (void)(*c)->Logout();
    IMMUDB_RETURN_IF_ERROR(RemoveToken(s.flags, "immuclient"));
  }
  out << "Successfully logged out\n";
  return Status::Ok();
}

Status Use(ClientSession& s, const Args& a, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_RETURN_IF_ERROR(c->UseDatabase(a[0]));
  if (!s.interactive && !c->token().empty()) {
    IMMUDB_RETURN_IF_ERROR(SaveToken(s.flags, "immuclient", {a[0], c->token()}));
  }
  out << "Now using " << a[0] << "\n";
  return Status::Ok();
}

Status Set(ClientSession& s, const Args& a, std::ostream& out, bool verified) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  Result<schema::TxHeader> h = verified ? c->VerifiedSet(a[0], a[1]) : c->Set(a[0], a[1]);
  IMMUDB_RETURN_IF_ERROR(h.status());
  PrintSetResult(out, s.style(), *h, a[0], a[1], verified);
  return Status::Ok();
}

Status Get(ClientSession& s, const Args& a, std::ostream& out, bool verified) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(auto kr, KeyAndRevision(a[0]));
  IMMUDB_ASSIGN_OR_RETURN(kr.second.at_tx, U64Option(s, "--at-tx"));
  IMMUDB_ASSIGN_OR_RETURN(kr.second.since_tx, U64Option(s, "--since-tx"));
  if (kr.second.at_tx != 0 && kr.second.at_revision != 0) {
    return InvalidArgument("use either --at-tx or key@revision, not both");
  }
  Result<schema::Entry> e = verified ? c->VerifiedGet(kr.first, kr.second) : c->Get(kr.first, kr.second);
  IMMUDB_RETURN_IF_ERROR(e.status());
  PrintEntry(out, s.style(), *e, verified);
  return Status::Ok();
}

Status Reference(ClientSession& s, const Args& a, std::ostream& out, bool verified) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  uint64_t at_tx = 0;
  if (a.size() > 2) {
    IMMUDB_ASSIGN_OR_RETURN(at_tx, ParseU64(a[2], "tx"));
  }
  Result<schema::TxHeader> h = verified ? c->VerifiedSetReference(a[0], a[1], at_tx)
                                        : c->SetReference(a[0], a[1], at_tx);
  IMMUDB_RETURN_IF_ERROR(h.status());
  PrintReferenceResult(out, s.style(), *h, a[0], a[1], verified);
  return Status::Ok();
}

Status ZAdd(ClientSession& s, const Args& a, std::ostream& out, bool verified) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(double score, ParseDouble(a[1], "score"));
  uint64_t at_tx = 0;
  if (a.size() > 3) {
    IMMUDB_ASSIGN_OR_RETURN(at_tx, ParseU64(a[3], "tx"));
  }
  Result<schema::TxHeader> h = verified ? c->VerifiedZAdd(a[0], score, a[2], at_tx)
                                        : c->ZAdd(a[0], score, a[2], at_tx);
  IMMUDB_RETURN_IF_ERROR(h.status());
  PrintZAddResult(out, s.style(), *h, a[0], score, a[2], verified);
  return Status::Ok();
}

Status Tx(ClientSession& s, const Args& a, std::ostream& out, bool verified) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(uint64_t id, ParseU64(a[0], "tx id"));
  Result<schema::Tx> tx = verified ? c->VerifiedTxById(id) : c->TxById(id);
  IMMUDB_RETURN_IF_ERROR(tx.status());
  PrintTx(out, s.style(), *tx, verified);
  return Status::Ok();
}

void PrintEntries(std::ostream& out, const OutputStyle& st, const schema::Entries& es) {
  bool first = true;
  for (const auto& e : es.entries()) {
    if (!first && !st.json && !st.value_only) out << "\n";
    first = false;
    PrintEntry(out, st, e, false);
  }
}

Status History(ClientSession& s, const Args& a, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(uint64_t since, U64Option(s, "--since-tx"));
  IMMUDB_ASSIGN_OR_RETURN(schema::Entries es, c->History(a[0], 0, 0, false, since));
  if (es.entries_size() == 0 && !s.style().json) out << "no history for " << a[0] << "\n";
  PrintEntries(out, s.style(), es);
  return Status::Ok();
}

Status Scan(ClientSession& s, const Args& a, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  client::ScanOptions o;
  if (!a.empty()) o.prefix = a[0];
  IMMUDB_ASSIGN_OR_RETURN(o.since_tx, U64Option(s, "--since-tx"));
  IMMUDB_ASSIGN_OR_RETURN(schema::Entries es, c->Scan(o));
  if (es.entries_size() == 0 && !s.style().json) out << "no entries\n";
  PrintEntries(out, s.style(), es);
  return Status::Ok();
}

Status Count(ClientSession& s, const Args& a, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(uint64_t n, c->Count(a.empty() ? std::string() : a[0]));
  if (s.style().json) {
    PrintField(out, s.style(), "count", std::to_string(n));
  } else {
    out << n << "\n";
  }
  return Status::Ok();
}

Status Delete(ClientSession& s, const Args& a, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(schema::TxHeader h, c->Delete(a));
  PrintTxHeader(out, s.style(), h);
  return Status::Ok();
}

Status ZScan(ClientSession& s, const Args& a, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  client::ZScanOptions o;
  o.set = a[0];
  IMMUDB_ASSIGN_OR_RETURN(schema::ZEntries es, c->ZScan(o));
  if (es.entries_size() == 0 && !s.style().json) out << "no entries\n";
  bool first = true;
  for (const auto& e : es.entries()) {
    if (!first && !s.style().json) out << "\n";
    first = false;
    PrintZEntry(out, s.style(), e);
  }
  return Status::Ok();
}

Status Current(ClientSession& s, const Args&, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(schema::ImmutableState st, c->CurrentState());
  PrintState(out, s.style(), st, false);
  return Status::Ok();
}

Status CheckConsistency(ClientSession& s, const Args&, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(schema::ImmutableState st, c->CheckConsistency());
  PrintState(out, s.style(), st, true);
  return Status::Ok();
}

// status / health / info need no login.
Result<client::ImmuClient*> AnyClient(ClientSession& s) {
  if (!s.client) {
    Result<std::unique_ptr<client::ImmuClient>> c = Connect(s.flags, "immuclient");
    if (!c.ok()) c = MakeClient(s.flags);
    IMMUDB_RETURN_IF_ERROR(c.status());
    s.client = std::move(*c);
  }
  return s.client.get();
}

Status StatusCmd(ClientSession& s, const Args&, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, AnyClient(s));
  IMMUDB_ASSIGN_OR_RETURN(schema::HealthResponse h, c->Health());
  if (!h.status()) return Unavailable("server is not healthy");
  PrintField(out, s.style(), "status", "Health check OK");
  return Status::Ok();
}

Status Health(ClientSession& s, const Args&, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, s.Client());
  IMMUDB_ASSIGN_OR_RETURN(schema::DatabaseHealthResponse h, c->DatabaseHealth());
  PrintField(out, s.style(), "pendingRequests", std::to_string(h.pendingrequests()));
  PrintField(out, s.style(), "lastRequestCompletedAt", std::to_string(h.lastrequestcompletedat()));
  return Status::Ok();
}

Status Info(ClientSession& s, const Args&, std::ostream& out) {
  IMMUDB_ASSIGN_OR_RETURN(client::ImmuClient * c, AnyClient(s));
  IMMUDB_ASSIGN_OR_RETURN(schema::HealthResponse h, c->Health());
  PrintField(out, s.style(), "version", h.version());
  Result<schema::ServerInfoResponse> info = c->ServerInfo();
  if (info.ok()) {
    PrintField(out, s.style(), "transactions", std::to_string(info->numtransactions()));
    PrintField(out, s.style(), "databases", std::to_string(info->numdatabases()));
  }
  std::string uuid = c->server_uuid();
  if (!uuid.empty()) PrintField(out, s.style(), "server", uuid);
  return Status::Ok();
}

template <auto F, bool V>
Status Bind(ClientSession& s, const Args& a, std::ostream& out) {
  return F(s, a, out, V);
}

std::vector<ClientCommand> BuildCommands() {
  return {
      {"login", {}, "<username>", "log in (password from --password, IMMUCLIENT_PASSWORD or a prompt)", 1, 1, Login},
      {"logout", {}, "", "log out", 0, 0, Logout},
      {"use", {}, "<database>", "select the database", 1, 1, Use},
      {"set", {}, "<key> <value>", "set a value", 2, 2, Bind<Set, false>},
      {"safeset", {"verifiedset"}, "<key> <value>", "set a value and verify the proof", 2, 2, Bind<Set, true>},
      {"get", {}, "<key>[@revision] [--at-tx N] [--since-tx N]", "get the value of a key (revision n, or -n counted back; as of tx N)", 1, 1, Bind<Get, false>, {"--at-tx", "--since-tx"}},
      {"safeget", {"verifiedget"}, "<key>[@revision] [--at-tx N] [--since-tx N]", "get a value and verify the proof", 1, 1, Bind<Get, true>, {"--at-tx", "--since-tx"}},
      {"delete", {}, "<key>...", "logically delete keys", 1, 64, Delete},
      {"history", {}, "<key> [--since-tx N]", "every value a key had", 1, 1, History, {"--since-tx"}},
      {"scan", {}, "[prefix] [--since-tx N]", "keys (with a prefix) in order", 0, 1, Scan, {"--since-tx"}},
      {"count", {}, "[prefix]", "number of keys (with a prefix)", 0, 1, Count},
      {"reference", {"setReference"}, "<refkey> <key> [tx]", "make refkey point to key (at tx)", 2, 3, Bind<Reference, false>},
      {"safereference", {"verifiedreference"}, "<refkey> <key> [tx]", "reference, verified", 2, 3, Bind<Reference, true>},
      {"zadd", {}, "<set> <score> <key> [tx]", "add key to a sorted set", 3, 4, Bind<ZAdd, false>},
      {"safezadd", {"verifiedzadd"}, "<set> <score> <key> [tx]", "zadd, verified", 3, 4, Bind<ZAdd, true>},
      {"zscan", {}, "<set>", "members of a sorted set by score", 1, 1, ZScan},
      {"tx", {"txbyid"}, "<id>", "a transaction", 1, 1, Bind<Tx, false>},
      {"safetx", {"verifiedtx"}, "<id>", "a transaction, verified", 1, 1, Bind<Tx, true>},
      {"current", {"state"}, "", "the server's current state", 0, 0, Current},
      {"check-consistency", {"consistency"}, "", "prove the server's state extends the trusted one", 0, 0, CheckConsistency},
      {"status", {"ping"}, "", "is the server reachable", 0, 0, StatusCmd},
      {"health", {}, "", "database health", 0, 0, Health},
      {"info", {}, "", "server version and identity", 0, 0, Info},
  };
}

}  // namespace

const std::vector<ClientCommand>& ImmuclientCommands() {
  static const std::vector<ClientCommand> commands = BuildCommands();
  return commands;
}

const ClientCommand* FindImmuclientCommand(const std::string& name) {
  for (const auto& c : ImmuclientCommands()) {
    if (c.name == name) return &c;
    for (const auto& a : c.aliases) {
      if (a == name) return &c;
    }
  }
  return nullptr;
}

Status RunImmuclientCommand(ClientSession& session, const ClientCommand& cmd,
                            const std::vector<std::string>& args, std::ostream& out) {
  const std::string usage = "usage: " + cmd.name + (cmd.usage.empty() ? "" : " " + cmd.usage);
  std::vector<std::string> positional;
  session.options.clear();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      positional.push_back(a);
      continue;
    }
    size_t eq = a.find('=');
    std::string name = a.substr(0, eq);
    if (std::find(cmd.options.begin(), cmd.options.end(), name) == cmd.options.end()) {
      positional.push_back(a);  // not an option of this command: e.g. a key "--x"
      continue;
    }
    if (eq != std::string::npos) {
      session.options[name] = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      session.options[name] = args[++i];
    } else {
      return InvalidArgument("option " + name + " needs a value");
    }
  }
  if (positional.size() < cmd.min_args || positional.size() > cmd.max_args) {
    return InvalidArgument(usage);
  }
  Status st = cmd.run(session, positional, out);
  session.options.clear();
  return st;
}

}  // namespace immudb::cli
