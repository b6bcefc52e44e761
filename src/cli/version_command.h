// The `version` command every program has: version, build flavour and the crypto module
// as the running library reports it.
#pragma once

#include <string>

#include "cli/program.h"

namespace immudb::cli {

// The text `version` prints (several "key: value" lines), from crypto::CurrentModule().
std::string VersionText(const std::string& program);

// Adds `version` to program.
void AddVersionCommand(Program& program);

}  // namespace immudb::cli
