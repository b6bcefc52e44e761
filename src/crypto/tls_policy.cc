#include "crypto/tls_policy.h"

namespace immudb::crypto {
namespace {

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

std::string TlsPolicy::MinProtocol() const { return allow_tls12 ? "TLSv1.2" : "TLSv1.3"; }
std::string TlsPolicy::MaxProtocol() const { return "TLSv1.3"; }

std::string TlsPolicy::RenderSystemDefault() const {
  std::string s;
  s += "MinProtocol = " + MinProtocol() + "\n";
  s += "MaxProtocol = " + MaxProtocol() + "\n";
  // gRPC resets the min/max versions on its contexts but keeps the protocol options.
  s += std::string("Protocol = -ALL, ") + (allow_tls12 ? "TLSv1.2, TLSv1.3" : "TLSv1.3") + "\n";
  s += "CipherString = " + Join(tls12_ciphers, ":") + ":@SECLEVEL=" +
       std::to_string(security_level) + "\n";
  s += "Ciphersuites = " + Join(tls13_suites, ":") + "\n";
  s += "Groups = " + Join(groups, ":") + "\n";
  if (!signature_algorithms.empty())
    s += "SignatureAlgorithms = " + Join(signature_algorithms, ":") + "\n";
  return s;
}

std::string TlsPolicy::RenderSslConf(std::string_view ssl_section,
                                     std::string_view system_section) const {
  std::string s;
  s += "[" + std::string(ssl_section) + "]\n";
  s += "system_default = " + std::string(system_section) + "\n";
  s += "[" + std::string(system_section) + "]\n";
  s += RenderSystemDefault();
  return s;
}

std::string TlsPolicy::GrpcCipherSuites() const { return Join(tls12_ciphers, ":"); }

TlsPolicy FipsTlsPolicy(bool allow_tls12) {
  TlsPolicy p;
  p.name = "fips";
  p.allow_tls12 = allow_tls12;
  p.tls12_ciphers = {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256",
                     "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"};
  p.tls13_suites = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"};
  p.groups = {"P-384", "P-256", "P-521"};
  p.signature_algorithms = {
      "ECDSA+SHA256",        "ECDSA+SHA384",        "ECDSA+SHA512",
      "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
      "rsa_pss_pss_sha256",  "rsa_pss_pss_sha384",  "rsa_pss_pss_sha512",
      "RSA+SHA256",          "RSA+SHA384",          "RSA+SHA512"};
  p.security_level = 2;
  p.early_data = false;
  return p;
}

TlsPolicy DefaultTlsPolicy() {
  TlsPolicy p;
  p.name = "default";
  p.allow_tls12 = true;
  p.tls12_ciphers = {"ECDHE-ECDSA-AES256-GCM-SHA384",  "ECDHE-ECDSA-AES128-GCM-SHA256",
                     "ECDHE-RSA-AES256-GCM-SHA384",    "ECDHE-RSA-AES128-GCM-SHA256",
                     "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"};
  p.tls13_suites = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                    "TLS_CHACHA20_POLY1305_SHA256"};
  p.groups = {"X25519", "P-256", "P-384", "P-521"};
  p.security_level = 2;
  p.early_data = false;
  return p;
}

TlsPolicy TlsPolicyFor(FipsMode mode, bool ems_enforced_by_module) {
  if (mode == FipsMode::kOff) return DefaultTlsPolicy();
  return FipsTlsPolicy(ems_enforced_by_module);
}

TlsPolicy CurrentTlsPolicy() {
  const ModuleInfo& info = CurrentModule();
  return TlsPolicyFor(info.mode, info.ems_enforced_by_module);
}

}  // namespace immudb::crypto
