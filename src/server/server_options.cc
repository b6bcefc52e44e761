#include "server/server_options.h"

#include <toml++/toml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "server/base64.h"

namespace immudb::server {
namespace {

Result<bool> ParseBool(std::string_view name, std::string_view v) {
  std::string s(v);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "1" || s == "t" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "f" || s == "no" || s == "off") return false;
  return InvalidArgument("option " + std::string(name) + ": not a boolean: '" + std::string(v) +
                         "'");
}

Result<int> ParseInt(std::string_view name, std::string_view v) {
  int out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || v.empty()) {
    return InvalidArgument("option " + std::string(name) + ": not an integer: '" +
                           std::string(v) + "'");
  }
  return out;
}

using Setter = std::function<Status(ServerOptions&, std::string_view)>;

Setter StringField(std::string ServerOptions::*field) {
  return [field](ServerOptions& o, std::string_view v) {
    o.*field = std::string(v);
    return Status::Ok();
  };
}

Setter BoolField(const char* name, bool ServerOptions::*field) {
  return [name, field](ServerOptions& o, std::string_view v) -> Status {
    IMMUDB_ASSIGN_OR_RETURN(bool b, ParseBool(name, v));
    o.*field = b;
    return Status::Ok();
  };
}

Setter IntField(const char* name, int ServerOptions::*field) {
  return [name, field](ServerOptions& o, std::string_view v) -> Status {
    IMMUDB_ASSIGN_OR_RETURN(int i, ParseInt(name, v));
    o.*field = i;
    return Status::Ok();
  };
}

Setter DurationField(const char* name, std::chrono::milliseconds ServerOptions::*field) {
  return [name, field](ServerOptions& o, std::string_view v) -> Status {
    auto d = ParseGoDuration(v);
    if (!d.ok()) return InvalidArgument("option " + std::string(name) + ": " + d.status().message());
    o.*field = *d;
    return Status::Ok();
  };
}

Setter MicrosField(const char* name, std::chrono::microseconds ServerOptions::*field) {
  return [name, field](ServerOptions& o, std::string_view v) -> Status {
    auto d = ParseGoDurationNs(v);
    if (!d.ok()) return InvalidArgument("option " + std::string(name) + ": " + d.status().message());
    o.*field = std::chrono::duration_cast<std::chrono::microseconds>(*d);
    return Status::Ok();
  };
}

std::vector<OptionSpec> BuildSpecs() {
  std::vector<OptionSpec> s;
  auto add = [&](const char* name, const char* help, bool is_bool, Setter set) {
    s.push_back(OptionSpec{name, help, is_bool, std::move(set)});
  };
  add("address", "bind address (immudb default 0.0.0.0)", false,
      StringField(&ServerOptions::address));
  add("port", "gRPC port number (0 = any free port)", false,
      IntField("port", &ServerOptions::port));
  add("dir", "data folder", false, StringField(&ServerOptions::dir));
  add("config", "TOML config file (keys named like the flags)", false,
      StringField(&ServerOptions::config));
  add("admin-password",
      "password of the immudb user on first start (plain text, or 'enc:' + base64)", false,
      [](ServerOptions& o, std::string_view v) -> Status {
        std::string text(v);
        if (text.rfind("enc:", 0) == 0) {
          auto decoded = Base64Decode(text.substr(4), Base64Alphabet::kStandard);
          if (!decoded.ok()) return InvalidArgument("admin-password: invalid base64 after 'enc:'");
          text = *decoded;
        }
        o.admin_password = std::move(text);
        o.admin_password_given = true;
        return Status::Ok();
      });
  add("force-admin-password", "reset the immudb user's password to admin-password at start",
      true, BoolField("force-admin-password", &ServerOptions::force_admin_password));
  add("auth", "enable authentication", true, BoolField("auth", &ServerOptions::auth));
  add("maintenance", "maintenance mode (overrides auth)", true,
      BoolField("maintenance", &ServerOptions::maintenance));
  add("signingKey", "EC P-256 private key (PEM) used to sign states", false,
      StringField(&ServerOptions::signing_key));
  add("synced", "fsync every commit (false trades durability for speed)", true,
      BoolField("synced", &ServerOptions::synced));
  add("group-commit-delay",
      "when a commit group held at least --group-commit-min-txs transactions and fewer are "
      "queued, wait this long once before cutting the next group, so concurrent writers share "
      "fsyncs (0 = never wait; a lone writer never waits)",
      false, MicrosField("group-commit-delay", &ServerOptions::group_commit_delay));
  add("group-commit-min-txs", "size of the previous commit group that enables the wait (0 = never)",
      false, IntField("group-commit-min-txs", &ServerOptions::group_commit_min_txs));
  add("index-pipeline-min-entries",
      "commit groups of at least this many entries are indexed on a separate thread while the "
      "next group is written (writers are still answered only once indexed; 0 = never)",
      false, IntField("index-pipeline-min-entries", &ServerOptions::index_pipeline_min_entries));
  add("max-recv-msg-size", "max message size in bytes the server can receive", false,
      IntField("max-recv-msg-size", &ServerOptions::max_recv_msg_size));
  add("max-sessions", "maximum number of simultaneously opened sessions", false,
      IntField("max-sessions", &ServerOptions::max_sessions));
  add("max-session-inactivity-time", "idle time after which a session is marked inactive",
      false, DurationField("max-session-inactivity-time",
                           &ServerOptions::max_session_inactivity_time));
  add("max-session-age-time", "age after which a session is closed (0 = unlimited)", false,
      DurationField("max-session-age-time", &ServerOptions::max_session_age_time));
  add("max-login-failures",
      "failed logins of a user from one address (4x for an address) before back-off; 0 = off",
      false, IntField("max-login-failures", &ServerOptions::max_login_failures));
  add("login-failure-window", "failed logins older than this are forgotten", false,
      DurationField("login-failure-window", &ServerOptions::login_failure_window));
  add("login-backoff", "first back-off after too many failed logins (doubles each failure)",
      false, DurationField("login-backoff", &ServerOptions::login_backoff));
  add("login-backoff-max", "longest back-off after failed logins", false,
      DurationField("login-backoff-max", &ServerOptions::login_backoff_max));
  add("max-concurrent-logins", "password verifications running at once (0 = number of CPUs)",
      false, IntField("max-concurrent-logins", &ServerOptions::max_concurrent_logins));
  add("max-open-streams", "stream* calls open at once, server-wide (0 = unlimited)", false,
      IntField("max-open-streams", &ServerOptions::max_open_streams));
  add("session-timeout", "time after which an inactive session is closed", false,
      DurationField("session-timeout", &ServerOptions::session_timeout));
  add("sessions-guard-check-interval", "how often sessions are checked", false,
      DurationField("sessions-guard-check-interval",
                    &ServerOptions::sessions_guard_check_interval));
  add("token-expiry-time", "legacy token lifetime in minutes", false,
      IntField("token-expiry-time", &ServerOptions::token_expiry_time_min));
  add("max-active-databases", "maximum number of databases open at the same time", false,
      IntField("max-active-databases", &ServerOptions::max_active_databases));
  add("logfile", "log file (default: standard error)", false, StringField(&ServerOptions::logfile));
  add("logformat", "log format: text or json", false,
      [](ServerOptions& o, std::string_view v) -> Status {
        if (v == "text") {
          o.logformat = LogFormat::kText;
        } else if (v == "json") {
          o.logformat = LogFormat::kJson;
        } else {
          return InvalidArgument("logformat: expected text or json, got '" + std::string(v) + "'");
        }
        return Status::Ok();
      });
  add("pidfile", "write the process id to this file while running", false,
      StringField(&ServerOptions::pidfile));
  add("fips-mode", "FIPS mode: off, on or strict", false,
      [](ServerOptions& o, std::string_view v) -> Status {
        if (v != "off" && v != "on" && v != "strict") {
          return InvalidArgument("fips-mode: expected off, on or strict, got '" + std::string(v) +
                                 "'");
        }
        o.fips_mode = std::string(v);
        return Status::Ok();
      });
  add("grpc-threads",
      "maximum gRPC worker threads, also of Set/VerifiableSet calls waiting for their commit "
      "(0 = 1024)",
      false,
      IntField("grpc-threads", &ServerOptions::grpc_threads));
  add("grpc-reflection", "serve gRPC server reflection", true,
      BoolField("grpc-reflection", &ServerOptions::grpc_reflection));
  add("certificate", "server certificate chain (PEM); with --pkey enables TLS", false,
      StringField(&ServerOptions::certificate));
  add("pkey", "private key (PEM) of --certificate", false, StringField(&ServerOptions::pkey));
  add("clientcas", "CA certificates (PEM) that issue client certificates (with --mtls)", false,
      StringField(&ServerOptions::clientcas));
  add("mtls", "mutual TLS: require client certificates issued by --clientcas", true,
      BoolField("mtls", &ServerOptions::mtls));
  add("auto-cert", "TLS with a self-signed ECDSA P-256 certificate generated into <dir>/tls",
      true, BoolField("auto-cert", &ServerOptions::auto_cert));
  return s;
}

}  // namespace

const std::vector<OptionSpec>& ServerOptionSpecs() {
  static const std::vector<OptionSpec> specs = BuildSpecs();
  return specs;
}

Status SetServerOption(ServerOptions& options, std::string_view name, std::string_view value) {
  for (const OptionSpec& spec : ServerOptionSpecs()) {
    if (spec.name == name) return spec.set(options, value);
  }
  return InvalidArgument("unknown option '" + std::string(name) + "'");
}

Result<std::chrono::milliseconds> ParseGoDuration(std::string_view text) {
  IMMUDB_ASSIGN_OR_RETURN(std::chrono::nanoseconds ns, ParseGoDurationNs(text));
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(double(ns.count()) / 1e6)));
}

Result<std::chrono::nanoseconds> ParseGoDurationNs(std::string_view text) {
  std::string_view s = text;
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return InvalidArgument("empty duration");
  double total_ns = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) return InvalidArgument("invalid duration '" + std::string(text) + "'");
    double number = 0;
    std::istringstream in{std::string(s.substr(0, i))};
    if (!(in >> number)) return InvalidArgument("invalid duration '" + std::string(text) + "'");
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !std::isdigit(static_cast<unsigned char>(s[j])) && s[j] != '.') ++j;
    std::string_view unit = s.substr(0, j);
    s.remove_prefix(j);
    double scale = 0;
    if (unit == "h") scale = 3600e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us" || unit == "\xC2\xB5s") scale = 1e3;
    else if (unit == "ns") scale = 1;
    else return InvalidArgument("invalid duration unit in '" + std::string(text) + "'");
    total_ns += number * scale;
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total_ns)));
}

std::string EnvironmentName(std::string_view flag) {
  std::string out = "IMMUDB_";
  for (char c : flag) {
    out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

Status ApplyConfigFile(ServerOptions& options, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config file " << path << ": " << e.description() << " at line "
        << e.source().begin.line;
    return InvalidArgument(msg.str());
  }
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    std::string text;
    if (auto v = node.value<std::string>(); v && node.is_string()) {
      text = *v;
    } else if (node.is_boolean()) {
      text = *node.value<bool>() ? "true" : "false";
    } else if (node.is_integer()) {
      text = std::to_string(*node.value<int64_t>());
    } else if (node.is_floating_point()) {
      text = std::to_string(*node.value<double>());
    } else {
      return InvalidArgument("config file " + path + ": key '" + name + "' is not a scalar");
    }
    if (name == "config") continue;
    Status st = SetServerOption(options, name, text);
    if (!st.ok()) return InvalidArgument("config file " + path + ": " + st.message());
  }
  return Status::Ok();
}

Status ApplyEnvironment(ServerOptions& options,
                        const std::function<const char*(const char*)>& getenv) {
  for (const OptionSpec& spec : ServerOptionSpecs()) {
    if (spec.name == "config") continue;
    std::string env = EnvironmentName(spec.name);
    const char* value = getenv ? getenv(env.c_str()) : std::getenv(env.c_str());
    if (value == nullptr) continue;
    Status st = spec.set(options, value);
    if (!st.ok()) return InvalidArgument(env + ": " + st.message());
  }
  return Status::Ok();
}

Status ValidateServerOptions(const ServerOptions& o) {
  if (o.port < 0 || o.port > 65535) return InvalidArgument("port must be in 0..65535");
  if (o.address.empty()) return InvalidArgument("address must not be empty");
  if (o.dir.empty()) return InvalidArgument("dir must not be empty");
  if (o.max_recv_msg_size <= 0) return InvalidArgument("max-recv-msg-size must be > 0");
  if (o.max_sessions <= 0) return InvalidArgument("max-sessions must be > 0");
  if (o.max_active_databases <= 0) return InvalidArgument("max-active-databases must be > 0");
  if (o.token_expiry_time_min <= 0) return InvalidArgument("token-expiry-time must be > 0");
  if (o.max_open_streams < 0) return InvalidArgument("max-open-streams must be >= 0");
  if (o.max_login_failures < 0) return InvalidArgument("max-login-failures must be >= 0");
  if (o.max_concurrent_logins < 0) return InvalidArgument("max-concurrent-logins must be >= 0");
  if (o.login_backoff_max < o.login_backoff) {
    return InvalidArgument("login-backoff-max must be >= login-backoff");
  }
  if (o.grpc_threads < 0) return InvalidArgument("grpc-threads must be >= 0");
  if (o.group_commit_delay.count() < 0 || o.group_commit_delay > std::chrono::seconds(1)) {
    return InvalidArgument("group-commit-delay must be between 0 and 1s");
  }
  if (o.group_commit_min_txs < 0) return InvalidArgument("group-commit-min-txs must be >= 0");
  if (o.index_pipeline_min_entries < 0) {
    return InvalidArgument("index-pipeline-min-entries must be >= 0");
  }
  if (o.session_timeout.count() < 0 || o.max_session_inactivity_time.count() < 0 ||
      o.max_session_age_time.count() < 0) {
    return InvalidArgument("session durations must not be negative");
  }
  if (o.sessions_guard_check_interval.count() <= 0) {
    return InvalidArgument("sessions-guard-check-interval must be > 0");
  }
  if (o.admin_password.empty()) return InvalidArgument("admin-password must not be empty");
  return Status::Ok();
}

Result<ServerOptions> ResolveServerOptions(
    const std::map<std::string, std::string>& flags,
    const std::function<const char*(const char*)>& getenv) {
  ServerOptions options;
  std::string config_path;
  if (auto it = flags.find("config"); it != flags.end()) {
    config_path = it->second;
  } else {
    const char* env = getenv ? getenv("IMMUDB_CONFIG") : std::getenv("IMMUDB_CONFIG");
    if (env != nullptr) config_path = env;
  }
  if (!config_path.empty()) {
    IMMUDB_RETURN_IF_ERROR(ApplyConfigFile(options, config_path));
    options.config = config_path;
  }
  IMMUDB_RETURN_IF_ERROR(ApplyEnvironment(options, getenv));
  for (const auto& [name, value] : flags) {
    if (name == "config") continue;
    IMMUDB_RETURN_IF_ERROR(SetServerOption(options, name, value));
  }
  IMMUDB_RETURN_IF_ERROR(ValidateServerOptions(options));
  return options;
}

}  // namespace immudb::server
