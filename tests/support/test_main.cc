// GoogleTest main for every unit test: initialises the crypto module in the mode named by
// $IMMUDB_TEST_FIPS_MODE (off when unset), so one test binary runs in both modes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/module.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* env = std::getenv("IMMUDB_TEST_FIPS_MODE");
  immudb::crypto::ModuleOptions opts;
  opts.mode = immudb::crypto::DefaultFipsMode();
  if (env != nullptr && *env != '\0') {
    auto mode = immudb::crypto::ParseFipsMode(env);
    if (!mode.ok()) {
      std::fprintf(stderr, "%s\n", mode.status().ToString().c_str());
      return 2;
    }
    opts.mode = *mode;
  }
  immudb::Status st = immudb::crypto::InitCryptoModule(opts);
  if (!st.ok()) {
    std::fprintf(stderr, "crypto module: %s\n", st.ToString().c_str());
    return 2;
  }
  std::printf("crypto module: %s\n",
              immudb::crypto::DescribeModule(immudb::crypto::CurrentModule()).c_str());
  return RUN_ALL_TESTS();
}
