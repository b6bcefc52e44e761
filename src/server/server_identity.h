// The server's instance id (sent as `immudb-uuid` and OpenSessionResponse.serverUUID). Like
// immudb it is an xid: 12 bytes (4-byte big-endian Unix time, then 8 random bytes from the
// DRBG here), kept in <data dir>/immudb.identifier so it survives restarts, and shown as 20
// lower-case base32hex characters.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "base/status.h"

namespace immudb::server {

// Reads <dir>/immudb.identifier, creating it (durably) when absent. Returns the xid text.
Result<std::string> LoadOrCreateServerId(const std::string& dir);

// The 20-character text form of 12 id bytes.
std::string XidText(const std::array<uint8_t, 12>& id);

}  // namespace immudb::server
