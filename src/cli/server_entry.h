// The immudb server as the `immudb` program starts it when no command is given. The
// server layer owns the implementation (server_entry.cc); the program only calls these.
#pragma once

#include <CLI/CLI.hpp>

#include "base/status.h"

namespace immudb::cli {

// Adds the server's flags (--dir, --address, --port, ...) to the immudb program's
// top-level command, before parsing. The parsed values stay with the server entry.
void AddServerFlags(CLI::App& app);

// Runs the server in the foreground until it is told to stop. Called after the crypto
// module is initialised. Returns the reason it could not start or stopped on an error.
Status RunServer();

}  // namespace immudb::cli
