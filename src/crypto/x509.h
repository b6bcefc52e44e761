// X.509 certificates for TLS: a self-signed ECDSA P-256 certificate for `--auto-cert`, and
// the key policy applied to every certificate and key of a PEM bundle. Plain data: no
// OpenSSL types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace immudb::crypto {

struct SelfSignedCertOptions {
  std::string common_name = "immudb";
  std::vector<std::string> dns_names = {"localhost"};      // subjectAltName DNS entries
  std::vector<std::string> ip_addresses = {"127.0.0.1", "::1"};  // subjectAltName IP entries
  int valid_days = 365;
};

struct CertificateAndKey {
  std::string cert_pem;  // one "CERTIFICATE"
  std::string key_pem;   // PKCS#8 "PRIVATE KEY"
};

// Generates a new ECDSA P-256 key (from the module's DRBG) and a self-signed X.509 v3
// certificate for it, signed with ECDSA-SHA256: random 128-bit serial, valid from now for
// valid_days, basicConstraints CA:TRUE (so clients can use the certificate itself as their
// trust root), keyUsage digitalSignature+keyCertSign, extendedKeyUsage serverAuth, and the
// given subjectAltName entries. Works in every FIPS mode (P-256/SHA-256 are approved).
Result<CertificateAndKey> GenerateSelfSignedCert(const SelfSignedCertOptions& options = {});

// Applies CheckKeyPem (key_policy.h) to every PEM block of pem (a certificate chain, a CA
// bundle, a private key). Ok when all pass; else the first refusal, prefixed with the block's
// position ("certificate 2 of 3: ..."); InvalidArgument when pem holds no PEM block.
Status CheckPemBundle(std::string_view pem);

// Checks a TLS identity before a server or client uses it: the first certificate of
// cert_chain_pem must be currently valid (notBefore <= now <= notAfter) and its public key
// must match key_pem. InvalidArgument naming the mismatch or the validity dates.
Status CheckCertificateAndKey(std::string_view cert_chain_pem, std::string_view key_pem);

}  // namespace immudb::crypto
