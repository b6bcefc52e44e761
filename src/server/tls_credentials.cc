#include "server/tls_credentials.h"

#include <grpcpp/security/server_credentials.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/module.h"
#include "crypto/x509.h"

namespace immudb::server {
namespace {

Result<std::string> ReadPemFile(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(what + " " + path + ": cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().empty()) return InvalidArgument(what + " " + path + ": empty file");
  return s.str();
}

// Reads a PEM file and checks every certificate/key in it against the running mode's policy.
Result<std::string> ReadCheckedPem(const std::string& what, const std::string& path) {
  IMMUDB_ASSIGN_OR_RETURN(std::string pem, ReadPemFile(what, path));
  Status st = crypto::CheckPemBundle(pem);
  if (!st.ok()) {
    return Status(st.code(), what + " " + path + " refused (fips mode " +
                                 crypto::FipsModeName(crypto::CurrentModule().mode) +
                                 "): " + st.message());
  }
  return pem;
}

Status WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp);
    out << data;
    if (!out.flush()) return IoError("cannot write " + tmp);
  }
  if (::chmod(tmp.c_str(), mode) != 0) return IoError("cannot chmod " + tmp);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

// Generates the auto-cert pair unless both files exist already.
Status EnsureAutoCert(const std::string& dir) {
  const std::string cert = AutoCertPath(dir), key = AutoKeyPath(dir);
  if (std::filesystem::exists(cert) && std::filesystem::exists(key)) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(cert).parent_path(), ec);
  if (ec) return IoError("cannot create " + std::filesystem::path(cert).parent_path().string());
  crypto::SelfSignedCertOptions o;
  o.common_name = "immudb";
  IMMUDB_ASSIGN_OR_RETURN(crypto::CertificateAndKey pair, crypto::GenerateSelfSignedCert(o));
  IMMUDB_RETURN_IF_ERROR(WriteFile(key, pair.key_pem, 0600));
  return WriteFile(cert, pair.cert_pem, 0644);
}

}  // namespace

std::string AutoCertPath(const std::string& dir) {
  return (std::filesystem::path(dir) / "tls" / "auto-cert.pem").string();
}
std::string AutoKeyPath(const std::string& dir) {
  return (std::filesystem::path(dir) / "tls" / "auto-key.pem").string();
}

Result<ServerTls> BuildServerTls(const ServerOptions& o) {
  ServerTls tls;
  std::string cert_file = o.certificate, key_file = o.pkey;
  if (cert_file.empty() != key_file.empty()) {
    return InvalidArgument("--certificate and --pkey must be given together");
  }
  if (cert_file.empty() && o.auto_cert) {
    IMMUDB_RETURN_IF_ERROR(EnsureAutoCert(o.dir));
    cert_file = AutoCertPath(o.dir);
    key_file = AutoKeyPath(o.dir);
  }
  if (cert_file.empty()) {
    if (o.mtls) return InvalidArgument("--mtls needs --certificate and --pkey (or --auto-cert)");
    if (!o.clientcas.empty()) return InvalidArgument("--clientcas needs --mtls");
    tls.credentials = grpc::InsecureServerCredentials();
    tls.description = "plaintext (no TLS)";
    return tls;
  }
  if (o.mtls && o.clientcas.empty()) {
    return InvalidArgument("--mtls needs --clientcas (the CA certificates of the clients)");
  }
  if (!o.mtls && !o.clientcas.empty()) return InvalidArgument("--clientcas needs --mtls");

  grpc::SslServerCredentialsOptions ssl(
      o.mtls ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
             : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  IMMUDB_ASSIGN_OR_RETURN(pair.cert_chain, ReadCheckedPem("certificate", cert_file));
  IMMUDB_ASSIGN_OR_RETURN(pair.private_key, ReadCheckedPem("private key", key_file));
  if (Status st = crypto::CheckCertificateAndKey(pair.cert_chain, pair.private_key); !st.ok()) {
    return Status(st.code(), "certificate " + cert_file + " and key " + key_file + ": " +
                                 st.message());
  }
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (o.mtls) {
    IMMUDB_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadCheckedPem("client CA file", o.clientcas));
  }
  tls.credentials = grpc::SslServerCredentials(ssl);
  tls.enabled = true;
  tls.mutual = o.mtls;
  tls.certificate_file = cert_file;
  const auto& m = crypto::CurrentModule();
  tls.description = std::string(o.mtls ? "mutual TLS" : "TLS") + " with " + cert_file +
                    (o.mtls ? ", client CAs " + o.clientcas : std::string()) + ", policy " +
                    m.tls_policy + (m.tls12_allowed ? " (TLS 1.2, 1.3)" : " (TLS 1.3 only)");
  return tls;
}

}  // namespace immudb::server
