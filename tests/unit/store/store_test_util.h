// Helpers shared by the store tests: a temporary directory, entry builders, file copies.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"

namespace immudb::store::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/immudb-store-XXXXXX";
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline EntryInput Entry(const std::string& key, const std::string& value) {
  return EntryInput{ToBytes(key), ToBytes(value), {}};
}

// `n` entries "<prefix>-k<i>" -> "<prefix>-v<i>".
inline std::vector<EntryInput> Entries(const std::string& prefix, int n) {
  std::vector<EntryInput> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(Entry(prefix + "-k" + std::to_string(i), prefix + "-v" + std::to_string(i)));
  }
  return v;
}

// Small segments so that tests cross segment boundaries often.
inline Options SmallOptions() {
  Options o;
  o.segment_size = 4096;
  o.clock = [] { return int64_t{1700000000}; };
  return o;
}

// Copies a store directory as a crash would leave it (the files as they are now).
inline void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

}  // namespace immudb::store::testing
