#include "cli/commands.h"
#include "cli/version_command.h"

namespace immudb::cli {

void RegisterImmuclientCommands(Program& program) { AddVersionCommand(program); }

}  // namespace immudb::cli
