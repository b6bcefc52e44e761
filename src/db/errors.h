// immudb's error messages that clients match on (PROTOCOL.md 1.5, 6.13), as Status values.
#pragma once

#include <string>

#include "base/status.h"

namespace immudb::db::errors {

inline Status KeyNotFound() { return NotFound("tbtree: key not found"); }
inline Status ExpiredEntry() { return NotFound("key not found: expired entry"); }
inline Status TxNotFound() { return NotFound("tx not found"); }
inline Status IllegalArguments(const std::string& why = "") {
  return InvalidArgument(why.empty() ? "illegal arguments" : "illegal arguments: " + why);
}
inline Status IllegalState(const std::string& why = "") {
  return FailedPrecondition(why.empty() ? "illegal state" : "illegal state: " + why);
}
inline Status InvalidRevision() { return InvalidArgument("invalid key revision number"); }
inline Status PreconditionFailed() { return FailedPrecondition("precondition failed"); }
inline Status InvalidPrecondition(const std::string& why) {
  return InvalidArgument("invalid precondition: " + why);
}
inline Status DuplicatedKeys() {
  return InvalidArgument("duplicated keys are not supported in single batch transaction");
}
inline Status DuplicatedZAdd() {
  return InvalidArgument(
      "duplicated index inside zAdd insertions are not supported in single batch transaction");
}
inline Status DuplicatedReferences() {
  return InvalidArgument(
      "duplicated references insertions are not supported in single batch transaction");
}
inline Status ResultSizeLimitExceeded(uint64_t limit, uint64_t max) {
  return InvalidArgument("result size limit exceeded: the specified limit (" +
                         std::to_string(limit) + ") is larger than the maximum allowed one (" +
                         std::to_string(max) + ")");
}
inline Status KeyResolutionLimitReached() {
  return InvalidArgument("key resolution limit reached. It may be due to cyclic references");
}
inline Status ReferencedKeyCannotBeAReference() {
  return InvalidArgument("referenced key cannot be a reference");
}
inline Status FinalKeyCannotBeConvertedIntoReference() {
  return InvalidArgument("final key cannot be converted into a reference");
}
inline Status MaxKeyLenExceeded() { return InvalidArgument("max key length exceeded"); }
inline Status MaxValueLenExceeded() { return InvalidArgument("max value length exceeded"); }
inline Status MaxTxEntriesExceeded() {
  return InvalidArgument("max number of entries per tx exceeded");
}
inline Status NoEntriesProvided() { return InvalidArgument("no entries provided"); }
inline Status NoWaitNotSelfContained() {
  return InvalidArgument("no wait operation must be self-contained: illegal arguments");
}

}  // namespace immudb::db::errors
