// Process logging for the server (spdlog): text or JSON lines, to standard error or a file.
#pragma once

#include <string>

#include "base/status.h"
#include "server/server_options.h"

namespace immudb::server {

// Installs the default spdlog logger. JSON lines look like
// {"time":"2026-11-26T17:00:00.123Z","level":"info","msg":"..."} with the message escaped.
Status InitLogging(LogFormat format, const std::string& logfile);

}  // namespace immudb::server
