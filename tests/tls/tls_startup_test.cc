// The TLS flags of the real programs: immudb refuses non-approved certificates and keys at
// start-up in FIPS mode with a clear error (and accepts them in default mode), --auto-cert
// generates and then reuses a P-256 certificate, and immuclient talks to TLS and mutual-TLS
// servers with --tls/--mtls/--clientcas/--certificate/--pkey/--servername.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <random>

#include "tls_test_support.h"

#ifndef IMMUDB_BINARY
#error "IMMUDB_BINARY must name the immudb program"
#endif
#ifndef IMMUADMIN_BINARY
#error "IMMUADMIN_BINARY must name the immuadmin program"
#endif
#ifndef IMMUCLIENT_BINARY
#error "IMMUCLIENT_BINARY must name the immuclient program"
#endif

namespace immudb::tls_testing {
namespace {

class TlsStartupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::random_device rd;  // test folder naming only
    work_ = (std::filesystem::temp_directory_path() /
             ("immudb-tls-startup-" + std::to_string(rd()))).string();
    certs_ = work_ + "/certs";
    std::filesystem::create_directories(certs_);
    auto run = [](const std::string& cmd) {
      CommandResult r = RunCommand("cd " + Quote(certs_) + " && timeout 60 " + cmd);
      ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    };
    std::ofstream(certs_ + "/ext.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                          "extendedKeyUsage=serverAuth,clientAuth\n";
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
        "-out ca.pem -days 2 -subj /CN=ca -addext basicConstraints=critical,CA:TRUE");
    const std::pair<const char*, const char*> leaves[] = {
        {"p256", "ec -pkeyopt ec_paramgen_curve:P-256"},
        {"rsa1024", "rsa:1024"},
        {"ed25519", "ed25519"},
        {"secp256k1", "ec -pkeyopt ec_paramgen_curve:secp256k1"},
        {"client", "ec -pkeyopt ec_paramgen_curve:P-256"},
        {"client_ed25519", "ed25519"},
    };
    for (const auto& [n, newkey] : leaves) {
      run(std::string("openssl req -new -newkey ") + newkey + " -nodes -keyout " + n +
          ".key -out " + n + ".csr -subj /CN=" + n);
      run(std::string("openssl x509 -req -in ") + n + ".csr -CA ca.pem -CAkey ca.key "
          "-CAcreateserial -out " + n + ".pem -days 2 -extfile ext.cnf");
    }
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(work_, ec);
  }

  static std::string Cert(const std::string& n) { return certs_ + "/" + n + ".pem"; }
  static std::string Key(const std::string& n) { return certs_ + "/" + n + ".key"; }

  // Starts immudb; ready=false when it exited instead.
  bool Launch(ServerProcess& s, const std::string& name, const std::vector<std::string>& flags) {
    s.Start(IMMUDB_BINARY, work_ + "/" + name, flags);
    return s.WaitReady();
  }

  // Runs immuclient with the given arguments against port, bounded by timeout.
  CommandResult Client(int port, const std::string& args, const std::string& name) {
    std::string cmd = "timeout 30 " + Quote(IMMUCLIENT_BINARY) + " --immudb-port " +
                      std::to_string(port) + " --dir " + Quote(work_ + "/client-" + name) +
                      " --password Admin123! " + args + " </dev/null";
    CommandResult r = RunCommand(cmd);
    r.output = "$ " + cmd + "\n" + r.output;
    return r;
  }

  static std::string work_, certs_;
};
std::string TlsStartupTest::work_, TlsStartupTest::certs_;

TEST_F(TlsStartupTest, FipsModeRefusesNonApprovedServerCertificates) {
  struct Case {
    const char* cert;
    const char* expect;  // part of the error message
  };
  for (const Case& c : {Case{"ed25519", "ED25519"}, Case{"rsa1024", "RSA-1024"},
                        Case{"secp256k1", "secp256k1"}}) {
    ServerProcess s;
    EXPECT_FALSE(Launch(s, std::string("refuse-") + c.cert,
                        {"--fips-mode", "on", "--certificate", Cert(c.cert), "--pkey", Key(c.cert)}))
        << c.cert;
    EXPECT_EQ(s.WaitExitCode(), 1) << c.cert;
    std::string log = s.log();
    EXPECT_NE(log.find("refused"), std::string::npos) << log;
    EXPECT_NE(log.find(c.expect), std::string::npos) << log;
    EXPECT_NE(log.find(Cert(c.cert)), std::string::npos) << log;  // names the file
  }
  // A non-approved client CA is refused as well.
  ServerProcess s;
  EXPECT_FALSE(Launch(s, "refuse-clientca", {"--fips-mode", "on", "--certificate", Cert("p256"),
                                             "--pkey", Key("p256"), "--mtls", "--clientcas",
                                             Cert("ed25519")}));
  EXPECT_NE(s.log().find("client CA file"), std::string::npos) << s.log();
}

TEST_F(TlsStartupTest, DefaultModeAcceptsThemButFlagMistakesAreErrors) {
#ifdef IMMUDB_TLS_TEST_FIPS_BUILD
  GTEST_SKIP() << "no default mode in the -fips build";
#endif
  ServerProcess ok;
  EXPECT_TRUE(Launch(ok, "default-ed25519", {"--fips-mode", "off", "--certificate",
                                             Cert("ed25519"), "--pkey", Key("ed25519")}))
      << ok.log();
  ServerProcess no_key;
  EXPECT_FALSE(Launch(no_key, "no-key", {"--certificate", Cert("p256")}));
  EXPECT_NE(no_key.log().find("--certificate and --pkey"), std::string::npos) << no_key.log();
  ServerProcess mismatch;
  EXPECT_FALSE(Launch(mismatch, "mismatch", {"--certificate", Cert("p256"), "--pkey", Key("client")}));
  EXPECT_NE(mismatch.log().find("does not belong to the certificate"), std::string::npos)
      << mismatch.log();
  ServerProcess no_cas;
  EXPECT_FALSE(Launch(no_cas, "no-cas",
                      {"--certificate", Cert("p256"), "--pkey", Key("p256"), "--mtls"}));
  EXPECT_NE(no_cas.log().find("--clientcas"), std::string::npos) << no_cas.log();
}

TEST_F(TlsStartupTest, AutoCertInFipsModeAndImmuclientOverTls) {
  ServerProcess s;
  ASSERT_TRUE(Launch(s, "autocert", {"--fips-mode", "on", "--auto-cert"})) << s.log();
  const std::string cert = s.dir() + "/data/tls/auto-cert.pem";
  const std::string key = s.dir() + "/data/tls/auto-key.pem";
  ASSERT_TRUE(std::filesystem::exists(cert)) << s.log();
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  CommandResult text = RunCommand("timeout 10 openssl x509 -noout -text -in " + Quote(cert));
  EXPECT_NE(text.output.find("prime256v1"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("ecdsa-with-SHA256"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("IP Address:127.0.0.1"), std::string::npos) << text.output;
  // The certificate verifies as its own trust root and the handshake is FIPS TLS 1.3.
  Handshake h = SClient(s.port(), "-CAfile " + Quote(cert) + " -verify_return_error");
  EXPECT_TRUE(h.accepted) << h.output;
  EXPECT_EQ(h.protocol, "TLSv1.3") << h.output;

  // immuclient in FIPS mode over TLS, trusting the generated certificate.
  const std::string tls = "--fips-mode on --tls --clientcas " + Quote(cert);
  CommandResult set = Client(s.port(), tls + " set tlskey tlsvalue", "a");
  EXPECT_EQ(set.exit_code, 0) << set.output;
  CommandResult get = Client(s.port(), tls + " safeget tlskey", "a");
  EXPECT_EQ(get.exit_code, 0) << get.output;
  EXPECT_NE(get.output.find("tlsvalue"), std::string::npos) << get.output;
  // Without the trust root (system roots only), the server is not trusted.
  CommandResult untrusted = Client(s.port(), "--fips-mode on --tls get tlskey", "b");
  EXPECT_NE(untrusted.exit_code, 0) << untrusted.output;
  // Plaintext against a TLS server fails.
  CommandResult plain = Client(s.port(), "get tlskey", "c");
  EXPECT_NE(plain.exit_code, 0) << plain.output;
  // A name the certificate does not carry fails; one it carries works.
  CommandResult wrong = Client(s.port(), tls + " --servername wrong.example get tlskey", "d");
  EXPECT_NE(wrong.exit_code, 0) << wrong.output;
  CommandResult right = Client(s.port(), tls + " --servername localhost get tlskey", "d");
  EXPECT_EQ(right.exit_code, 0) << right.output;

  // immuadmin over TLS in FIPS mode, too.
  CommandResult admin = RunCommand(
      "timeout 30 " + Quote(IMMUADMIN_BINARY) + " --fips-mode on --tls --clientcas " +
      Quote(cert) + " --immudb-port " + std::to_string(s.port()) + " --dir " +
      Quote(work_ + "/admin") + " --password Admin123! database list </dev/null");
  EXPECT_EQ(admin.exit_code, 0) << admin.output;
  EXPECT_NE(admin.output.find("defaultdb"), std::string::npos) << admin.output;

  // Restarting reuses the certificate.
  std::string before = ReadFile(cert);
  s.Kill();
  ServerProcess again;
  again.Start(IMMUDB_BINARY, s.dir(), {"--fips-mode", "on", "--auto-cert"});
  ASSERT_TRUE(again.WaitReady()) << again.log();
  EXPECT_EQ(ReadFile(cert), before);
}

TEST_F(TlsStartupTest, ImmuclientOverMutualTlsInFipsMode) {
  ServerProcess s;
  ASSERT_TRUE(Launch(s, "mtls", {"--fips-mode", "on", "--certificate", Cert("p256"), "--pkey",
                                 Key("p256"), "--mtls", "--clientcas", Cert("ca")}))
      << s.log();
  const std::string base = "--fips-mode on --clientcas " + Quote(Cert("ca")) + " ";
  CommandResult ok = Client(s.port(), base + "--mtls --servername localhost --certificate " +
                                          Quote(Cert("client")) + " --pkey " +
                                          Quote(Key("client")) + " set mk mv", "m1");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  // No client certificate: the server refuses the handshake.
  CommandResult nocert = Client(s.port(), base + "--tls get mk", "m2");
  EXPECT_NE(nocert.exit_code, 0) << nocert.output;
  // An Ed25519 client certificate: refused by the client itself in FIPS mode, before any
  // connection, with the reason.
  CommandResult ed = Client(s.port(), base + "--mtls --certificate " +
                                          Quote(Cert("client_ed25519")) + " --pkey " +
                                          Quote(Key("client_ed25519")) + " get mk", "m3");
  EXPECT_NE(ed.exit_code, 0) << ed.output;
  EXPECT_NE(ed.output.find("ED25519"), std::string::npos) << ed.output;
  // A key that does not belong to the certificate: refused by the client with the reason.
  CommandResult mismatch = Client(s.port(), base + "--mtls --certificate " +
                                                Quote(Cert("client")) + " --pkey " +
                                                Quote(Key("p256")) + " get mk", "m5");
  EXPECT_NE(mismatch.exit_code, 0) << mismatch.output;
  EXPECT_NE(mismatch.output.find("does not belong"), std::string::npos) << mismatch.output;
  // --mtls without a certificate is a usage error.
  CommandResult usage = Client(s.port(), base + "--mtls get mk", "m4");
  EXPECT_NE(usage.exit_code, 0) << usage.output;
  EXPECT_NE(usage.output.find("--certificate"), std::string::npos) << usage.output;
}

}  // namespace
}  // namespace immudb::tls_testing
