// The server's settings, immudb's flags and defaults, and how they are read.
//
// Sources, lowest priority first (immudb's order): built-in defaults, the TOML config file
// (--config, keys named like the flags), IMMUDB_<FLAG> environment variables (upper case, '-'
// replaced by '_', e.g. IMMUDB_MAX_SESSIONS, IMMUDB_SIGNINGKEY), then command-line flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace immudb::server {

enum class LogFormat { kText, kJson };

struct ServerOptions {
  std::string address = "0.0.0.0";
  int port = 3322;
  std::string dir = "./data";
  std::string config;  // path of the TOML config file; empty = none
  std::string admin_password = "immudb";
  bool admin_password_given = false;  // set when admin-password came from any source
  bool force_admin_password = false;
  bool auth = true;
  bool maintenance = false;
  std::string signing_key;  // PEM EC private key path; empty = states are not signed
  bool synced = true;
  // Group commit delay of every database's store (store::Options::group_delay,
  // group_delay_min_txs).
  std::chrono::microseconds group_commit_delay{100};
  int group_commit_min_txs = 12;
  // Commit groups of at least this many entries are indexed on each database's index
  // thread while the next group is written (db::CommitTuning::index_pipeline_min_entries).
  int index_pipeline_min_entries = 1000;  // = db::CommitTuning{}.index_pipeline_min_entries
  int max_recv_msg_size = 32 * 1024 * 1024;
  int max_sessions = 100;
  std::chrono::milliseconds max_session_inactivity_time = std::chrono::minutes(3);
  std::chrono::milliseconds max_session_age_time{0};  // 0 = unlimited
  std::chrono::milliseconds session_timeout = std::chrono::minutes(2);
  std::chrono::milliseconds sessions_guard_check_interval = std::chrono::minutes(1);
  int token_expiry_time_min = 1440;
  // Failed-login back-off (login_limiter.h): after max_login_failures failures of one user
  // from one address within login_failure_window, waits of login_backoff doubling up to
  // login_backoff_max; 0 failures disables it. max_concurrent_logins bounds the password
  // verifications running at once (0 = number of CPUs, at least 2).
  int max_login_failures = 5;
  std::chrono::milliseconds login_failure_window = std::chrono::minutes(10);
  std::chrono::milliseconds login_backoff = std::chrono::seconds(1);
  std::chrono::milliseconds login_backoff_max = std::chrono::minutes(5);
  int max_concurrent_logins = 0;
  // stream* calls open at once, server-wide (0 = unlimited).
  int max_open_streams = 256;
  int max_active_databases = 100;
  std::string logfile;  // empty = stderr
  LogFormat logformat = LogFormat::kText;
  std::string pidfile;  // empty = no pid file
  std::string fips_mode;  // "off" | "on" | "strict"; empty = the build's default
  int grpc_threads = 0;   // upper bound of gRPC worker threads; 0 = 1024 (created on demand)
  bool grpc_reflection = true;
  // Transport security (server/tls_credentials.h).
  std::string certificate;  // PEM certificate chain; with pkey enables TLS
  std::string pkey;         // PEM private key of the certificate
  std::string clientcas;    // PEM CA certificates that issue client certificates (--mtls)
  bool mtls = false;        // require and verify client certificates
  bool auto_cert = false;   // TLS with a self-signed ECDSA P-256 certificate in <dir>/tls
};

// One settable option: its flag name, a help line and whether it takes no value (bool).
struct OptionSpec {
  std::string name;
  std::string help;
  bool is_bool = false;
  std::function<Status(ServerOptions&, std::string_view)> set;
};

// Every option the server understands, in --help order.
const std::vector<OptionSpec>& ServerOptionSpecs();

// Sets option `name` from its text form ("true"/"false", integers, Go durations such as
// "2m", "90s", "1h30m", "500ms"). Unknown names and malformed values are InvalidArgument.
Status SetServerOption(ServerOptions& options, std::string_view name, std::string_view value);

// Parses a Go-style duration ("0", "2m", "1h30m", "1.5s", "250ms", "10us").
Result<std::chrono::milliseconds> ParseGoDuration(std::string_view text);
// The same to the nanosecond ("100us").
Result<std::chrono::nanoseconds> ParseGoDurationNs(std::string_view text);

// Applies every key of the TOML file at `path` (top-level keys named like the flags, values of
// any TOML scalar type). Unknown keys are an error naming the key.
Status ApplyConfigFile(ServerOptions& options, const std::string& path);

// Applies IMMUDB_<FLAG> variables found through `getenv` (default: std::getenv).
Status ApplyEnvironment(ServerOptions& options,
                        const std::function<const char*(const char*)>& getenv = nullptr);

// The whole resolution: defaults, then the config file (named by `flags["config"]`, or
// IMMUDB_CONFIG), then the environment, then `flags` (flag name -> text as given on the
// command line). Validates the result.
Result<ServerOptions> ResolveServerOptions(
    const std::map<std::string, std::string>& flags,
    const std::function<const char*(const char*)>& getenv = nullptr);

// Checks ranges (port 0-65535, sizes > 0, ...). Port 0 means "pick a free port".
Status ValidateServerOptions(const ServerOptions& options);

// "IMMUDB_" + upper-cased flag name with '-' -> '_'.
std::string EnvironmentName(std::string_view flag);

}  // namespace immudb::server
