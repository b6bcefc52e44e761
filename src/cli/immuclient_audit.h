// `immuclient audit-mode`: an auditor that, every --audit-interval (default 5m), checks each
// database it can see (DatabaseListV2, or only --audit-databases):
//   1. consistency of the server's current state with the locally trusted one (the client
//      library's CheckConsistency: dual proof from the stored state, state signature when
//      --server-signing-pub-key is given; a failed check never replaces the trusted state);
//   2. a sample of stored values (--audit-value-samples N, default 16): transactions at or
//      before the trusted state, in random order (all of them when there are at most 4N, else
//      4N drawn at random), are read with VerifiableTxById (KV entries RAW_VALUE, others
//      ONLY_DIGEST), their entries proven against the trusted state, and every KV value
//      re-hashed against its proven digest, until N values were checked. A tx the server
//      cannot serve or prove (e.g. it refuses a value that no longer matches its hash) counts
//      as a value failure.
// Results go to a log line per database per round (stdout) and to Prometheus gauges served at
// http://--audit-monitoring-address:--audit-monitoring-port/metrics (default 127.0.0.1:9477;
// port 0 = ephemeral, the bound address is logged). --audit-once runs a single round, serves
// no metrics, and fails (exit 1) when any database did not pass.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/immuclient_audit_metrics.h"
#include "cli/immuclient_session.h"
#include "cli/program.h"

namespace immudb::cli {

struct AuditFlags {
  std::string interval = "5m";
  std::vector<std::string> databases;  // empty = every loaded database
  uint32_t value_samples = 16;
  std::string monitoring_address = "127.0.0.1";
  int monitoring_port = 9477;
  bool once = false;
};

// "300ms", "1s", "5m", "2h" or a plain number of seconds.
Result<std::chrono::milliseconds> ParseAuditInterval(const std::string& text);

// One audit round over the databases of the session's server; updates metrics and writes a
// log line per database to log. Returns true when every database passed.
Result<bool> RunAuditRound(ClientSession& session, const AuditFlags& flags, AuditMetrics& metrics,
                           std::ostream& log);

// Registers `audit-mode` with its flags (connection flags are the program's, in session).
void AddImmuclientAuditCommand(Program& program, std::shared_ptr<ClientSession> session);

}  // namespace immudb::cli
