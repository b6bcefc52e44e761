#include "cli/version_command.h"

#include <cstdio>

#include "crypto/module.h"

#ifndef IMMUDB_VERSION
#define IMMUDB_VERSION "0.0.0"
#endif

namespace immudb::cli {

std::string VersionText(const std::string& program) {
  const crypto::ModuleInfo& m = crypto::CurrentModule();
  std::string s;
  s += ProgramFileName(program) + " " + IMMUDB_VERSION + "\n";
  s += std::string("build: ") + (m.fips_build ? "fips" : "standard") + "\n";
  s += std::string("fips mode: ") + crypto::FipsModeName(m.mode) + "\n";
  s += "crypto provider: " + m.provider_name + " " + m.provider_version;
  if (m.mode != crypto::FipsMode::kOff)
    s += std::string(" (self-tests ") + (m.self_tests_passed ? "passed" : "FAILED") +
         ", module " + m.module_dir + ")";
  s += "\n";
  s += "openssl: " + m.openssl_version + "\n";
  s += "tls policy: " + m.tls_policy + (m.tls12_allowed ? " (TLS 1.2, 1.3)" : " (TLS 1.3 only)") +
       "\n";
  return s;
}

void AddVersionCommand(Program& program) {
  program.AddCommand("version", "print version, build flavour and the crypto module in use",
                     [&program] {
                       std::fputs(VersionText(program.name()).c_str(), stdout);
                       return Status::Ok();
                     });
}

}  // namespace immudb::cli
