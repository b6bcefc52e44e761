// Transport security of the real `immudb` program, proven with handshakes on 127.0.0.1:
// `openssl s_client` (the system's OpenSSL with its default provider, so it offers everything
// a non-approved client could) against servers started with --fips-mode=on and, as a
// control that shows each probe can succeed, --fips-mode=off. Every client run is bounded
// with `timeout`.
//
// The FIPS policy here is TLS 1.3 only (the development provider does not enforce Extended
// Master Secret and gRPC gives no way to refuse a TLS 1.2 peer without it; docs/fips.md), so
// every TLS 1.2 probe against a FIPS server must fail, and the same probe against the
// default-mode server shows it would otherwise have passed.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>

#include "tls_test_support.h"

#ifndef IMMUDB_BINARY
#error "IMMUDB_BINARY must name the immudb program"
#endif

namespace immudb::tls_testing {
namespace {

// In the -fips build (-DIMMUDB_FIPS=ON) the program refuses --fips-mode=off: the FIPS
// servers are started without --fips-mode (proving the build's default is on) and the
// default-mode controls are skipped.
#ifdef IMMUDB_TLS_TEST_FIPS_BUILD
constexpr bool kFipsBuild = true;
#else
constexpr bool kFipsBuild = false;
#endif

std::string g_work;   // temporary folder of this run
std::string g_certs;  // certificates made by the system openssl

std::string Cert(const std::string& name) { return g_certs + "/" + name + ".pem"; }
std::string Key(const std::string& name) { return g_certs + "/" + name + ".key"; }

// Makes a CA and certificates signed by it with `openssl req`/`openssl x509`.
void MakeCertificates() {
  std::filesystem::create_directories(g_certs);
  auto run = [](const std::string& cmd) {
    CommandResult r = RunCommand("cd " + Quote(g_certs) + " && timeout 60 " + cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
  };
  {
    std::ofstream ext(g_certs + "/ext.cnf");
    ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
           "extendedKeyUsage=serverAuth,clientAuth\n";
  }
  for (const char* ca : {"ca", "otherca"}) {
    run(std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                    "-keyout ") + ca + ".key -out " + ca + ".pem -days 2 -subj /CN=" + ca +
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign");
  }
  struct Leaf {
    const char* name;
    const char* newkey;
    const char* ca;
  };
  const Leaf leaves[] = {
      {"server_p256", "ec -pkeyopt ec_paramgen_curve:P-256", "ca"},
      {"server_rsa2048", "rsa:2048", "ca"},
      {"server_rsa1024", "rsa:1024", "ca"},
      {"server_ed25519", "ed25519", "ca"},
      {"server_secp256k1", "ec -pkeyopt ec_paramgen_curve:secp256k1", "ca"},
      {"client_p256", "ec -pkeyopt ec_paramgen_curve:P-256", "ca"},
      {"client_p384", "ec -pkeyopt ec_paramgen_curve:P-384", "ca"},
      {"client_rsa2048", "rsa:2048", "ca"},
      {"client_rsa1024", "rsa:1024", "ca"},
      {"client_ed25519", "ed25519", "ca"},
      {"client_otherca", "ec -pkeyopt ec_paramgen_curve:P-256", "otherca"},
  };
  for (const Leaf& l : leaves) {
    std::string n = l.name;
    run("openssl req -new -newkey " + std::string(l.newkey) + " -nodes -keyout " + n +
        ".key -out " + n + ".csr -subj /CN=" + n);
    run("openssl x509 -req -in " + n + ".csr -CA " + l.ca + ".pem -CAkey " + l.ca +
        ".key -CAcreateserial -out " + n + ".pem -days 2 -extfile ext.cnf");
  }
  // A client configuration that turns Extended Master Secret off.
  std::ofstream noems(g_certs + "/no_ems.cnf");
  noems << "openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
           "[sys]\nOptions = -ExtendedMasterSecret\n";
}

// The servers every test shares, started once.
struct Servers {
  ServerProcess fips_ec;       // --fips-mode=on, P-256 certificate
  ServerProcess fips_rsa;      // --fips-mode=on, RSA-2048 certificate
  ServerProcess fips_mtls;     // --fips-mode=on, P-256 certificate, --mtls
  ServerProcess default_mtls;  // --fips-mode=off, P-256 certificate, --mtls (controls)
  ServerProcess default_ec;    // --fips-mode=off, P-256 certificate, no client certificates
};
Servers* g_servers = nullptr;

class TlsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::random_device rd;  // test folder naming only
    g_work = (std::filesystem::temp_directory_path() / ("immudb-tls-" + std::to_string(rd())))
                 .string();
    g_certs = g_work + "/certs";
    MakeCertificates();
    g_servers = new Servers();
    auto start = [](ServerProcess& s, const std::string& name, const std::string& mode,
                    const std::string& cert, bool mtls) {
      std::vector<std::string> flags = {"--certificate", Cert(cert), "--pkey", Key(cert)};
      if (!kFipsBuild) flags.insert(flags.begin(), {"--fips-mode", mode});
      if (mtls) {
        flags.insert(flags.end(), {"--mtls", "--clientcas", Cert("ca")});
      }
      s.Start(IMMUDB_BINARY, g_work + "/" + name, flags);
    };
    start(g_servers->fips_ec, "fips_ec", "on", "server_p256", false);
    start(g_servers->fips_rsa, "fips_rsa", "on", "server_rsa2048", false);
    start(g_servers->fips_mtls, "fips_mtls", "on", "server_p256", true);
    std::vector<ServerProcess*> all = {&g_servers->fips_ec, &g_servers->fips_rsa,
                                       &g_servers->fips_mtls};
    if (!kFipsBuild) {
      start(g_servers->default_mtls, "default_mtls", "off", "server_p256", true);
      start(g_servers->default_ec, "default_ec", "off", "server_p256", false);
      all.push_back(&g_servers->default_mtls);
      all.push_back(&g_servers->default_ec);
    }
    for (ServerProcess* s : all) {
      ASSERT_TRUE(s->WaitReady()) << s->dir() << " did not start:\n" << s->log();
      ASSERT_NE(s->log().find(s == &g_servers->default_mtls || s == &g_servers->default_ec
                                  ? "tls=default" : "mode=on"),
                std::string::npos)
          << s->log();
    }
  }
  void TearDown() override {
    delete g_servers;
    g_servers = nullptr;
    std::error_code ec;
    std::filesystem::remove_all(g_work, ec);
  }
};

const ::testing::Environment* const kEnv =
    ::testing::AddGlobalTestEnvironment(new TlsEnvironment());

std::string Trust() { return "-CAfile " + Quote(Cert("ca")) + " "; }
// Under TLS 1.3 a refused client certificate shows up only after the client's handshake has
// finished, so mutual-TLS probes wait longer for the server's verdict (slow shared machines).
Handshake MtlsProbe(int port, const std::string& args) { return SClient(port, args, "", 3); }

std::string ClientCert(const std::string& name) {
  return "-cert " + Quote(Cert(name)) + " -key " + Quote(Key(name)) + " ";
}

#define EXPECT_REFUSED(h) EXPECT_FALSE((h).accepted) << (h).output
#define EXPECT_ACCEPTED(h) EXPECT_TRUE((h).accepted) << (h).output

// --- accepted -----------------------------------------------------------------------------

TEST(FipsServer, DefaultClientGetsTls13AesGcmOnP256) {
  Handshake h = SClient(g_servers->fips_ec.port(), Trust());
  EXPECT_ACCEPTED(h);
  EXPECT_EQ(h.protocol, "TLSv1.3") << h.output;
  EXPECT_TRUE(h.cipher == "TLS_AES_256_GCM_SHA384" || h.cipher == "TLS_AES_128_GCM_SHA256")
      << h.output;
  EXPECT_EQ(h.group, "prime256v1") << h.output;
}

TEST(FipsServer, Aes128GcmAndRsaCertificateAccepted) {
  Handshake h = SClient(g_servers->fips_ec.port(), Trust() + "-ciphersuites TLS_AES_128_GCM_SHA256");
  EXPECT_ACCEPTED(h);
  EXPECT_EQ(h.cipher, "TLS_AES_128_GCM_SHA256") << h.output;
  Handshake r = SClient(g_servers->fips_rsa.port(), Trust());
  EXPECT_ACCEPTED(r);
  EXPECT_EQ(r.protocol, "TLSv1.3") << r.output;
}

TEST(FipsServer, ClientPreferringX25519AndP384StillAgreesOnP256) {
  Handshake h = SClient(g_servers->fips_ec.port(), Trust() + "-groups X25519:P-384:P-256");
  EXPECT_ACCEPTED(h);
  EXPECT_EQ(h.group, "prime256v1") << h.output;
}

// --- refused ------------------------------------------------------------------------------

TEST(FipsServer, OnlyX25519Refused) {
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-groups X25519"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-groups X448"));
}

TEST(FipsServer, OnlyChaCha20Refused) {
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(),
                         Trust() + "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(),
                         Trust() + "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305"));
}

TEST(FipsServer, OldProtocolVersionsRefused) {
  // @SECLEVEL=0 so the client itself is willing to speak TLS 1.0/1.1.
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-tls1 -cipher DEFAULT@SECLEVEL=0"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-tls1_1 -cipher DEFAULT@SECLEVEL=0"));
}

TEST(FipsServer, EveryTls12ClientRefused) {
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-tls1_2"));
  EXPECT_REFUSED(SClient(g_servers->fips_rsa.port(), Trust() + "-tls1_2"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(),
                         Trust() + "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256"));
}

TEST(FipsServer, Tls12WithoutExtendedMasterSecretRefused) {
  std::string env = "OPENSSL_CONF=" + Quote(g_certs + "/no_ems.cnf");
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-tls1_2", env));
  EXPECT_REFUSED(SClient(g_servers->fips_rsa.port(), Trust() + "-tls1_2", env));
}

TEST(FipsServer, CbcAndStaticRsaSuitesRefused) {
  for (const char* cipher : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384"}) {
    EXPECT_REFUSED(SClient(g_servers->fips_ec.port(),
                           Trust() + "-tls1_2 -cipher " + cipher + "@SECLEVEL=0"));
  }
  for (const char* cipher : {"ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256", "AES256-SHA256",
                             "AES128-SHA"}) {
    EXPECT_REFUSED(SClient(g_servers->fips_rsa.port(),
                           Trust() + "-tls1_2 -cipher " + cipher + "@SECLEVEL=0"));
  }
}

TEST(FipsServer, Ed25519AndSha1SignatureAlgorithmsRefused) {
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-sigalgs ed25519"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-sigalgs ed25519:ed448"));
  // SHA-1: at security level 0 the client offers RSA+SHA1 / ECDSA+SHA1 (both versions open).
  EXPECT_REFUSED(SClient(g_servers->fips_rsa.port(),
                         Trust() + "-sigalgs RSA+SHA1 -cipher DEFAULT@SECLEVEL=0"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(),
                         Trust() + "-sigalgs ECDSA+SHA1 -cipher DEFAULT@SECLEVEL=0"));
}

// --- mutual TLS ---------------------------------------------------------------------------

TEST(FipsServer, MutualTlsAcceptsApprovedClientCertificates) {
  for (const char* c : {"client_p256", "client_p384", "client_rsa2048"}) {
    Handshake h = MtlsProbe(g_servers->fips_mtls.port(), Trust() + ClientCert(c));
    EXPECT_ACCEPTED(h) << c;
    EXPECT_EQ(h.protocol, "TLSv1.3") << h.output;
  }
}

TEST(FipsServer, MutualTlsRefusesMissingForeignAndNonApprovedClientCertificates) {
  const int port = g_servers->fips_mtls.port();
  EXPECT_REFUSED(MtlsProbe(port, Trust()));  // no certificate
  EXPECT_REFUSED(MtlsProbe(port, Trust() + ClientCert("client_otherca")));
  EXPECT_REFUSED(MtlsProbe(port, Trust() + ClientCert("client_rsa1024") + "-cipher DEFAULT@SECLEVEL=0"));
  EXPECT_REFUSED(MtlsProbe(port, Trust() + ClientCert("client_ed25519")));
}

// --- controls: the same probes pass against a default-mode server -------------------------

TEST(DefaultServer, AcceptsTls12AndTls13WithModernDefaults) {
  if (kFipsBuild) GTEST_SKIP() << "no default mode in the -fips build";
  Handshake h13 = SClient(g_servers->default_ec.port(), Trust());
  EXPECT_ACCEPTED(h13);
  EXPECT_EQ(h13.protocol, "TLSv1.3") << h13.output;
  Handshake h12 = SClient(g_servers->default_ec.port(), Trust() + "-tls1_2");
  EXPECT_ACCEPTED(h12);
  EXPECT_EQ(h12.protocol, "TLSv1.2") << h12.output;
  EXPECT_TRUE(h12.cipher.find("GCM") != std::string::npos ||
              h12.cipher.find("CHACHA20") != std::string::npos) << h12.output;
  EXPECT_TRUE(h12.ems) << h12.output;
}

TEST(DefaultServer, ProbesRefusedInFipsModeAreAcceptedHere) {
  if (kFipsBuild) GTEST_SKIP() << "no default mode in the -fips build";
  const int port = g_servers->default_ec.port();
  EXPECT_ACCEPTED(SClient(port, Trust() + "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256"));
  EXPECT_ACCEPTED(SClient(port, Trust() + "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305"));
  Handshake noems = SClient(port, Trust() + "-tls1_2",
                            "OPENSSL_CONF=" + Quote(g_certs + "/no_ems.cnf"));
  EXPECT_ACCEPTED(noems);
  EXPECT_FALSE(noems.ems) << noems.output;  // the client really did go without EMS
  EXPECT_ACCEPTED(MtlsProbe(g_servers->default_mtls.port(), Trust() + ClientCert("client_ed25519")));
}

// gRPC 1.51's server sets its key-exchange groups to P-256 alone, in every mode, after the
// policy has been applied: X25519 and P-384-only clients are refused even in default mode.
// P-256 is approved, so this only narrows the FIPS policy (documented in docs/fips.md).
TEST(DefaultServer, GrpcServerNegotiatesP256Only) {
  if (kFipsBuild) GTEST_SKIP() << "no default mode in the -fips build";
  const int port = g_servers->default_ec.port();
  EXPECT_REFUSED(SClient(port, Trust() + "-groups X25519"));
  EXPECT_REFUSED(SClient(port, Trust() + "-groups P-384"));
  EXPECT_REFUSED(SClient(g_servers->fips_ec.port(), Trust() + "-groups P-384"));
  Handshake h = SClient(port, Trust() + "-groups X25519:P-384:P-256");
  EXPECT_ACCEPTED(h);
  EXPECT_EQ(h.group, "prime256v1") << h.output;
}

TEST(DefaultServer, StillRefusesOldVersionsCbcAndWeakClientKeys) {
  if (kFipsBuild) GTEST_SKIP() << "no default mode in the -fips build";
  const int port = g_servers->default_ec.port();
  EXPECT_REFUSED(SClient(port, Trust() + "-tls1_1 -cipher DEFAULT@SECLEVEL=0"));
  EXPECT_REFUSED(SClient(port, Trust() + "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA@SECLEVEL=0"));
  EXPECT_REFUSED(MtlsProbe(g_servers->default_mtls.port(),
                           Trust() + ClientCert("client_rsa1024") + "-cipher DEFAULT@SECLEVEL=0"));
  EXPECT_ACCEPTED(MtlsProbe(g_servers->default_mtls.port(), Trust() + ClientCert("client_p256")));
}

}  // namespace
}  // namespace immudb::tls_testing
