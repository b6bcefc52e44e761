// The immudb program's server entry: every server option becomes a flag (the names and
// meanings of immudb's, see server/server_options.h); options not given on the command line
// come from IMMUDB_* environment variables, the --config TOML file, or the defaults.
#include "cli/server_entry.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/run_server.h"
#include "server/server_options.h"

namespace immudb::cli {
namespace {

struct FlagValue {
  std::string name;
  std::string value;
  CLI::Option* option = nullptr;
};

std::vector<std::unique_ptr<FlagValue>>& Flags() {
  static std::vector<std::unique_ptr<FlagValue>> flags;
  return flags;
}

}  // namespace

void AddServerFlags(CLI::App& app) {
  for (const server::OptionSpec& spec : server::ServerOptionSpecs()) {
    if (spec.name == "fips-mode") continue;  // a global flag of every program
    auto flag = std::make_unique<FlagValue>();
    flag->name = spec.name;
    std::string names = "--" + spec.name;
    if (spec.name == "address") names = "-a," + names;
    if (spec.name == "port") names = "-p," + names;
    if (spec.is_bool) {
      // `--auth` means true; `--auth=false` is accepted as well.
      flag->option = app.add_flag(names + "{true}", flag->value, spec.help);
    } else {
      flag->option = app.add_option(names, flag->value, spec.help);
    }
    Flags().push_back(std::move(flag));
  }
}

Status RunServer() {
  std::map<std::string, std::string> given;
  for (const auto& flag : Flags()) {
    if (flag->option->count() > 0) given[flag->name] = flag->value;
  }
  auto options = server::ResolveServerOptions(given);
  if (!options.ok()) return options.status();
  int rc = server::RunServer(*options);
  if (rc != 0) return Unavailable("the server stopped with an error (see the log)");
  return Status::Ok();
}

}  // namespace immudb::cli
