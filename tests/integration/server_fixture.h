// Test helpers: a real ImmuServer on 127.0.0.1 with an ephemeral port and a temporary data
// folder, and a gRPC stub talking to it.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "schema.grpc.pb.h"
#include "server/immu_server.h"

namespace immudb::server::testing {

inline std::string MakeTempDir(const std::string& tag) {
  std::random_device rd;  // test-only folder naming, not security
  auto dir = std::filesystem::temp_directory_path() /
             ("immudb-server-" + tag + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline ServerOptions TestOptions(const std::string& dir) {
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.dir = dir;
  o.grpc_reflection = false;
  return o;
}

inline std::unique_ptr<schema::ImmuService::Stub> StubFor(int port) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials());
  return schema::ImmuService::NewStub(channel);
}

// A client context carrying a session id or a bearer token, with a 10 s deadline.
inline std::unique_ptr<grpc::ClientContext> Ctx(const std::string& session_id = "",
                                                const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!session_id.empty()) ctx->AddMetadata("sessionid", session_id);
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

}  // namespace immudb::server::testing
