// The running gRPC server: opens the server's state in the data folder (instance id, users),
// builds the ImmuService on a synchronous gRPC server with a bounded worker pool, and stops
// it cleanly (no new calls, in-flight calls finish).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "db/catalog.h"
#include "server/access_control.h"
#include "server/database_directory.h"
#include "server/immu_service.h"
#include "server/kv_handlers.h"
#include "server/server_options.h"
#include "server/session_manager.h"
#include "server/user_store.h"

namespace immudb::server {

// What the layers below plug into the server. Left null, kv_handlers and databases default to
// the database layer: a db::Catalog over options.dir (systemdb, defaultdb, ...) served by
// DbKvHandlers (signing states with --signingKey) and listed by CatalogDirectory; users
// default to <dir>/users.json (FileUserStore). Tests may plug their own handlers (then the
// directory defaults to defaultdb only).
struct ServerDeps {
  std::unique_ptr<KvHandlers> kv_handlers;
  std::unique_ptr<DatabaseDirectory> databases;
  std::unique_ptr<UserStore> users;
};

// The product version reported by Health, ServerInfo and `immudb version`.
const char* ServerVersion();

// Number of gRPC calls currently running (counted by the server's interceptor).
class InFlightCalls {
 public:
  void Enter();
  void Leave();
  // True once no call is running; false if some still run after `timeout`.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

class ImmuServer {
 public:
  // Creates the data folder if needed, loads or creates the instance id and the sysadmin
  // user, and starts listening on options.address:options.port (port 0 = a free port).
  static Result<std::unique_ptr<ImmuServer>> Start(const ServerOptions& options,
                                                   ServerDeps deps = {});
  ~ImmuServer();

  // The port actually bound.
  int port() const { return port_; }
  // stream* calls whose handler is running now.
  int OpenStreams() const { return service_ ? service_->open_streams() : 0; }
  // The xid sent as `immudb-uuid`.
  const std::string& server_uuid() const { return uuid_; }
  SessionManager& sessions() { return *sessions_; }

  // Stops accepting calls, lets in-flight calls finish (cancelling them after `grace`),
  // stops the session guard. Idempotent.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Blocks until Shutdown has completed.
  void Wait();

 private:
  ImmuServer() = default;

  ServerOptions options_;
  std::unique_ptr<db::Catalog> catalog_;  // declared before deps_: outlives the handlers
  ServerDeps deps_;
  std::string uuid_;
  std::shared_ptr<InFlightCalls> in_flight_ = std::make_shared<InFlightCalls>();
  int port_ = 0;
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<LoginLimiter> login_limiter_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<ImmuServiceImpl> service_;
  std::unique_ptr<grpc::Server> grpc_;
  bool shut_down_ = false;
};

}  // namespace immudb::server
