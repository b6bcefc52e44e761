// Standard base64 (RFC 4648 alphabet, '=' padding), as the state file stores its states.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"

namespace immudb::client {

std::string Base64Encode(ByteView in);
// False when in is not padded standard base64.
bool Base64Decode(std::string_view in, Bytes* out);

}  // namespace immudb::client
