// The crypto module: which OpenSSL provider does the work, and in which mode.
// InitCryptoModule() must be the first OpenSSL-touching call of every program, before any
// gRPC server or channel is built, so that the providers and the TLS policy reach every
// library context in the process (gRPC's libssl included).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace immudb::crypto {

// off: OpenSSL's default provider. on: FIPS provider + base only, approved algorithms only.
// strict: as on, and the provider's version must be on the validated allow-list.
enum class FipsMode { kOff, kOn, kStrict };

const char* FipsModeName(FipsMode mode);
// Parses "off" | "on" | "strict".
Result<FipsMode> ParseFipsMode(std::string_view text);

struct ModuleOptions {
  FipsMode mode = FipsMode::kOff;
  // Folder holding fips.so and fipsmodule.cnf. Empty: $IMMUDB_FIPS_MODULE_DIR, else the
  // folder set at build time (where setup installs the development provider).
  std::string fips_module_dir;
};

// What is running, read from the live library (not from build flags).
struct ModuleInfo {
  bool initialized = false;
  FipsMode mode = FipsMode::kOff;
  bool fips_build = false;         // this binary is the -fips flavour
  std::string provider_name;       // e.g. "OpenSSL FIPS Provider"
  std::string provider_version;    // e.g. "3.0.20"
  std::string module_dir;          // empty in off mode
  std::string openssl_version;     // libcrypto's version string
  bool self_tests_passed = false;  // the provider's power-on self-tests ran and passed
  int self_tests_run = 0;          // how many self-tests the provider reported as passed
  bool ems_enforced_by_module = false;  // the module refuses TLS 1.2 without EMS (3.1+)
  std::string tls_policy;          // name of the TLS policy applied: "fips" or "default"
  bool tls12_allowed = true;       // false: the applied policy is TLS 1.3 only
};

// True for the -DIMMUDB_FIPS=ON flavour, which refuses FipsMode::kOff.
bool IsFipsBuild();
// The mode a program starts in when the user gives none: on for -fips builds, else off.
FipsMode DefaultFipsMode();

// Loads and checks the providers for `options.mode`. Call once, first thing in main(),
// before any gRPC object exists. Loads an OpenSSL configuration (providers, `fips=yes`,
// and the TLS policy of tls_policy.h as `ssl_conf` `system_default`) into OpenSSL's
// default library context, runs the explicit checks, pre-fetches SHA-256/HMAC/PBKDF2, and
// sets GRPC_SSL_CIPHER_SUITES to the policy's TLS 1.2 list (overwriting an inherited one).
// Every failure is a clear error naming its cause; callers exit non-zero on it. A second
// call with the same mode is a no-op; with another mode it fails.
Status InitCryptoModule(const ModuleOptions& options);

// The state set by InitCryptoModule (initialized=false before it ran).
const ModuleInfo& CurrentModule();

// One line for logs and `version`: "provider=... version=... mode=on self-tests=passed".
std::string DescribeModule(const ModuleInfo& info);

}  // namespace immudb::crypto
