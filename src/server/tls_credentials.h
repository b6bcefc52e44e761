// Transport security of the gRPC server, from immudb's flags: --certificate and --pkey
// (TLS), --clientcas and --mtls (mutual TLS), --auto-cert (a self-signed ECDSA P-256
// certificate generated into the data folder). Every certificate and key is checked against
// the key policy of the running FIPS mode (crypto::CheckPemBundle) before the server starts.
// Versions, suites, groups and signature algorithms come from the process-wide TLS policy
// (crypto/tls_policy.h) that InitCryptoModule applied; nothing here weakens it.
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "base/status.h"
#include "server/server_options.h"

namespace immudb::server {

// What the server listens with.
struct ServerTls {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  bool enabled = false;           // TLS (false: plaintext)
  bool mutual = false;            // client certificates required and verified
  std::string certificate_file;   // the certificate actually used (auto-cert: the generated one)
  std::string description;        // one line for the log
};

// Where --auto-cert keeps its certificate and key: <dir>/tls/auto-cert.pem, auto-key.pem.
std::string AutoCertPath(const std::string& dir);
std::string AutoKeyPath(const std::string& dir);

// Builds the credentials for options:
//   - no TLS flag: plaintext;
//   - --certificate + --pkey: TLS with that chain and key;
//   - --auto-cert (without --certificate): TLS with <dir>/tls/auto-cert.pem, generated on
//     first use (key file mode 0600) and reused afterwards, so clients can keep trusting it;
//   - --mtls: also requires and verifies a client certificate issued by --clientcas.
// Errors (InvalidArgument/IoError/CryptoError) name the file and the reason: a missing or
// unreadable file, --certificate without --pkey, --mtls without --clientcas or without a
// server certificate, a key refused by the FIPS key policy.
Result<ServerTls> BuildServerTls(const ServerOptions& options);

}  // namespace immudb::server
