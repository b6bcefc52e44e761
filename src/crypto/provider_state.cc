#include "crypto/provider_state.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/self_test.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef IMMUDB_DEFAULT_FIPS_MODULE_DIR
#define IMMUDB_DEFAULT_FIPS_MODULE_DIR "/opt/immudb-cpp/fips"
#endif

namespace immudb::crypto {

namespace internal {
namespace {

// Provider versions with a current FIPS 140 validation (strict mode allow-list).
// OpenSSL 3.1.2: FIPS 140-3 certificate #4985.
constexpr const char* kValidatedVersions[] = {"3.1.2"};

std::string ProviderString(OSSL_PROVIDER* prov, const char* key) {
  char* value = nullptr;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_ptr(key, &value, 0), OSSL_PARAM_construct_end()};
  if (OSSL_PROVIDER_get_params(prov, params) != 1 || value == nullptr) return "";
  return value;
}

// An integer provider parameter, or -1 when the provider does not know it.
int ProviderInt(OSSL_PROVIDER* prov, const char* key) {
  int value = -1;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_int(key, &value), OSSL_PARAM_construct_end()};
  if (OSSL_PROVIDER_get_params(prov, params) != 1 || !OSSL_PARAM_modified(&params[0])) return -1;
  return value;
}

int RecordSelfTest(const OSSL_PARAM params[], void* arg) {
  auto* log = static_cast<SelfTestLog*>(arg);
  const char* phase = nullptr;
  const char* type = nullptr;
  const char* desc = nullptr;
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PROV_PARAM_SELF_TEST_PHASE);
  if (p != nullptr) OSSL_PARAM_get_utf8_string_ptr(p, &phase);
  p = OSSL_PARAM_locate_const(params, OSSL_PROV_PARAM_SELF_TEST_TYPE);
  if (p != nullptr) OSSL_PARAM_get_utf8_string_ptr(p, &type);
  p = OSSL_PARAM_locate_const(params, OSSL_PROV_PARAM_SELF_TEST_DESC);
  if (p != nullptr) OSSL_PARAM_get_utf8_string_ptr(p, &desc);
  if (phase == nullptr) return 1;
  std::string what = std::string(type != nullptr ? type : "?") + " (" +
                     (desc != nullptr ? desc : "?") + ")";
  if (std::string_view(phase) == OSSL_SELF_TEST_PHASE_PASS) {
    ++log->passed;
  } else if (std::string_view(phase) == OSSL_SELF_TEST_PHASE_FAIL) {
    if (log->failed++ == 0) log->first_failure = what;
  }
  return 1;
}

// Why the FIPS provider is not there, as precisely as the self-test log allows.
std::string DiagnoseLoadFailure(const std::string& dir, const SelfTestLog& log) {
  if (log.failed > 0) {
    std::string msg = "FIPS provider self-test failed: " + log.first_failure;
    if (log.first_failure.rfind(OSSL_SELF_TEST_TYPE_MODULE_INTEGRITY, 0) == 0)
      msg += ": " + dir + "/fips.so is corrupt or does not match the module-mac in " + dir +
             "/fipsmodule.cnf";
    return msg;
  }
  return "the FIPS provider did not load from " + dir +
         " (no self-test ran; check fipsmodule.cnf's [fips_sect]): " + OpenSslErrors();
}

Status FetchAlgorithms(ProviderContext::Impl* impl, const char* propq) {
  impl->sha256 = EVP_MD_fetch(impl->libctx, "SHA2-256", propq);
  if (impl->sha256 == nullptr) return CryptoError("SHA-256 cannot be fetched: " + OpenSslErrors());
  impl->hmac = EVP_MAC_fetch(impl->libctx, "HMAC", propq);
  if (impl->hmac == nullptr) return CryptoError("HMAC cannot be fetched: " + OpenSslErrors());
  impl->pbkdf2 = EVP_KDF_fetch(impl->libctx, "PBKDF2", propq);
  if (impl->pbkdf2 == nullptr) return CryptoError("PBKDF2 cannot be fetched: " + OpenSslErrors());
  return Status::Ok();
}

}  // namespace

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  char buf[256];
  while ((e = ERR_get_error()) != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

std::string ResolveModuleDir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  const char* env = std::getenv("IMMUDB_FIPS_MODULE_DIR");
  return (env != nullptr && *env != '\0') ? env : IMMUDB_DEFAULT_FIPS_MODULE_DIR;
}

Result<std::string> WriteProviderConfig(FipsMode mode, const std::string& dir,
                                        const std::string& ssl_conf) {
  std::string conf = "config_diagnostics = 1\nopenssl_conf = immudb_openssl_init\n";
  namespace fs = std::filesystem;
  fs::path so, cnf;
  if (mode != FipsMode::kOff) {
    so = fs::path(dir) / "fips.so";
    cnf = fs::path(dir) / "fipsmodule.cnf";
    std::error_code ec;
    if (!fs::is_regular_file(so, ec))
      return CryptoError("FIPS module not found: " + so.string() +
                         " (set --fips-module-dir or IMMUDB_FIPS_MODULE_DIR)");
    if (!fs::is_regular_file(cnf, ec))
      return CryptoError("FIPS module configuration not found: " + cnf.string() +
                         " (run `openssl fipsinstall` for this module)");
    std::ifstream in(cnf);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("[fips_sect]") == std::string::npos)
      return CryptoError("FIPS module configuration " + cnf.string() + " has no [fips_sect]");
    // Without the MAC that fipsinstall computed the provider cannot check its integrity.
    if (text.str().find("module-mac") == std::string::npos)
      return CryptoError("FIPS module configuration " + cnf.string() + " has no module-mac");
    conf += ".include " + cnf.string() + "\n";
  }
  conf += "[immudb_openssl_init]\nproviders = immudb_provider_sect\n";
  if (!ssl_conf.empty()) conf += "ssl_conf = immudb_ssl_sect\n";
  if (mode != FipsMode::kOff) {
    conf +=
        "alg_section = immudb_algorithm_sect\n"
        "[immudb_provider_sect]\nfips = fips_sect\nbase = immudb_base_sect\n"
        "[immudb_base_sect]\nactivate = 1\n"
        "[immudb_algorithm_sect]\ndefault_properties = fips=yes\n";
  } else {
    conf += "[immudb_provider_sect]\ndefault = immudb_default_sect\n"
            "[immudb_default_sect]\nactivate = 1\n";
  }
  conf += ssl_conf;
  // fipsmodule.cnf's `module` line may be relative or missing (then the provider silently
  // does not load): name our file explicitly; a later value in the section wins.
  if (mode != FipsMode::kOff) conf += "[fips_sect]\nmodule = " + so.string() + "\n";

  char tmpl[] = "/tmp/immudb-openssl-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return CryptoError("cannot create a temporary OpenSSL configuration file");
  bool written = ::write(fd, conf.data(), conf.size()) == static_cast<ssize_t>(conf.size());
  ::close(fd);
  if (!written) {
    ::unlink(tmpl);
    return CryptoError("cannot write a temporary OpenSSL configuration file");
  }
  return std::string(tmpl);
}

bool ModuleConfigEnablesEms(const std::string& dir) {
  std::ifstream in(std::filesystem::path(dir) / "fipsmodule.cnf");
  std::string line;
  while (std::getline(in, line)) {
    std::string compact;
    for (char c : line)
      if (c != ' ' && c != '\t') compact += c;
    if (compact == "tls1-prf-ems-check=1") return true;
  }
  return false;
}

void WatchSelfTests(OSSL_LIB_CTX* libctx, SelfTestLog* log) {
  OSSL_SELF_TEST_set_callback(libctx, RecordSelfTest, log);
}

Status FinishFipsContext(FipsMode mode, const std::string& dir, ProviderContext::Impl* impl) {
  impl->mode = mode;
  OSSL_LIB_CTX* ctx = impl->libctx;
  if (OSSL_PROVIDER_available(ctx, "fips") != 1)
    return CryptoError(DiagnoseLoadFailure(dir, impl->self_tests));
  // A provider that failed its self-test can still look configured: check explicitly.
  OSSL_PROVIDER* fips = OSSL_PROVIDER_load(ctx, "fips");  // takes a reference
  if (fips == nullptr) return CryptoError(DiagnoseLoadFailure(dir, impl->self_tests));
  impl->providers[0] = fips;
  if (ProviderInt(fips, OSSL_PROV_PARAM_STATUS) != 1 || impl->self_tests.failed > 0)
    return CryptoError(DiagnoseLoadFailure(dir, impl->self_tests));
  if (OSSL_PROVIDER_available(ctx, "default") == 1)
    return CryptoError("the default provider is loaded in FIPS mode");
  if (OSSL_PROVIDER_available(ctx, "legacy") == 1)
    return CryptoError("the legacy provider is loaded in FIPS mode");
  if (EVP_default_properties_is_fips_enabled(ctx) != 1)
    return CryptoError("fips=yes is not in effect after loading the FIPS configuration");
  impl->provider_name = ProviderString(fips, OSSL_PROV_PARAM_NAME);
  impl->provider_version = ProviderString(fips, OSSL_PROV_PARAM_VERSION);
  // 3.1+ providers installed with -ems_check refuse TLS 1.2 without Extended Master Secret
  // inside the module ("tls1-prf-ems-check"); 3.0 providers do not know the parameter.
  impl->ems_enforced_by_module = ProviderInt(fips, "tls1-prf-ems-check") == 1;

  IMMUDB_RETURN_IF_ERROR(FetchAlgorithms(impl, nullptr));
  std::string from = OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(impl->sha256));
  if (from != "fips") return CryptoError("SHA-256 comes from provider '" + from + "', not 'fips'");
  EVP_MD* md5 = EVP_MD_fetch(ctx, "MD5", nullptr);
  if (md5 != nullptr) {
    EVP_MD_free(md5);
    return CryptoError("MD5 can still be fetched: FIPS mode is not in effect");
  }
  ERR_clear_error();

  if (mode == FipsMode::kStrict) {
    bool listed = false;
    std::string allowed;
    for (const char* v : kValidatedVersions) {
      listed = listed || impl->provider_version == v;
      allowed += (allowed.empty() ? "" : ", ") + std::string(v);
    }
    if (!listed)
      return CryptoError("strict FIPS mode: provider version " + impl->provider_version +
                         " is not a validated version (allowed: " + allowed + ")");
  }
  return Status::Ok();
}

Status FinishDefaultContext(ProviderContext::Impl* impl) {
  impl->mode = FipsMode::kOff;
  OSSL_PROVIDER* def = OSSL_PROVIDER_load(impl->libctx, "default");
  if (def == nullptr) return CryptoError("the default provider failed to load: " + OpenSslErrors());
  // Keep the reference: an explicit load turns off OpenSSL's automatic fallback.
  impl->providers[0] = def;
  impl->provider_name = ProviderString(def, OSSL_PROV_PARAM_NAME);
  impl->provider_version = ProviderString(def, OSSL_PROV_PARAM_VERSION);
  return FetchAlgorithms(impl, nullptr);
}

}  // namespace internal

uint64_t ProviderContext::Impl::NextSerial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

ProviderContext::Impl::~Impl() {
  EVP_MD_free(sha256);
  EVP_MAC_free(hmac);
  EVP_KDF_free(pbkdf2);
  for (OSSL_PROVIDER* p : providers)
    if (p != nullptr) OSSL_PROVIDER_unload(p);
  if (owns_libctx) OSSL_LIB_CTX_free(libctx);
}

ProviderContext::ProviderContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProviderContext::~ProviderContext() = default;

FipsMode ProviderContext::mode() const { return impl_->mode; }
const std::string& ProviderContext::provider_name() const { return impl_->provider_name; }
const std::string& ProviderContext::provider_version() const { return impl_->provider_version; }

Result<std::unique_ptr<ProviderContext>> ProviderContext::Open(const ModuleOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->libctx = OSSL_LIB_CTX_new();
  if (impl->libctx == nullptr) return CryptoError("OSSL_LIB_CTX_new failed");
  impl->owns_libctx = true;
  if (options.mode == FipsMode::kOff) {
    IMMUDB_RETURN_IF_ERROR(internal::FinishDefaultContext(impl.get()));
  } else {
    std::string dir = internal::ResolveModuleDir(options.fips_module_dir);
    IMMUDB_ASSIGN_OR_RETURN(std::string conf, internal::WriteProviderConfig(options.mode, dir, ""));
    internal::WatchSelfTests(impl->libctx, &impl->self_tests);
    int ok = OSSL_LIB_CTX_load_config(impl->libctx, conf.c_str());
    ::unlink(conf.c_str());
    if (ok != 1) {
      std::string err = internal::OpenSslErrors();
      if (impl->self_tests.failed > 0) return CryptoError(internal::DiagnoseLoadFailure(dir, impl->self_tests));
      return CryptoError("loading the FIPS provider from " + dir + " failed: " + err);
    }
    Status st = internal::FinishFipsContext(options.mode, dir, impl.get());
    OSSL_SELF_TEST_set_callback(impl->libctx, nullptr, nullptr);
    IMMUDB_RETURN_IF_ERROR(st);
  }
  return std::unique_ptr<ProviderContext>(new ProviderContext(std::move(impl)));
}

}  // namespace immudb::crypto
