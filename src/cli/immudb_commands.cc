#include "cli/commands.h"
#include "cli/server_entry.h"
#include "cli/version_command.h"

namespace immudb::cli {

void RegisterImmudbCommands(Program& program) {
  AddServerFlags(program.app());
  program.SetDefault(RunServer);
  AddVersionCommand(program);
}

}  // namespace immudb::cli
