// Fuzzes the server's configuration parsing: a TOML config file (toml++ parse, then every key
// applied as its flag), single flags given as text (SetServerOption with every option name,
// Go durations, integers, booleans) and validation of the result, as ResolveServerOptions
// runs them at start-up. Property: malformed input is an error value, never a crash, an
// escaped exception, a sanitizer report (e.g. a signed overflow converting a huge duration)
// or a hang.
//
// Input: byte 0 selects the mode: even = the rest is a TOML file; odd = byte 1 picks an
// option, the rest is its value.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "fuzz_init.h"
#include "server/server_options.h"

using namespace immudb;

namespace {
std::string g_path;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  immudb::fuzz::InitCrypto();
  const char* tmp = std::getenv("TMPDIR");
  g_path = std::string(tmp && *tmp ? tmp : "/tmp") + "/immudb-config-fuzz-" +
           std::to_string(::getpid()) + ".toml";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto no_env = [](const char*) -> const char* { return nullptr; };
  std::map<std::string, std::string> flags;
  if ((data[0] & 1) == 0) {
    FILE* f = std::fopen(g_path.c_str(), "wb");
    if (f == nullptr) std::abort();
    if (size > 1) std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
    flags["config"] = g_path;
  } else {
    if (size < 2) return 0;
    const auto& specs = server::ServerOptionSpecs();
    const server::OptionSpec& spec = specs[data[1] % specs.size()];
    std::string value(reinterpret_cast<const char*>(data + 2), size - 2);
    flags[spec.name] = value;
    (void)server::ParseGoDuration(value);
  }
  auto o = server::ResolveServerOptions(flags, no_env);
  if (o.ok()) FUZZ_CHECK(server::ValidateServerOptions(*o).ok(), "resolved options invalid");
  return 0;
}
