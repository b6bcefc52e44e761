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
    const ClientCommand* c = &cmd;
    CLI::App* sub = program.AddCommand(
        cmd.name, cmd.help, [session, args, c]() -> Status {
          Status st = RunImmuclientCommand(*session, *c, *args, std::cout);
          std::cout.flush();
          return st;
        });
    for (const auto& alias : cmd.aliases) sub->alias(alias);
    sub->add_option("args", *args, cmd.usage);
    sub->positionals_at_end();
  }
  AddImmuclientAuditCommand(program, session);
  program.SetDefault([session]() { return RunImmuclientShell(*session); });
}

}  // namespace immudb::cli
