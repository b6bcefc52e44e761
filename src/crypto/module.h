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
};

// True for the -DIMMUDB_FIPS=ON flavour, which refuses FipsMode::kOff.
bool IsFipsBuild();
// The mode a program starts in when the user gives none: on for -fips builds, else off.
FipsMode DefaultFipsMode();

// Loads and checks the providers for `options.mode`. Call once, first thing in main().
// Every failure is a clear error naming its cause; callers exit non-zero on it.
Status InitCryptoModule(const ModuleOptions& options);

// The state set by InitCryptoModule (initialized=false before it ran).
const ModuleInfo& CurrentModule();

// One line for logs and `version`: "provider=... version=... mode=on self-tests=passed".
std::string DescribeModule(const ModuleInfo& info);

}  // namespace immudb::crypto
