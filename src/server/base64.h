// Base64 text encodings used on the wire: session ids (URL alphabet with '=' padding, as immudb
// sends them) and 'enc:' encoded admin passwords (standard alphabet).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace immudb::server {

enum class Base64Alphabet { kStandard, kUrl };

// Encodes `data` with '=' padding.
std::string Base64Encode(std::string_view data, Base64Alphabet alphabet);
// Decodes padded or unpadded text; InvalidArgument on characters outside the alphabet.
Result<std::string> Base64Decode(std::string_view text, Base64Alphabet alphabet);

}  // namespace immudb::server
