#include "crypto/module.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "crypto/provider_state.h"

#ifndef IMMUDB_DEFAULT_FIPS_MODULE_DIR
#define IMMUDB_DEFAULT_FIPS_MODULE_DIR "/opt/immudb-cpp/fips"
#endif

namespace immudb::crypto {
namespace {

ModuleInfo g_info;
std::mutex g_mu;

// Provider versions with a current FIPS 140 validation (strict mode allow-list).
// OpenSSL 3.1.2: FIPS 140-3 certificate #4985.
constexpr const char* kValidatedVersions[] = {"3.1.2"};

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

std::string ProviderParam(OSSL_PROVIDER* prov, const char* key) {
  char* value = nullptr;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_ptr(key, &value, 0), OSSL_PARAM_construct_end()};
  if (OSSL_PROVIDER_get_params(prov, params) != 1 || value == nullptr) return "";
  return value;
}

int ProviderStatus(OSSL_PROVIDER* prov) {
  int status = 0;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_int("status", &status), OSSL_PARAM_construct_end()};
  if (OSSL_PROVIDER_get_params(prov, params) != 1) return -1;
  return status;
}

// The OpenSSL configuration for FIPS mode: the FIPS module's own section, the base
// provider (encoders/decoders only), `fips=yes` on every fetch, no default provider.
std::string FipsConfig(const std::string& module_cnf) {
  return "config_diagnostics = 1\n"
         "openssl_conf = immudb_openssl_init\n"
         ".include " + module_cnf + "\n"
         "[immudb_openssl_init]\n"
         "providers = immudb_provider_sect\n"
         "alg_section = immudb_algorithm_sect\n"
         "[immudb_provider_sect]\n"
         "fips = fips_sect\n"
         "base = immudb_base_sect\n"
         "[immudb_base_sect]\n"
         "activate = 1\n"
         "[immudb_algorithm_sect]\n"
         "default_properties = fips=yes\n";
}

Status InitFips(const ModuleOptions& options, ModuleInfo* info) {
  std::string dir = options.fips_module_dir;
  if (dir.empty()) {
    const char* env = std::getenv("IMMUDB_FIPS_MODULE_DIR");
    dir = (env != nullptr && *env != '\0') ? env : IMMUDB_DEFAULT_FIPS_MODULE_DIR;
  }
  namespace fs = std::filesystem;
  const fs::path so = fs::path(dir) / "fips.so";
  const fs::path cnf = fs::path(dir) / "fipsmodule.cnf";
  std::error_code ec;
  if (!fs::is_regular_file(so, ec))
    return CryptoError("FIPS module not found: " + so.string() +
                       " (set --fips-module-dir or IMMUDB_FIPS_MODULE_DIR)");
  if (!fs::is_regular_file(cnf, ec))
    return CryptoError("FIPS module configuration not found: " + cnf.string() +
                       " (run `openssl fipsinstall` for this module)");
  {
    // The module's config must name the module file, or the provider silently does not
    // load; and it must carry the MAC that fipsinstall computed.
    std::ifstream in(cnf);
    std::string line, text;
    while (std::getline(in, line)) text += line + "\n";
    if (text.find("module-mac") == std::string::npos)
      return CryptoError("FIPS module configuration " + cnf.string() + " has no module-mac");
  }

  // The provider is loaded from our own config file, so that the `fips` section reaches
  // the default library context that libssl (and gRPC) use.
  char tmpl[] = "/tmp/immudb-openssl-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return CryptoError("cannot create a temporary OpenSSL configuration file");
  std::string conf = FipsConfig(cnf.string());
  // The module line in fipsmodule.cnf may be relative or absent; point it at our file.
  conf += "[fips_sect]\nmodule = " + so.string() + "\n";
  bool written = ::write(fd, conf.data(), conf.size()) == static_cast<ssize_t>(conf.size());
  ::close(fd);
  if (!written) {
    ::unlink(tmpl);
    return CryptoError("cannot write a temporary OpenSSL configuration file");
  }
  OPENSSL_INIT_SETTINGS* settings = OPENSSL_INIT_new();
  OPENSSL_INIT_set_config_filename(settings, tmpl);
  OPENSSL_INIT_set_config_file_flags(settings, 0);
  int ok = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, settings);
  OPENSSL_INIT_free(settings);
  ::unlink(tmpl);
  if (ok != 1)
    return CryptoError("loading the FIPS provider from " + dir +
                       " failed (corrupt module, wrong module MAC or failed self-test?): " +
                       OpenSslErrors());

  // A provider that failed its self-test can still look configured: check explicitly.
  if (OSSL_PROVIDER_available(nullptr, "fips") != 1)
    return CryptoError("the FIPS provider is not available after loading " + dir + ": " +
                       OpenSslErrors());
  OSSL_PROVIDER* fips = OSSL_PROVIDER_load(nullptr, "fips");  // takes a reference
  if (fips == nullptr)
    return CryptoError("the FIPS provider did not activate (self-test failure?): " +
                       OpenSslErrors());
  if (ProviderStatus(fips) != 1) {
    OSSL_PROVIDER_unload(fips);
    return CryptoError("the FIPS provider reports a failed self-test");
  }
  if (OSSL_PROVIDER_available(nullptr, "default") == 1) {
    OSSL_PROVIDER_unload(fips);
    return CryptoError("the default provider is loaded in FIPS mode");
  }
  if (EVP_default_properties_is_fips_enabled(nullptr) != 1) {
    OSSL_PROVIDER_unload(fips);
    return CryptoError("fips=yes is not in effect after loading the FIPS configuration");
  }
  info->provider_name = ProviderParam(fips, "name");
  info->provider_version = ProviderParam(fips, "version");
  OSSL_PROVIDER_unload(fips);

  EVP_MD* sha = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  if (sha == nullptr) return CryptoError("SHA-256 cannot be fetched in FIPS mode: " + OpenSslErrors());
  std::string from = OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(sha));
  EVP_MD_free(sha);
  if (from != "fips") return CryptoError("SHA-256 comes from provider '" + from + "', not 'fips'");
  EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  if (md5 != nullptr) {
    EVP_MD_free(md5);
    return CryptoError("MD5 can still be fetched: FIPS mode is not in effect");
  }
  ERR_clear_error();

  if (options.mode == FipsMode::kStrict) {
    bool listed = false;
    for (const char* v : kValidatedVersions) listed = listed || info->provider_version == v;
    if (!listed)
      return CryptoError("strict FIPS mode: provider version " + info->provider_version +
                         " is not a validated version (allowed: 3.1.2)");
  }
  info->module_dir = dir;
  info->self_tests_passed = true;
  return Status::Ok();
}

}  // namespace

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

  ModuleInfo info;
  info.mode = options.mode;
  info.fips_build = IsFipsBuild();
  info.openssl_version = OpenSSL_version(OPENSSL_VERSION);
  if (options.mode == FipsMode::kOff) {
    if (OPENSSL_init_ssl(0, nullptr) != 1) return CryptoError("OpenSSL init failed: " + OpenSslErrors());
    OSSL_PROVIDER* def = OSSL_PROVIDER_load(nullptr, "default");
    if (def == nullptr) return CryptoError("the default provider failed to load: " + OpenSslErrors());
    info.provider_name = ProviderParam(def, "name");
    info.provider_version = ProviderParam(def, "version");
    info.self_tests_passed = false;
    // Keep the reference: an explicit load turns off OpenSSL's automatic fallback, so
    // unloading would leave no provider at all.
  } else {
    IMMUDB_RETURN_IF_ERROR(InitFips(options, &info));
  }
  info.initialized = true;
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
    s += std::string(" self-tests=") + (info.self_tests_passed ? "passed" : "failed") +
         " module-dir=" + info.module_dir;
  return s;
}

}  // namespace immudb::crypto
