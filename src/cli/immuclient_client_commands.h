// Registers immuclient's client commands (immuclient_session.h) with the program: one CLI11
// command per table entry, the global connection / output flags, and the interactive shell
// as the default when no command is given.
#pragma once

#include "cli/program.h"

namespace immudb::cli {

void AddImmuclientClientCommands(Program& program);

}  // namespace immudb::cli
