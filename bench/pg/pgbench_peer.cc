// pgbench_peer: the PostgreSQL side of bench/run. It runs immubench's workloads against a
// PostgreSQL server through libpq, one connection per client, with the same load runner,
// cells, key/value sizes and JSON output (target "postgresql"), so the two can be compared
// cell by cell. Two variants (--variant):
//   plain    an append-only table kv(id bigserial, k bytea, v bytea) indexed on (k, id);
//   chained  the same table with a BEFORE INSERT trigger that links every row to the previous
//            one: h = sha256(prev_h || id || k || v), prev_h kept in a one-row table locked
//            FOR UPDATE until commit (so rows are chained in commit order).
// Operations: set (INSERT of `batch` rows in one transaction, synchronous_commit=on),
// get (latest row of a key), scan (`batch` rows from a key on), history (`batch` rows of a key).
// Example: pgbench_peer --conninfo "host=127.0.0.1 port=5433 user=postgres dbname=postgres"
//            --server-pid 1234 --variant plain --ops set --clients 1,10,100 --batch 1,100,1000
#include <CLI/CLI.hpp>
#include <libpq-fe.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cells.h"
#include "keys.h"
#include "load_runner.h"
#include "report.h"

namespace immudb::bench {
namespace {

const std::vector<std::string>& PgOps() {
  static const std::vector<std::string> ops{"set", "get", "scan", "history"};
  return ops;
}

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS kv (id bigserial PRIMARY KEY, k bytea NOT NULL, v bytea NOT NULL);
CREATE INDEX IF NOT EXISTS kv_k ON kv (k, id);
CREATE TABLE IF NOT EXISTS kv_chain (id bigserial PRIMARY KEY, k bytea NOT NULL,
  v bytea NOT NULL, prev_h bytea NOT NULL, h bytea NOT NULL);
CREATE INDEX IF NOT EXISTS kv_chain_k ON kv_chain (k, id);
CREATE TABLE IF NOT EXISTS chain_head (one int PRIMARY KEY CHECK (one = 1), h bytea NOT NULL);
INSERT INTO chain_head VALUES (1, sha256(''::bytea)) ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION kv_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev bytea;
BEGIN
  SELECT h INTO prev FROM chain_head WHERE one = 1 FOR UPDATE;
  NEW.prev_h := prev;
  NEW.h := sha256(prev || int8send(NEW.id) || NEW.k || NEW.v);
  UPDATE chain_head SET h = NEW.h WHERE one = 1;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS kv_chain_link ON kv_chain;
CREATE TRIGGER kv_chain_link BEFORE INSERT ON kv_chain
  FOR EACH ROW EXECUTE FUNCTION kv_chain_link();
)SQL";

struct PgConn {
  PGconn* c = nullptr;
  ~PgConn() {
    if (c != nullptr) PQfinish(c);
  }
};

Status PgError(const std::string& what, PGconn* c) {
  std::string m = PQerrorMessage(c);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return Unavailable(what + ": " + m);
}

Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo) {
  auto conn = std::make_unique<PgConn>();
  conn->c = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn->c) != CONNECTION_OK) return PgError("connect", conn->c);
  PGresult* r = PQexec(conn->c, "SET synchronous_commit = on; SET client_min_messages = warning");
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) return PgError("SET synchronous_commit", conn->c);
  return conn;
}

Status Exec(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(sql.substr(0, 60), c);
  return Status::Ok();
}

// Binary parameters of one statement (keys and values are bytea).
struct Params {
  std::vector<std::string> storage;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  void Add(std::string v) { storage.push_back(std::move(v)); }
  void Finish() {
    values.clear();
    lengths.clear();
    for (const std::string& s : storage) {
      values.push_back(s.data());
      lengths.push_back(static_cast<int>(s.size()));
    }
    formats.assign(storage.size(), 1);
  }
};

std::string InsertSql(const std::string& table, int rows) {
  std::string sql = "INSERT INTO " + table + " (k, v) VALUES ";
  for (int i = 0; i < rows; ++i) {
    sql += (i ? ",($" : "($") + std::to_string(2 * i + 1) + ",$" + std::to_string(2 * i + 2) + ")";
  }
  return sql;
}

struct PgData {
  std::string table = "kv";
  int key_size = 32, value_size = 128;
  std::vector<std::string> read_keys, history_keys;
};

class PgWorker : public Worker {
 public:
  PgWorker(std::unique_ptr<PgConn> conn, std::string op, int index, int batch, uint64_t cell,
           const PgData& data)
      : conn_(std::move(conn)), op_(std::move(op)), index_(index), batch_(batch), cell_(cell),
        data_(data), rng_(cell * 1000003 + index), value_(MakeValue(cell * 7919 + index, data.value_size)) {}

  Status Prepare() {
    std::string sql;
    if (op_ == "set") sql = InsertSql(data_.table, batch_);
    if (op_ == "get") sql = "SELECT v FROM " + data_.table + " WHERE k = $1 ORDER BY id DESC LIMIT 1";
    if (op_ == "scan") {
      sql = "SELECT k, v FROM " + data_.table + " WHERE k >= $1 ORDER BY k LIMIT " +
            std::to_string(batch_);
    }
    if (op_ == "history") {
      sql = "SELECT id, v FROM " + data_.table + " WHERE k = $1 ORDER BY id LIMIT " +
            std::to_string(batch_);
    }
    PGresult* r = PQprepare(conn_->c, "op", sql.c_str(), 0, nullptr);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? Status::Ok() : PgError("prepare " + op_, conn_->c);
  }

  Status Step() override {
    Params p;
    if (op_ == "set") {
      for (int i = 0; i < batch_; ++i) {
        p.Add(MakeKey('w', cell_, index_, seq_++, data_.key_size));
        p.Add(value_);
      }
    } else if (op_ == "history") {
      p.Add(data_.history_keys[rng_.Below(data_.history_keys.size())]);
    } else {
      p.Add(data_.read_keys[rng_.Below(data_.read_keys.size())]);
    }
    p.Finish();
    PGresult* r = PQexecPrepared(conn_->c, "op", static_cast<int>(p.values.size()), p.values.data(),
                                 p.lengths.data(), p.formats.data(), 1);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || (st == PGRES_TUPLES_OK && (op_ == "scan" || PQntuples(r) > 0));
    PQclear(r);
    if (!ok) return st == PGRES_TUPLES_OK ? NotFound(op_ + ": no row") : PgError(op_, conn_->c);
    return Status::Ok();
  }

 private:
  std::unique_ptr<PgConn> conn_;
  std::string op_;
  int index_, batch_;
  uint64_t cell_;
  const PgData& data_;
  Rng rng_;
  std::string value_;
  uint64_t seq_ = 0;
};

Status Prefill(const std::string& conninfo, int keys, int history_keys, int versions, PgData* data) {
  IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, Connect(conninfo));
  const std::string value = MakeValue(42, data->value_size);
  auto insert = [&](const std::vector<std::string>& ks) -> Status {
    Params p;
    for (const std::string& k : ks) {
      p.Add(k);
      p.Add(value);
    }
    p.Finish();
    std::string sql = InsertSql(data->table, static_cast<int>(ks.size()));
    PGresult* r = PQexecParams(conn->c, sql.c_str(), static_cast<int>(p.values.size()), nullptr,
                               p.values.data(), p.lengths.data(), p.formats.data(), 1);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? Status::Ok() : PgError("prefill", conn->c);
  };
  std::vector<std::string> chunk;
  for (int i = 0; i < keys; ++i) {
    data->read_keys.push_back(MakeKey('r', 0, 0, static_cast<uint64_t>(i), data->key_size));
    chunk.push_back(data->read_keys.back());
    if (chunk.size() == 1000) {
      IMMUDB_RETURN_IF_ERROR(insert(chunk));
      chunk.clear();
    }
  }
  if (!chunk.empty()) IMMUDB_RETURN_IF_ERROR(insert(chunk));
  for (int h = 0; h < history_keys; ++h) {
    data->history_keys.push_back(MakeKey('h', 0, 0, static_cast<uint64_t>(h), data->key_size));
  }
  for (int v = 0; v < versions && history_keys > 0; ++v) IMMUDB_RETURN_IF_ERROR(insert(data->history_keys));
  return Exec(conn->c, "ANALYZE " + data->table);
}

struct Flags {
  std::string conninfo = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";
  int server_pid = 0;
  std::string variant = "plain";
  std::string ops = "set", clients = "1,10,100", batches = "1,100,1000", cells;
  int key_size = 32, value_size = 128;
  double duration = 10, warmup = 2;
  int scan_limit = 100, history_limit = 100;
  int prefill_keys = 10000, history_keys = 10, history_versions = 100;
  std::string json;
  bool no_progress = false;
};

Status Run(const Flags& f) {
  if (f.variant != "plain" && f.variant != "chained") {
    return InvalidArgument("--variant is plain or chained");
  }
  std::vector<Cell> cells;
  if (!f.cells.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(cells, ParseCells(f.cells, PgOps()));
  } else {
    IMMUDB_ASSIGN_OR_RETURN(cells, CrossCells(f.ops, f.clients, f.batches, PgOps(), {"get"},
                                              {"scan", "history"}, 0));
    for (Cell& c : cells) {
      if (c.op == "scan") c.batch = f.scan_limit;
      if (c.op == "history") c.batch = f.history_limit;
    }
  }
  if (f.key_size < 9) return InvalidArgument("--key-size must be at least 9");
  {
    IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, Connect(f.conninfo));
    IMMUDB_RETURN_IF_ERROR(Exec(conn->c, kSchema));
  }
  PgData data;
  data.table = f.variant == "plain" ? "kv" : "kv_chain";
  data.key_size = f.key_size;
  data.value_size = f.value_size;
  bool needs_prefill = false;
  for (const Cell& c : cells) needs_prefill |= c.op != "set";
  if (needs_prefill) {
    IMMUDB_RETURN_IF_ERROR(Prefill(f.conninfo, f.prefill_keys, f.history_keys, f.history_versions, &data));
  }
  std::vector<CellResult> results;
  Status result = Status::Ok();
  PrintTableHeader();
  // Cell numbers continue past immubench's so keys never collide if both write one table.
  uint64_t cell_no = 1000;
  for (const Cell& c : cells) {
    ++cell_no;
    LoadSpec spec;
    spec.target = "postgresql";
    spec.variant = f.variant;
    spec.op = c.op;
    spec.clients = c.clients;
    spec.batch = c.batch;
    spec.key_size = f.key_size;
    spec.value_size = f.value_size;
    spec.synced = true;
    spec.warmup_s = f.warmup;
    spec.duration_s = f.duration;
    spec.server_pid = f.server_pid;
    spec.progress = !f.no_progress;
    auto r = RunLoad(spec, [&](int i) -> Result<std::unique_ptr<Worker>> {
      IMMUDB_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, Connect(f.conninfo));
      auto w = std::make_unique<PgWorker>(std::move(conn), c.op, i, c.batch, cell_no, data);
      IMMUDB_RETURN_IF_ERROR(w->Prepare());
      return std::unique_ptr<Worker>(std::move(w));
    });
    if (!r.ok()) {
      result = Status(r.status().code(), c.op + " c=" + std::to_string(c.clients) + " b=" +
                                             std::to_string(c.batch) + ": " + r.status().message());
      break;
    }
    PrintTableRow(*r);
    results.push_back(std::move(*r));
  }
  if (!f.json.empty() && !results.empty()) {
    std::string server_version;
    if (auto conn = Connect(f.conninfo); conn.ok()) {
      PGresult* r = PQexec((*conn)->c, "SHOW server_version");
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) server_version = PQgetvalue(r, 0, 0);
      PQclear(r);
    }
    nlohmann::json options = {{"variant", f.variant},         {"synchronous_commit", "on"},
                              {"duration_s", f.duration},     {"warmup_s", f.warmup},
                              {"key_size", f.key_size},       {"value_size", f.value_size},
                              {"server_version", server_version}};
    Status w = WriteJson(f.json, RunDocument("pgbench_peer", options, results));
    if (result.ok()) result = w;
  }
  return result;
}

}  // namespace
}  // namespace immudb::bench

int main(int argc, char** argv) {
  immudb::bench::Flags f;
  CLI::App app("pgbench_peer: immubench's workloads against PostgreSQL (docs/benchmarks.md)");
  app.add_option("--conninfo", f.conninfo, "libpq connection string")->capture_default_str();
  app.add_option("--server-pid", f.server_pid, "postmaster pid (CPU and memory of its tree)");
  app.add_option("--variant", f.variant, "plain or chained")->capture_default_str();
  app.add_option("--ops", f.ops, "operations: set, get, scan, history")->capture_default_str();
  app.add_option("--clients", f.clients, "client counts")->capture_default_str();
  app.add_option("--batch", f.batches, "rows per transaction (set)")->capture_default_str();
  app.add_option("--cells", f.cells, "explicit cells op:clients:batch,...");
  app.add_option("--key-size", f.key_size, "key bytes")->capture_default_str();
  app.add_option("--value-size", f.value_size, "value bytes")->capture_default_str();
  app.add_option("--duration", f.duration, "measured seconds per cell")->capture_default_str();
  app.add_option("--warmup", f.warmup, "warm-up seconds per cell")->capture_default_str();
  app.add_option("--scan-limit", f.scan_limit, "rows per scan")->capture_default_str();
  app.add_option("--history-limit", f.history_limit, "rows per history")->capture_default_str();
  app.add_option("--prefill-keys", f.prefill_keys, "rows written before read cells")->capture_default_str();
  app.add_option("--history-keys", f.history_keys, "keys with many rows")->capture_default_str();
  app.add_option("--history-versions", f.history_versions, "rows of each")->capture_default_str();
  app.add_option("--json", f.json, "write the results as JSON to this file ('-' = stdout)");
  app.add_flag("--no-progress", f.no_progress, "no progress line");
  CLI11_PARSE(app, argc, argv);
  immudb::Status s = immudb::bench::Run(f);
  if (!s.ok()) {
    std::fprintf(stderr, "pgbench_peer: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
