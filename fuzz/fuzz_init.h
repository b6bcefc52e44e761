// Shared set-up of the fuzz targets: the crypto module (default provider, FIPS mode off) is
// initialised once per process, as every program does at start-up, and FUZZ_CHECK aborts
// with a message when a property of the code under test does not hold (libFuzzer then saves
// the input as a crash).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "crypto/module.h"

namespace immudb::fuzz {

inline void InitCrypto() {
  crypto::ModuleOptions opts;
  opts.mode = crypto::FipsMode::kOff;
  Status st = crypto::InitCryptoModule(opts);
  if (!st.ok()) {
    std::fprintf(stderr, "crypto module: %s\n", st.ToString().c_str());
    std::abort();
  }
}

}  // namespace immudb::fuzz

#define FUZZ_CHECK(cond, what)                                                 \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", what, __FILE__, \
                   __LINE__);                                                  \
      std::abort();                                                            \
    }                                                                          \
  } while (0)
