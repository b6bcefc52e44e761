// A set of loaded OpenSSL providers with their algorithms fetched once. The crypto API runs
// in the process context that InitCryptoModule() set up; benchmarks and tests can open
// further, private contexts to run the same operation through the default provider and the
// FIPS provider side by side in one process. Product code never needs Open().
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "crypto/module.h"

namespace immudb::crypto {

class ProviderContext {
 public:
  struct Impl;  // defined in provider_state.h (src/crypto only)

  // The context InitCryptoModule() configured (OpenSSL's default library context, which
  // gRPC's TLS also uses). Aborts with a message if the module is not initialised.
  static const ProviderContext& Process();

  // A private library context: the default provider for FipsMode::kOff, else the FIPS
  // provider + base from options.fips_module_dir (resolved as InitCryptoModule does), with
  // the same start-up checks. Independent of the process context. Opening the default
  // provider is possible in a FIPS build too: that is for the benchmark's comparison;
  // no product code path calls Open().
  static Result<std::unique_ptr<ProviderContext>> Open(const ModuleOptions& options);

  ~ProviderContext();
  ProviderContext(const ProviderContext&) = delete;
  ProviderContext& operator=(const ProviderContext&) = delete;

  FipsMode mode() const;
  // The provider doing the work, e.g. "OpenSSL FIPS Provider" "3.0.20".
  const std::string& provider_name() const;
  const std::string& provider_version() const;

  const Impl& impl() const { return *impl_; }

 private:
  explicit ProviderContext(std::unique_ptr<Impl> impl);
  friend Status InitCryptoModule(const ModuleOptions& options);

  std::unique_ptr<Impl> impl_;
};

}  // namespace immudb::crypto
