// Placeholder until the server layer provides the real entry: the flags are accepted so
// scripts can already pass them, and running reports clearly that there is no server yet.
#include "cli/server_entry.h"

#include <cstdint>
#include <string>

namespace immudb::cli {
namespace {

struct ServerFlags {
  std::string dir = "./data";
  std::string address = "0.0.0.0";
  uint16_t port = 3322;
};

ServerFlags& Flags() {
  static ServerFlags flags;
  return flags;
}

}  // namespace

void AddServerFlags(CLI::App& app) {
  ServerFlags& f = Flags();
  app.add_option("--dir", f.dir, "data folder")->capture_default_str();
  app.add_option("-a,--address", f.address, "address to listen on")->capture_default_str();
  app.add_option("-p,--port", f.port, "gRPC port")->capture_default_str();
}

Status RunServer() {
  return Unimplemented("the immudb server is not built yet (only `immudb version` works)");
}

}  // namespace immudb::cli
