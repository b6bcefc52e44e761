// The `immudb` server's life: logging, pid file, start, wait for SIGTERM/SIGINT, clean stop.
#pragma once

#include "server/immu_server.h"
#include "server/server_options.h"

namespace immudb::server {

// Runs the server until SIGTERM or SIGINT, then stops accepting calls, lets in-flight calls
// finish, removes the pid file and returns 0. Returns non-zero (after logging why) when the
// server cannot start. Call from main() after the crypto module is initialised and before
// any other thread exists (it blocks the two signals process-wide and waits for them on a
// dedicated thread).
int RunServer(const ServerOptions& options, ServerDeps deps = {});

}  // namespace immudb::server
