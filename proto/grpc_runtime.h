// Process-wide settings of the gRPC runtime shared by the server and the client library.
#pragma once

namespace immudb {

// Idempotent; call before creating gRPC servers or channels. Turns off the deadlock
// detection of absl::Mutex (gRPC's lock type), which Debian's absl build leaves enabled:
// it records every lock-order edge in a global graph, about 5% of the CPU of a busy server
// or client (perf, Set at 32 clients), and gRPC's own locking is not ours to police.
void ConfigureGrpcRuntime();

}  // namespace immudb
