#include "cli/commands.h"
#include "cli/immuclient_client_commands.h"
#include "cli/version_command.h"

namespace immudb::cli {

void RegisterImmuclientCommands(Program& program) {
  AddVersionCommand(program);
  AddImmuclientClientCommands(program);
}

}  // namespace immudb::cli
