// immudb: the immutable database server.
#include "cli/commands.h"

int main(int argc, char** argv) {
  immudb::cli::Program program("immudb", "immudb: the immutable database server");
  immudb::cli::RegisterImmudbCommands(program);
  return program.Main(argc, argv);
}
