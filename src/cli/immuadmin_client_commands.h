// Registers immuadmin's server-administration commands: login, logout, status,
// database list|create|load|unload|delete|update|use|flush|compact and
// user list|create|changepassword|activate|deactivate|permission grant|revoke.
#pragma once

#include "cli/program.h"

namespace immudb::cli {

void AddImmuadminClientCommands(Program& program);

}  // namespace immudb::cli
