#include "cli/immuclient_audit.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <set>
#include <thread>

#include "base/bytes.h"
#include "client/entry_encoding.h"
#include "crypto/random.h"
#include "crypto/sha256.h"

namespace immudb::cli {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

double NowUnixSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// A tx id drawn in [1, max] (max > 0) from the crypto module's DRBG (modulo bias < 2^-40
// for any realistic max; sampling, not security).
Result<uint64_t> RandomTx(uint64_t max) {
  IMMUDB_ASSIGN_OR_RETURN(Bytes b, crypto::RandomBytes(8));
  uint64_t v = GetU64(b.data());
  return 1 + v % max;
}

// The transactions to visit, in the order to visit them: every one of 1..max in random order
// when there are at most 4n, else 4n distinct ids drawn at random (bounded attempts). The
// caller stops once n values were checked (some transactions hold no KV value).
Result<std::vector<uint64_t>> PickTxs(uint64_t max, uint32_t n) {
  std::vector<uint64_t> out;
  if (max == 0 || n == 0) return out;
  const uint64_t want = 4 * uint64_t(n);
  if (max <= want) {
    for (uint64_t t = 1; t <= max; ++t) out.push_back(t);
    for (size_t i = out.size() - 1; i > 0; --i) {  // Fisher-Yates
      IMMUDB_ASSIGN_OR_RETURN(uint64_t j, RandomTx(i + 1));
      std::swap(out[i], out[j - 1]);
    }
    return out;
  }
  std::set<uint64_t> picked;
  for (uint64_t attempt = 0; attempt < 4 * want && picked.size() < want; ++attempt) {
    IMMUDB_ASSIGN_OR_RETURN(uint64_t t, RandomTx(max));
    if (picked.insert(t).second) out.push_back(t);
  }
  return out;
}

struct ValueSample {
  uint64_t checked = 0;
  uint64_t failures = 0;
  std::string first_failure;
};

// Re-reads the values of sampled transactions up to `upto` and re-hashes each KV value against
// its digest, which VerifiedTxById proved (entries -> Eh -> Alh -> dual proof to the trusted
// state). A tx the server cannot serve or prove counts as a failure; only errors reaching the
// server (unavailable, authentication) are returned as errors.
Result<ValueSample> SampleValues(client::ImmuClient* c, uint64_t upto, uint32_t n) {
  ValueSample s;
  IMMUDB_ASSIGN_OR_RETURN(std::vector<uint64_t> txs, PickTxs(upto, n));
  schema::EntriesSpec spec;
  spec.mutable_kventriesspec()->set_action(schema::RAW_VALUE);
  spec.mutable_zentriesspec()->set_action(schema::ONLY_DIGEST);
  spec.mutable_sqlentriesspec()->set_action(schema::ONLY_DIGEST);
  auto fail = [&s](const std::string& why) {
    ++s.failures;
    if (s.first_failure.empty()) s.first_failure = why;
  };
  for (uint64_t tx : txs) {
    if (s.checked >= n) break;
    Result<schema::Tx> r = c->VerifiedTxById(tx, spec);
    if (!r.ok()) {
      Code code = r.status().code();
      // Reaching the server is an error of the audit; anything else means the server could
      // not prove or serve a committed tx intact (our server refuses a value whose bytes no
      // longer hash to the stored digest), which counts against the values.
      if (code == Code::kUnavailable || code == Code::kUnauthenticated ||
          code == Code::kPermissionDenied || code == Code::kCryptoError) {
        return r.status();
      }
      fail("tx " + std::to_string(tx) + ": " + r.status().message());
      continue;
    }
    // Only a complete entry list was hashed against the proven Eh (expired KV entries are
    // left out by the server): an incomplete tx cannot be checked.
    if (int64_t(r->entries_size()) != int64_t(r->header().nentries())) continue;
    for (const schema::TxEntry& e : r->entries()) {
      if (e.key().empty() || uint8_t(e.key()[0]) != client::kSetKeyPrefix) continue;
      ++s.checked;
      const std::string& v = e.value();
      crypto::Digest d = crypto::Sha256(AsBytes(v));
      bool ok = e.hvalue().size() == d.size() &&
                std::equal(d.begin(), d.end(), e.hvalue().begin(),
                           [](uint8_t a, char b) { return a == uint8_t(b); }) &&
                int64_t(v.size()) == int64_t(e.vlen());
      if (!ok) {
        fail("tx " + std::to_string(tx) + ": the value of key " +
             HexEncode(AsBytes(e.key().substr(1))) + " does not hash to its proven digest");
      }
    }
  }
  return s;
}

const char* ResultText(int result) {
  return result == 1 ? "OK" : result == 0 ? "TAMPERED" : "ERROR";
}

void Log(std::ostream& log, const AuditResult& r, const std::string& detail) {
  log << "audit: server " << (r.server_id.empty() ? "?" : r.server_id) << " ("
      << r.server_address << ") database " << (r.database.empty() ? "?" : r.database) << ": "
      << ResultText(r.result) << ", prev tx " << r.prev_tx << ", curr tx " << r.curr_tx
      << ", values checked " << r.values_checked << ", value failures " << r.value_failures;
  if (!detail.empty()) log << ": " << detail;
  log << std::endl;
}

// Audits the current database of c into r; returns the detail to log.
std::string AuditDatabase(client::ImmuClient* c, const AuditFlags& flags, AuditResult& r) {
  Result<std::optional<schema::ImmutableState>> prev = c->LocalState();
  if (!prev.ok()) return prev.status().message();
  if (*prev) r.prev_tx = int64_t((*prev)->txid());
  r.server_id = c->server_uuid();
  Result<schema::ImmutableState> cur = c->CheckConsistency();
  r.server_id = c->server_uuid();
  if (!cur.ok()) {
    r.result = cur.status().code() == Code::kTampered ? 0 : -1;
    r.curr_tx = r.prev_tx;  // the trusted state is unchanged
    return cur.status().message();
  }
  r.curr_tx = int64_t(cur->txid());
  Result<ValueSample> s = SampleValues(c, cur->txid(), flags.value_samples);
  if (!s.ok()) {
    r.result = s.status().code() == Code::kTampered ? 0 : -1;
    return "value sample: " + s.status().message();
  }
  r.values_checked = s->checked;
  r.value_failures = s->failures;
  r.result = s->failures == 0 ? 1 : 0;
  return s->first_failure;
}

}  // namespace

Result<std::chrono::milliseconds> ParseAuditInterval(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 12) return InvalidArgument("invalid audit interval: " + text);
  uint64_t n = std::strtoull(text.substr(0, i).c_str(), nullptr, 10);
  std::string unit = text.substr(i);
  uint64_t ms;
  if (unit.empty() || unit == "s") {
    ms = n * 1000;
  } else if (unit == "ms") {
    ms = n;
  } else if (unit == "m") {
    ms = n * 60000;
  } else if (unit == "h") {
    ms = n * 3600000;
  } else {
    return InvalidArgument("invalid audit interval unit (ms, s, m, h): " + text);
  }
  if (ms == 0) return InvalidArgument("the audit interval must be positive");
  return std::chrono::milliseconds(ms);
}

Result<bool> RunAuditRound(ClientSession& session, const AuditFlags& flags, AuditMetrics& metrics,
                           std::ostream& log) {
  metrics.CountRound();
  const std::string address = session.flags.address + ":" + std::to_string(session.flags.port);
  AuditResult base;
  base.server_address = address;
  base.run_at = NowUnixSeconds();

  Result<client::ImmuClient*> c = session.Client();
  Result<schema::DatabaseListResponseV2> list =
      c.ok() ? (*c)->DatabaseList() : Result<schema::DatabaseListResponseV2>(c.status());
  if (!list.ok()) {
    AuditResult r = base;
    if (c.ok()) r.server_id = (*c)->server_uuid();
    metrics.Update(r);
    Log(log, r, list.status().message());
    return false;
  }
  std::vector<std::string> dbs;
  std::set<std::string> visible;
  for (const auto& info : list->databases()) {
    visible.insert(info.name());
    if (flags.databases.empty() && info.loaded()) dbs.push_back(info.name());
  }
  if (!flags.databases.empty()) dbs = flags.databases;

  bool all_ok = true;
  for (const std::string& db : dbs) {
    AuditResult r = base;
    r.database = db;
    r.run_at = NowUnixSeconds();
    r.server_id = (*c)->server_uuid();
    std::string detail;
    if (visible.count(db) == 0) {
      detail = "database not found or not visible to this user";
    } else {
      Status use = (*c)->UseDatabase(db);
      detail = use.ok() ? AuditDatabase(*c, flags, r) : use.message();
    }
    if (r.result != 1) all_ok = false;
    metrics.Update(r);
    Log(log, r, detail);
  }
  if (dbs.empty()) log << "audit: no database to audit on " << address << std::endl;
  return all_ok;
}

void AddImmuclientAuditCommand(Program& program, std::shared_ptr<ClientSession> session) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* sub = program.AddCommand(
      "audit-mode",
      "audit the server: consistency of every database's state with the trusted one, state "
      "signatures and a sample of stored values; results as Prometheus metrics",
      [session, flags]() -> Status {
        IMMUDB_ASSIGN_OR_RETURN(std::chrono::milliseconds interval,
                                ParseAuditInterval(flags->interval));
        AuditMetrics metrics;
        if (flags->once) {
          IMMUDB_ASSIGN_OR_RETURN(bool ok, RunAuditRound(*session, *flags, metrics, std::cout));
          if (!ok) return Tampered("audit failed (see the log lines above)");
          return Status::Ok();
        }
        IMMUDB_ASSIGN_OR_RETURN(auto http,
                                MetricsHttpServer::Start(flags->monitoring_address,
                                                         flags->monitoring_port, &metrics));
        std::cout << "audit: serving metrics on http://" << flags->monitoring_address << ":"
                  << http->port() << "/metrics, auditing every " << flags->interval
                  << std::endl;
        struct sigaction sa {};
        sa.sa_handler = OnSignal;
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
        while (!g_stop) {
          IMMUDB_RETURN_IF_ERROR(RunAuditRound(*session, *flags, metrics, std::cout).status());
          auto until = std::chrono::steady_clock::now() + interval;
          while (!g_stop && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
        }
        std::cout << "audit: stopped" << std::endl;
        return Status::Ok();
      });
  sub->add_option("--audit-interval", flags->interval,
                  "time between audit rounds (e.g. 1s, 5m, 1h)")
      ->capture_default_str();
  sub->add_option("--audit-databases", flags->databases,
                  "databases to audit (default: every loaded database the user can see)")
      ->delimiter(',');
  sub->add_option("--audit-value-samples", flags->value_samples,
                  "stored values re-read and re-hashed per database per round (0 = none)")
      ->capture_default_str();
  sub->add_option("--audit-monitoring-address", flags->monitoring_address,
                  "IPv4 address of the metrics endpoint")
      ->capture_default_str();
  sub->add_option("--audit-monitoring-port", flags->monitoring_port,
                  "port of the metrics endpoint (0 = ephemeral)")
      ->capture_default_str();
  sub->add_flag("--audit-once", flags->once,
                "run one audit round and exit (exit 1 when any database did not pass)");
}

}  // namespace immudb::cli
