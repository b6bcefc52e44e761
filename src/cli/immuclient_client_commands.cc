#include "cli/immuclient_client_commands.h"

#include <iostream>
#include <memory>

#include "cli/immuclient_audit.h"
#include "cli/immuclient_session.h"

namespace immudb::cli {

void AddImmuclientClientCommands(Program& program) {
  auto session = std::make_shared<ClientSession>();
  CLI::App& app = program.app();
  AddConnectionFlags(app, &session->flags, "IMMUCLIENT_PASSWORD");
  app.add_flag("--value-only", session->value_only, "print only values");
  app.add_option("-o,--output", session->output, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  for (const ClientCommand& cmd : ImmuclientCommands()) {
    auto args = std::make_shared<std::vector<std::string>>();
    // The command's own options (--at-tx, --since-tx ...), handed on as "--name=value".
    auto opts = std::make_shared<std::vector<std::pair<std::string, std::string>>>(
        cmd.options.size());
    const ClientCommand* c = &cmd;
    CLI::App* sub = program.AddCommand(
        cmd.name, cmd.help, [session, args, opts, c]() -> Status {
          std::vector<std::string> all = *args;
          for (const auto& [name, value] : *opts) {
            if (!value.empty()) all.push_back(name + "=" + value);
          }
          Status st = RunImmuclientCommand(*session, *c, all, std::cout);
          std::cout.flush();
          return st;
        });
    for (const auto& alias : cmd.aliases) sub->alias(alias);
    for (size_t i = 0; i < cmd.options.size(); ++i) {
      (*opts)[i].first = cmd.options[i];
      sub->add_option(cmd.options[i], (*opts)[i].second, cmd.options[i].substr(2));
    }
    sub->add_option("args", *args, cmd.usage);
    sub->positionals_at_end();
  }
  AddImmuclientAuditCommand(program, session);
  program.SetDefault([session]() { return RunImmuclientShell(*session); });
}

}  // namespace immudb::cli
