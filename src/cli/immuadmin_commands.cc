#include "cli/commands.h"
#include "cli/version_command.h"

namespace immudb::cli {

void RegisterImmuadminCommands(Program& program) { AddVersionCommand(program); }

}  // namespace immudb::cli
