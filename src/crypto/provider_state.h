// Internal to src/crypto: a loaded set of providers in one OpenSSL library context, with the
// algorithms every operation needs fetched once. Only src/crypto/*.cc include this header.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <string>

#include "base/status.h"
#include "crypto/module.h"
#include "crypto/provider_context.h"

namespace immudb::crypto::internal {

// What a provider's power-on self-tests reported through OSSL_SELF_TEST_set_callback.
struct SelfTestLog {
  int passed = 0;
  int failed = 0;
  std::string first_failure;  // "Module_Integrity (HMAC)" style
};

}  // namespace immudb::crypto::internal

namespace immudb::crypto {

// The state behind a ProviderContext. Owns one reference to each fetched algorithm and to
// each provider it loaded; owns libctx unless it is OpenSSL's default context (nullptr).
struct ProviderContext::Impl {
  OSSL_LIB_CTX* libctx = nullptr;
  bool owns_libctx = false;
  OSSL_PROVIDER* providers[2] = {nullptr, nullptr};
  EVP_MD* sha256 = nullptr;
  EVP_MAC* hmac = nullptr;
  EVP_KDF* pbkdf2 = nullptr;
  FipsMode mode = FipsMode::kOff;
  std::string provider_name;
  std::string provider_version;
  bool ems_enforced_by_module = false;
  internal::SelfTestLog self_tests;
  // Unique per context in this process, so per-thread caches never mistake a new context
  // for a freed one at the same address.
  uint64_t serial = NextSerial();

  ~Impl();
  static uint64_t NextSerial();
};

}  // namespace immudb::crypto

namespace immudb::crypto::internal {

// OpenSSL's error queue as one line (and clears it).
std::string OpenSslErrors();

// The process-wide context InitCryptoModule set up; fatal (abort with a message) if the
// crypto module has not been initialised yet, so no object is ever fetched from a provider
// that was not checked.
const ProviderContext::Impl& Process();

// Resolves the FIPS module folder: explicit, else $IMMUDB_FIPS_MODULE_DIR, else the
// build-time default.
std::string ResolveModuleDir(const std::string& explicit_dir);

// Checks that `dir` holds fips.so and a fipsmodule.cnf with a module-mac, and writes an
// OpenSSL configuration that loads the FIPS provider (+ base) from it with `fips=yes`
// (plus `extra` appended, e.g. an ssl_conf section) into a new temporary file. Returns its
// path; the caller unlinks it. mode kOff writes a default-provider configuration instead.
Result<std::string> WriteProviderConfig(FipsMode mode, const std::string& dir,
                                        const std::string& ssl_conf);

// True when dir/fipsmodule.cnf turns on the module's own TLS 1.2 Extended Master Secret
// check (`tls1-prf-ems-check = 1`, written by a 3.1+ `openssl fipsinstall -ems_check`).
bool ModuleConfigEnablesEms(const std::string& dir);

// Installs a self-test callback on libctx that records into *log (which must outlive the
// provider's loading).
void WatchSelfTests(OSSL_LIB_CTX* libctx, SelfTestLog* log);

// Verifies a library context configured for FIPS mode (the provider is active, its
// self-tests passed, fips=yes is the default property, SHA-256 comes from `fips`, MD5 is
// refused, strict allow-list) and fills impl (provider reference, name, version, EMS, and
// the pre-fetched algorithms). On error the message names the cause.
Status FinishFipsContext(FipsMode mode, const std::string& dir, ProviderContext::Impl* impl);
// The same for a default-provider context (mode off).
Status FinishDefaultContext(ProviderContext::Impl* impl);

// Pre-fetched algorithms of a context (never null once the context is set up).
inline const EVP_MD* Sha256Md(const ProviderContext::Impl& c) { return c.sha256; }

}  // namespace immudb::crypto::internal
