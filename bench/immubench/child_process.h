// Starting and stopping the server process a benchmark measures.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace immudb::bench {

// Starts argv[0] with argv (no shell), stdout and stderr appended to log_path. Returns the
// child's pid.
Result<int> SpawnProcess(const std::vector<std::string>& argv, const std::string& log_path);

// True while pid is running (reaps it if it exited).
bool ProcessAlive(int pid);

// SIGTERM, waits up to timeout_s, then SIGKILL. Reaps the child. Returns its exit status
// text ("exit 0", "signal 9", ...).
std::string StopProcess(int pid, double timeout_s);

// A TCP port on 127.0.0.1 that was free a moment ago.
Result<int> FreeLoopbackPort();

}  // namespace immudb::bench
