#include "server/run_server.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "crypto/module.h"
#include "server/logging.h"
#include "server/pidfile.h"

namespace immudb::server {

int RunServer(const ServerOptions& options, ServerDeps deps) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (Status st = InitLogging(options.logformat, options.logfile); !st.ok()) {
    std::fprintf(stderr, "immudb: %s\n", st.ToString().c_str());
    return 1;
  }
  spdlog::info("crypto module: {}", crypto::DescribeModule(crypto::CurrentModule()));

  std::unique_ptr<PidFile> pidfile;
  if (!options.pidfile.empty()) {
    auto created = PidFile::Create(options.pidfile);
    if (!created.ok()) {
      spdlog::error("{}", created.status().ToString());
      return 1;
    }
    pidfile = std::move(created).value();
  }

  auto server = ImmuServer::Start(options, std::move(deps));
  if (!server.ok()) {
    spdlog::error("cannot start: {}", server.status().ToString());
    return 1;
  }

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  spdlog::info("received {}, shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown(std::chrono::seconds(10));
  (*server)->Wait();
  spdlog::info("gRPC server stopped; closing databases");
  server->reset();
  spdlog::info("stopped");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace immudb::server
