#include "server/status_map.h"

#include <spdlog/spdlog.h>

#include <regex>

namespace immudb::server {

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (status.code() == Code::kCorruption || status.code() == Code::kIoError) {
    // The detail names files and offsets in the server's data folder: it goes to the log,
    // and the client gets immudb's wording plus the tx id when one is known.
    spdlog::error("{}", status.ToString());
    static const std::regex kTxId(R"(\btx (\d+))");
    std::smatch m;
    std::string msg = status.code() == Code::kCorruption ? "data is corrupted" : "I/O error";
    if (std::regex_search(status.message(), m, kTxId)) msg += " at tx " + m[1].str();
    return grpc::Status(grpc::StatusCode::UNKNOWN, msg);
  }
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  switch (status.code()) {
    case Code::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case Code::kPermissionDenied: code = grpc::StatusCode::PERMISSION_DENIED; break;
    case Code::kFailedPrecondition: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case Code::kUnimplemented: code = grpc::StatusCode::UNIMPLEMENTED; break;
    case Code::kUnauthenticated: code = grpc::StatusCode::UNAUTHENTICATED; break;
    case Code::kResourceExhausted: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case Code::kUnavailable: code = grpc::StatusCode::UNAVAILABLE; break;
    case Code::kInternal: code = grpc::StatusCode::INTERNAL; break;
    default: code = grpc::StatusCode::UNKNOWN; break;
  }
  const std::string& message = status.message();
  if (message.find('/') == std::string::npos) return grpc::Status(code, message);
  // Other answers may name files too (ENOSPC from a segment, a poisoned commit log): the
  // client gets them without the data folder's absolute path (only the last two components).
  static const std::regex kAbsPath(R"((^|[\s('"])/(?:[^\s:'")/]+/)*([^\s:'")/]+/[^\s:'")/]+))");
  std::string redacted = std::regex_replace(message, kAbsPath, "$1$2");
  if (redacted != message) spdlog::warn("{}", status.ToString());
  return grpc::Status(code, redacted);
}

}  // namespace immudb::server
