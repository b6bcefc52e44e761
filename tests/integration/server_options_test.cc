// Server options (flags, IMMUDB_* environment, TOML config file, precedence), Go durations,
// and the small encodings the server puts on the wire (base64url session ids, xid ids).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "db/database.h"
#include "server/base64.h"
#include "server/server_identity.h"
#include "server/server_options.h"
#include "server_fixture.h"

namespace immudb::server {
namespace {

using std::chrono::milliseconds;

TEST(ServerOptions, DefaultsAreImmudbs) {
  auto o = ResolveServerOptions({}, [](const char*) -> const char* { return nullptr; });
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->address, "0.0.0.0");
  EXPECT_EQ(o->port, 3322);
  EXPECT_EQ(o->dir, "./data");
  EXPECT_TRUE(o->auth);
  EXPECT_FALSE(o->maintenance);
  EXPECT_TRUE(o->synced);
  EXPECT_EQ(o->admin_password, "immudb");
  EXPECT_EQ(o->max_recv_msg_size, 32 * 1024 * 1024);
  EXPECT_EQ(o->max_sessions, 100);
  EXPECT_EQ(o->session_timeout, std::chrono::minutes(2));
  EXPECT_EQ(o->max_session_inactivity_time, std::chrono::minutes(3));
  EXPECT_EQ(o->max_active_databases, 100);
  EXPECT_EQ(o->logformat, LogFormat::kText);
  EXPECT_TRUE(o->pidfile.empty());
}

TEST(ServerOptions, GoDurations) {
  EXPECT_EQ(*ParseGoDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseGoDuration("2m"), milliseconds(120000));
  EXPECT_EQ(*ParseGoDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*ParseGoDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*ParseGoDuration("250ms"), milliseconds(250));
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("5").ok());
  EXPECT_FALSE(ParseGoDuration("3days").ok());
}

TEST(ServerOptions, GroupCommitDelay) {
  auto none = [](const char*) -> const char* { return nullptr; };
  auto d = ResolveServerOptions({}, none);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->group_commit_delay, std::chrono::microseconds(100));
  EXPECT_EQ(d->group_commit_min_txs, 12);
  EXPECT_EQ(*ParseGoDurationNs("10us"), std::chrono::nanoseconds(10000));
  EXPECT_EQ(*ParseGoDurationNs("1.5ms"), std::chrono::nanoseconds(1500000));

  auto env = [](const char* n) -> const char* {
    return std::string(n) == "IMMUDB_GROUP_COMMIT_MIN_TXS" ? "4" : nullptr;
  };
  auto o = ResolveServerOptions({{"group-commit-delay", "250us"}}, env);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->group_commit_delay, std::chrono::microseconds(250));
  EXPECT_EQ(o->group_commit_min_txs, 4);
  auto off = ResolveServerOptions({{"group-commit-delay", "0"}}, none);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->group_commit_delay.count(), 0);

  auto too_long = ResolveServerOptions({{"group-commit-delay", "2s"}}, none);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("group-commit-delay"), std::string::npos);
  EXPECT_FALSE(ResolveServerOptions({{"group-commit-delay", "soon"}}, none).ok());
  EXPECT_FALSE(ResolveServerOptions({{"group-commit-min-txs", "-1"}}, none).ok());
}

TEST(ServerOptions, IndexPipelineMinEntries) {
  auto none = [](const char*) -> const char* { return nullptr; };
  auto d = ResolveServerOptions({}, none);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->index_pipeline_min_entries,
            static_cast<int>(db::CommitTuning{}.index_pipeline_min_entries));
  auto o = ResolveServerOptions({{"index-pipeline-min-entries", "0"}}, none);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->index_pipeline_min_entries, 0);
  auto env = [](const char* n) -> const char* {
    return std::string(n) == "IMMUDB_INDEX_PIPELINE_MIN_ENTRIES" ? "5000" : nullptr;
  };
  auto e = ResolveServerOptions({}, env);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->index_pipeline_min_entries, 5000);
  auto bad = ResolveServerOptions({{"index-pipeline-min-entries", "-1"}}, none);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("index-pipeline-min-entries"), std::string::npos);
}

TEST(ServerOptions, LoginLimitAndStreamOptionsFromFileEnvAndFlags) {
  auto d = ResolveServerOptions({}, [](const char*) -> const char* { return nullptr; });
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->max_login_failures, 5);
  EXPECT_EQ(d->login_failure_window, milliseconds(600000));
  EXPECT_EQ(d->login_backoff, milliseconds(1000));
  EXPECT_EQ(d->login_backoff_max, milliseconds(300000));
  EXPECT_EQ(d->max_concurrent_logins, 0);
  EXPECT_EQ(d->max_open_streams, 256);

  std::string dir = testing::MakeTempDir("options-login");
  std::string path = dir + "/immudb.toml";
  {
    std::ofstream out(path);
    out << "max-login-failures = 3\nlogin-backoff = \"2s\"\nmax-open-streams = 8\n";
  }
  std::map<std::string, std::string> env = {{"IMMUDB_LOGIN_BACKOFF_MAX", "1m"},
                                            {"IMMUDB_MAX_CONCURRENT_LOGINS", "3"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto o = ResolveServerOptions({{"config", path}, {"login-failure-window", "90s"}}, getenv);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->max_login_failures, 3);
  EXPECT_EQ(o->login_backoff, milliseconds(2000));
  EXPECT_EQ(o->max_open_streams, 8);
  EXPECT_EQ(o->login_backoff_max, milliseconds(60000));
  EXPECT_EQ(o->max_concurrent_logins, 3);
  EXPECT_EQ(o->login_failure_window, milliseconds(90000));
  EXPECT_FALSE(ResolveServerOptions({{"max-login-failures", "-1"}}, getenv).ok());
  EXPECT_FALSE(ResolveServerOptions({{"login-backoff", "10m"}}, getenv).ok());  // > max (1m)
  std::filesystem::remove_all(dir);
}

TEST(ServerOptions, ConfigFileThenEnvironmentThenFlags) {
  std::string dir = testing::MakeTempDir("options");
  std::string path = dir + "/immudb.toml";
  {
    std::ofstream out(path);
    out << "port = 4000\naddress = \"10.0.0.1\"\nmax-sessions = 7\nauth = false\n"
           "logformat = \"json\"\nsession-timeout = \"30s\"\nsigningKey = \"/k.pem\"\n";
  }
  std::map<std::string, std::string> env = {{"IMMUDB_PORT", "5000"},
                                            {"IMMUDB_MAX_SESSIONS", "9"},
                                            {"IMMUDB_ADMIN_PASSWORD", "enc:U2VjcmV0MSE="}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto o = ResolveServerOptions({{"config", path}, {"port", "6000"}}, getenv);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->port, 6000);             // flag beats env beats file
  EXPECT_EQ(o->max_sessions, 9);        // env beats file
  EXPECT_EQ(o->address, "10.0.0.1");    // file beats default
  EXPECT_FALSE(o->auth);
  EXPECT_EQ(o->logformat, LogFormat::kJson);
  EXPECT_EQ(o->session_timeout, milliseconds(30000));
  EXPECT_EQ(o->signing_key, "/k.pem");
  EXPECT_EQ(o->admin_password, "Secret1!");  // 'enc:' + base64
  EXPECT_TRUE(o->admin_password_given);
  std::filesystem::remove_all(dir);
}

TEST(ServerOptions, BadValuesAreRejectedWithTheirName) {
  auto none = [](const char*) -> const char* { return nullptr; };
  auto bad_port = ResolveServerOptions({{"port", "70000"}}, none);
  EXPECT_FALSE(bad_port.ok());
  auto not_int = ResolveServerOptions({{"max-sessions", "lots"}}, none);
  ASSERT_FALSE(not_int.ok());
  EXPECT_NE(not_int.status().message().find("max-sessions"), std::string::npos);
  EXPECT_FALSE(ResolveServerOptions({{"logformat", "xml"}}, none).ok());
  EXPECT_FALSE(ResolveServerOptions({{"no-such-flag", "1"}}, none).ok());
  auto env_bad = ResolveServerOptions({}, [](const char* n) -> const char* {
    return std::string(n) == "IMMUDB_AUTH" ? "maybe" : nullptr;
  });
  ASSERT_FALSE(env_bad.ok());
  EXPECT_NE(env_bad.status().message().find("IMMUDB_AUTH"), std::string::npos);

  std::string dir = testing::MakeTempDir("badtoml");
  std::ofstream(dir + "/bad.toml") << "port = = 3\n";
  EXPECT_FALSE(ResolveServerOptions({{"config", dir + "/bad.toml"}}, none).ok());
  std::ofstream(dir + "/unknown.toml") << "colour = \"blue\"\n";
  auto unknown = ResolveServerOptions({{"config", dir + "/unknown.toml"}}, none);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("colour"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ServerOptions, EnvironmentNames) {
  EXPECT_EQ(EnvironmentName("max-recv-msg-size"), "IMMUDB_MAX_RECV_MSG_SIZE");
  EXPECT_EQ(EnvironmentName("signingKey"), "IMMUDB_SIGNINGKEY");
}

TEST(WireEncodings, Base64RoundTripAndAlphabets) {
  const std::string data("\xfb\xff\xfe\x00\x01", 5);
  std::string url = Base64Encode(data, Base64Alphabet::kUrl);
  std::string std = Base64Encode(data, Base64Alphabet::kStandard);
  EXPECT_EQ(url, "-__-AAE=");
  EXPECT_EQ(std, "+//+AAE=");
  EXPECT_EQ(*Base64Decode(url, Base64Alphabet::kUrl), data);
  EXPECT_EQ(*Base64Decode(std, Base64Alphabet::kStandard), data);
  EXPECT_FALSE(Base64Decode(url, Base64Alphabet::kStandard).ok());
  EXPECT_EQ(Base64Encode("", Base64Alphabet::kUrl), "");
  EXPECT_EQ(Base64Encode("f", Base64Alphabet::kStandard), "Zg==");
}

// The xid text form: base32hex, lower case, 20 characters (a known id from the xid format's
// documentation: 4d88e15b60f486e428412dc9 <-> 9m4e2mr0ui3e8a215n4g).
TEST(WireEncodings, XidText) {
  std::array<uint8_t, 12> id = {0x4d, 0x88, 0xe1, 0x5b, 0x60, 0xf4, 0x86, 0xe4,
                                0x28, 0x41, 0x2d, 0xc9};
  EXPECT_EQ(XidText(id), "9m4e2mr0ui3e8a215n4g");
}

TEST(WireEncodings, ServerIdIsCreatedOnceAndKept) {
  std::string dir = testing::MakeTempDir("xid");
  auto first = LoadOrCreateServerId(dir);
  ASSERT_TRUE(first.ok());
  auto second = LoadOrCreateServerId(dir);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(std::filesystem::file_size(dir + "/immudb.identifier"), 12u);
  std::filesystem::resize_file(dir + "/immudb.identifier", 5);
  EXPECT_EQ(LoadOrCreateServerId(dir).status().code(), Code::kCorruption);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace immudb::server
