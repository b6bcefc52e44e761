#include "crypto/module.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/self_test.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "crypto/provider_context.h"
#include "crypto/provider_state.h"
#include "crypto/tls_policy.h"

namespace immudb::crypto {
namespace {

ModuleInfo g_info;
std::mutex g_mu;
// Set once by InitCryptoModule and never freed: crypto objects live until exit.
ProviderContext* g_process = nullptr;

}  // namespace

namespace internal {

const ProviderContext::Impl& Process() {
  ProviderContext* p = g_process;
  if (p == nullptr) {
    std::fprintf(stderr,
                 "crypto: fatal: the crypto module is used before InitCryptoModule() ran\n");
    std::abort();
  }
  return p->impl();
}

}  // namespace internal

const ProviderContext& ProviderContext::Process() {
  internal::Process();  // aborts when not initialised
  return *g_process;
}

const char* FipsModeName(FipsMode mode) {
  switch (mode) {
    case FipsMode::kOff: return "off";
    case FipsMode::kOn: return "on";
    case FipsMode::kStrict: return "strict";
  }
  return "?";
}

Result<FipsMode> ParseFipsMode(std::string_view text) {
  if (text == "off") return FipsMode::kOff;
  if (text == "on") return FipsMode::kOn;
  if (text == "strict") return FipsMode::kStrict;
  return InvalidArgument("invalid FIPS mode '" + std::string(text) + "' (want off, on or strict)");
}

bool IsFipsBuild() {
#ifdef IMMUDB_FIPS_BUILD
  return true;
#else
  return false;
#endif
}

FipsMode DefaultFipsMode() { return IsFipsBuild() ? FipsMode::kOn : FipsMode::kOff; }

Status InitCryptoModule(const ModuleOptions& options) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_info.initialized) {
    if (g_info.mode == options.mode) return Status::Ok();
    return FailedPrecondition("the crypto module is already initialised in mode " +
                              std::string(FipsModeName(g_info.mode)));
  }
  if (IsFipsBuild() && options.mode == FipsMode::kOff)
    return CryptoError("this is a FIPS build: --fips-mode=off is not allowed (use on or strict)");

  const bool fips = options.mode != FipsMode::kOff;
  const std::string dir = fips ? internal::ResolveModuleDir(options.fips_module_dir) : "";
  const bool ems_in_cnf = fips && internal::ModuleConfigEnablesEms(dir);
  const TlsPolicy policy = TlsPolicyFor(options.mode, ems_in_cnf);

  auto impl = std::make_unique<ProviderContext::Impl>();
  impl->libctx = nullptr;  // OpenSSL's default context: the one libssl and gRPC use
  IMMUDB_ASSIGN_OR_RETURN(std::string conf,
                          internal::WriteProviderConfig(options.mode, dir, policy.RenderSslConf()));
  // The self-test callback must be in place before the provider is activated by the
  // configuration: a corrupt module fails silently otherwise.
  if (fips) internal::WatchSelfTests(nullptr, &impl->self_tests);
  OPENSSL_INIT_SETTINGS* settings = OPENSSL_INIT_new();
  OPENSSL_INIT_set_config_filename(settings, conf.c_str());
  OPENSSL_INIT_set_config_file_flags(settings, 0);
  int ok = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, settings);
  OPENSSL_INIT_free(settings);
  ::unlink(conf.c_str());
  Status st;
  if (ok != 1) {
    st = impl->self_tests.failed > 0
             ? internal::FinishFipsContext(options.mode, dir, impl.get())  // names the failure
             : CryptoError("loading the OpenSSL configuration failed: " + internal::OpenSslErrors());
    if (st.ok()) st = CryptoError("loading the OpenSSL configuration failed");
  } else if (fips) {
    st = internal::FinishFipsContext(options.mode, dir, impl.get());
    if (st.ok() && ems_in_cnf && !impl->ems_enforced_by_module)
      st = CryptoError("fipsmodule.cnf in " + dir +
                       " enables the EMS check but the provider does not enforce it");
  } else {
    st = internal::FinishDefaultContext(impl.get());
  }
  if (fips) OSSL_SELF_TEST_set_callback(nullptr, nullptr, nullptr);
  if (!st.ok()) return st;

  // gRPC replaces the TLS 1.2 cipher list with this variable's value (or its own list);
  // an inherited value could let non-approved suites through, so always overwrite it.
  if (::setenv("GRPC_SSL_CIPHER_SUITES", policy.GrpcCipherSuites().c_str(), 1) != 0)
    return CryptoError("cannot set GRPC_SSL_CIPHER_SUITES");

  ModuleInfo info;
  info.initialized = true;
  info.mode = options.mode;
  info.fips_build = IsFipsBuild();
  info.provider_name = impl->provider_name;
  info.provider_version = impl->provider_version;
  info.module_dir = dir;
  info.openssl_version = OpenSSL_version(OPENSSL_VERSION);
  info.self_tests_passed = fips && impl->self_tests.failed == 0;
  info.self_tests_run = impl->self_tests.passed;
  info.ems_enforced_by_module = impl->ems_enforced_by_module;
  info.tls_policy = policy.name;
  info.tls12_allowed = policy.allow_tls12;
  g_process = new ProviderContext(std::move(impl));
  g_info = info;
  return Status::Ok();
}

const ModuleInfo& CurrentModule() { return g_info; }

std::string DescribeModule(const ModuleInfo& info) {
  if (!info.initialized) return "crypto module not initialised";
  std::string s = "provider=\"" + info.provider_name + "\" version=" + info.provider_version +
                  " mode=" + FipsModeName(info.mode) +
                  " build=" + (info.fips_build ? "fips" : "standard");
  if (info.mode != FipsMode::kOff)
    s += std::string(" self-tests=") + (info.self_tests_passed ? "passed" : "failed") + "(" +
         std::to_string(info.self_tests_run) + ") module-dir=" + info.module_dir;
  s += " tls=" + info.tls_policy + (info.tls12_allowed ? "(1.2,1.3)" : "(1.3)");
  return s;
}

}  // namespace immudb::crypto
