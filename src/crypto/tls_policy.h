// The TLS settings the process allows: versions, cipher suites, groups, signature
// algorithms, security level. InitCryptoModule() applies the policy for its mode to every
// SSL_CTX in the process (gRPC's included) through OpenSSL's `ssl_conf` `system_default`
// section, and sets GRPC_SSL_CIPHER_SUITES, because gRPC replaces the TLS 1.2 cipher list
// with that variable's value (or its own list). Plain data: no OpenSSL types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/module.h"

namespace immudb::crypto {

struct TlsPolicy {
  std::string name;                          // "fips" or "default"
  bool allow_tls12 = true;                   // false: TLS 1.3 only
  std::vector<std::string> tls12_ciphers;    // OpenSSL names, in preference order
  std::vector<std::string> tls13_suites;     // IANA names
  std::vector<std::string> groups;           // key exchange groups, in preference order
  std::vector<std::string> signature_algorithms;  // empty: OpenSSL's defaults
  int security_level = 2;
  // TLS 1.3 0-RTT data is off: OpenSSL accepts none unless a program sets max_early_data,
  // and nothing in this project does. Kept here so the rendered text states it.
  bool early_data = false;

  // The minimum and maximum protocol names, "TLSv1.2" / "TLSv1.3".
  std::string MinProtocol() const;
  std::string MaxProtocol() const;

  // The body of an OpenSSL `system_default` section: one "Key = value" line per setting,
  // each line newline-terminated, without the section header.
  std::string RenderSystemDefault() const;
  // A complete ssl_conf fragment for an OpenSSL configuration file:
  //   [<ssl_section>]\nsystem_default = <system_section>\n[<system_section>]\n<body>
  std::string RenderSslConf(std::string_view ssl_section = "immudb_ssl_sect",
                            std::string_view system_section = "immudb_tls_system_default") const;
  // The value for GRPC_SSL_CIPHER_SUITES: the TLS 1.2 ciphers joined by ':'. In a TLS
  // 1.3-only policy it is still the approved list (gRPC needs a non-empty value, and the
  // protocol setting keeps TLS 1.2 off).
  std::string GrpcCipherSuites() const;
};

// FIPS profile (FIPS.md "TLS in FIPS mode"): TLS 1.2 ECDHE+AES-GCM suites and TLS 1.3
// AES-GCM suites, groups P-384:P-256:P-521, ECDSA / RSA-PSS / RSA signatures with
// SHA-256/384/512, security level 2, no 0-RTT. allow_tls12=false keeps TLS 1.3 only.
TlsPolicy FipsTlsPolicy(bool allow_tls12);
// Default profile (FIPS mode off): TLS 1.2 and 1.3 with ECDHE and AEAD suites only
// (AES-GCM, ChaCha20-Poly1305), X25519 first, OpenSSL's signature algorithms, level 2.
TlsPolicy DefaultTlsPolicy();
// The policy for a mode. In FIPS modes TLS 1.2 is allowed only when the module itself
// enforces Extended Master Secret (ems_enforced_by_module); otherwise TLS 1.3 only,
// because gRPC gives no way to see and refuse a TLS 1.2 peer without EMS.
TlsPolicy TlsPolicyFor(FipsMode mode, bool ems_enforced_by_module);
// The policy InitCryptoModule applied to this process (default profile before it ran).
TlsPolicy CurrentTlsPolicy();

}  // namespace immudb::crypto
