#include "cli/commands.h"
#include "cli/immuadmin_client_commands.h"
#include "cli/version_command.h"

namespace immudb::cli {

void RegisterImmuadminCommands(Program& program) {
  AddVersionCommand(program);
  AddImmuadminClientCommands(program);
}

}  // namespace immudb::cli
