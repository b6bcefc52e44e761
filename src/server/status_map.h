// Status -> gRPC status at the edge. immudb sends most errors as UNKNOWN with the plain error
// text (clients match substrings such as "key not found"), and a few with specific codes;
// the mapping keeps that shape:
//   InvalidArgument -> INVALID_ARGUMENT, PermissionDenied -> PERMISSION_DENIED,
//   FailedPrecondition -> FAILED_PRECONDITION, Unimplemented -> UNIMPLEMENTED,
//   Unauthenticated -> UNAUTHENTICATED, ResourceExhausted -> RESOURCE_EXHAUSTED,
//   Unavailable -> UNAVAILABLE, Internal -> INTERNAL,
//   everything else (NotFound, AlreadyExists, OutOfRange, IoError, Corruption, Tampered,
//   CryptoError) -> UNKNOWN, message unchanged.
#pragma once

#include <grpcpp/support/status.h>

#include "base/status.h"

namespace immudb::server {

grpc::Status ToGrpcStatus(const Status& status);

}  // namespace immudb::server
