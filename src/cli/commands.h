// The command lists of the three programs. To add a command, write it in a file of your
// own (e.g. immuclient_set_command.cc) as a function taking Program&, and call it from
// the program's Register function in <program>_commands.cc.
#pragma once

#include "cli/program.h"

namespace immudb::cli {

// immudb: `version`; without a command it runs the server (server_entry.h).
void RegisterImmudbCommands(Program& program);
// immuadmin: `version`.
void RegisterImmuadminCommands(Program& program);
// immuclient: `version`.
void RegisterImmuclientCommands(Program& program);

}  // namespace immudb::cli
