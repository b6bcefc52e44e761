// immuclient: query and verify an immudb server.
#include "cli/commands.h"

int main(int argc, char** argv) {
  immudb::cli::Program program("immuclient", "immuclient: query and verify an immudb server");
  immudb::cli::RegisterImmuclientCommands(program);
  return program.Main(argc, argv);
}
