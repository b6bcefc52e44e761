// immuadmin: administer an immudb server.
#include "cli/commands.h"

int main(int argc, char** argv) {
  immudb::cli::Program program("immuadmin", "immuadmin: administer an immudb server");
  immudb::cli::RegisterImmuadminCommands(program);
  return program.Main(argc, argv);
}
