// Runs the real programs against good and damaged copies of the FIPS module: every damage
// must end in a non-zero exit with one line naming the cause, never a crash.
#include <elf.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/module.h"

#ifndef IMMUDB_BIN_DIR
#error "IMMUDB_BIN_DIR must name the folder holding the programs"
#endif
#ifndef IMMUDB_PROGRAM_SUFFIX
#define IMMUDB_PROGRAM_SUFFIX ""
#endif
#ifndef IMMUDB_FIPS_MODULE_DIR_DEFAULT
#define IMMUDB_FIPS_MODULE_DIR_DEFAULT "/opt/immudb-cpp/fips"
#endif

namespace immudb {
namespace {

namespace fs = std::filesystem;

struct ProgramRun {
  int exit_code = -1;
  bool crashed = false;
  std::string output;  // stdout and stderr
};

std::string Program(const std::string& base) {
  return std::string(IMMUDB_BIN_DIR) + "/" + base + IMMUDB_PROGRAM_SUFFIX;
}

// Runs program with args (and `env` assignments, e.g. "OPENSSL_CONF=/x"), without the
// FIPS variables of the test's own environment.
ProgramRun Exec(const std::string& program, const std::string& args, const std::string& env = "") {
  std::string cmd = "env -u IMMUDB_FIPS_MODULE_DIR -u IMMUDB_FIPS_MODE " + env + " '" + program +
                    "' " + args + " 2>&1";
  ProgramRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) >= 128);
  return r;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

// The offset and size of the module's .text (its code), read from the ELF section table.
std::pair<size_t, size_t> TextSection(const std::string& elf) {
  if (elf.size() < sizeof(Elf64_Ehdr)) return {0, 0};
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    return {0, 0};
  auto section = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * eh.e_shentsize, sizeof sh);
    return sh;
  };
  Elf64_Shdr names = section(eh.e_shstrndx);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = section(i);
    if (std::string(elf.data() + names.sh_offset + sh.sh_name) == ".text")
      return {sh.sh_offset, sh.sh_size};
  }
  return {0, 0};
}

class Startup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("immudb-startup-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path src = IMMUDB_FIPS_MODULE_DIR_DEFAULT;
    so_ = ReadFile(src / "fips.so");
    cnf_ = ReadFile(src / "fipsmodule.cnf");
    ASSERT_GT(so_.size(), 100000u) << "no FIPS module in " << src;
    ASSERT_NE(cnf_.find("module-mac"), std::string::npos);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Install(const std::string& so, const std::string* cnf) {
    WriteFile(dir_ / "fips.so", so);
    if (cnf != nullptr) WriteFile(dir_ / "fipsmodule.cnf", *cnf);
  }
  ProgramRun Version(const std::string& extra = "") {
    return Exec(Program("immudb"),
                "--fips-mode=on --fips-module-dir='" + dir_.string() + "' " + extra + "version");
  }
  // A failed start: exit 1 (not a crash), one line, naming the program and `expected`.
  void ExpectRefused(const ProgramRun& r, const std::string& expected) {
    EXPECT_FALSE(r.crashed) << r.output;
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
    EXPECT_EQ(r.output.rfind("immudb", 0), 0u) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }

  fs::path dir_;
  std::string so_, cnf_;
};

TEST_F(Startup, ValidModulePrintsTheProvider) {
  Install(so_, &cnf_);
  ProgramRun r = Version();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("fips mode: on"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("crypto provider: OpenSSL FIPS Provider 3."), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("self-tests passed, module " + dir_.string()), std::string::npos)
      << r.output;
  for (const char* p : {"immuadmin", "immuclient"}) {
    ProgramRun c = Exec(Program(p), "--fips-mode=on --fips-module-dir='" + dir_.string() + "' version");
    EXPECT_EQ(c.exit_code, 0) << c.output;
    EXPECT_NE(c.output.find("crypto provider: OpenSSL FIPS Provider"), std::string::npos);
  }
}

TEST_F(Startup, CorruptedCodeFailsTheIntegrityCheck) {
  auto [text_off, text_size] = TextSection(so_);
  ASSERT_GT(text_size, 4096u) << "no .text section found";
  // The middle of the code and the middle of the file (also inside .text for this module).
  for (size_t off : {text_off + text_size / 2, so_.size() / 2}) {
    std::string bad = so_;
    for (size_t i = 0; i < 16; ++i) bad[off + i] = char(bad[off + i] ^ 0x5a);
    Install(bad, &cnf_);
    ProgramRun r = Version();
    ExpectRefused(r, "self-test failed: Module_Integrity");
    EXPECT_NE(r.output.find("fips.so is corrupt"), std::string::npos) << r.output;
  }
}

TEST_F(Startup, MissingModuleConfig) {
  Install(so_, nullptr);
  ExpectRefused(Version(), "FIPS module configuration not found: " +
                               (dir_ / "fipsmodule.cnf").string());
}

TEST_F(Startup, MissingModule) {
  WriteFile(dir_ / "fipsmodule.cnf", cnf_);
  ExpectRefused(Version(), "FIPS module not found: " + (dir_ / "fips.so").string());
}

TEST_F(Startup, WrongModuleMac) {
  std::string cnf = cnf_;
  size_t pos = cnf.find("module-mac");
  ASSERT_NE(pos, std::string::npos);
  size_t eol = cnf.find('\n', pos);
  // Change the last hex digit of the MAC.
  char& last = cnf[eol - 1];
  last = last == '0' ? '1' : '0';
  Install(so_, &cnf);
  ExpectRefused(Version(), "self-test failed: Module_Integrity");
}

TEST_F(Startup, ModuleConfigWithoutMac) {
  std::string cnf = cnf_;
  size_t pos = cnf.find("module-mac");
  cnf.erase(pos, cnf.find('\n', pos) + 1 - pos);
  Install(so_, &cnf);
  ExpectRefused(Version(), "has no module-mac");
}

// fipsinstall may write no `module =` line; the provider then silently does not load from
// a plain config. We name the module ourselves, so this still starts in FIPS mode.
TEST_F(Startup, ModuleConfigWithoutModuleLine) {
  std::string cnf = cnf_;
  size_t pos = cnf.find("module = ");
  ASSERT_NE(pos, std::string::npos);
  cnf.erase(pos, cnf.find('\n', pos) + 1 - pos);
  ASSERT_EQ(cnf.find("module = "), std::string::npos);
  Install(so_, &cnf);
  ProgramRun r = Version();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("self-tests passed, module " + dir_.string()), std::string::npos)
      << r.output;
}

// OPENSSL_CONF from the environment (here a missing file, which would silently leave a
// plain OpenSSL process non-FIPS) does not change what the program loads.
TEST_F(Startup, OpensslConfEnvironmentIsIgnored) {
  Install(so_, &cnf_);
  for (const char* conf : {"/nonexistent/openssl.cnf", "/etc/ssl/openssl.cnf"}) {
    ProgramRun r = Exec(Program("immudb"),
                        "--fips-mode=on --fips-module-dir='" + dir_.string() + "' version",
                        std::string("OPENSSL_CONF=") + conf);
    EXPECT_EQ(r.exit_code, 0) << conf << ": " << r.output;
    EXPECT_NE(r.output.find("OpenSSL FIPS Provider"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("tls policy: fips"), std::string::npos) << r.output;
  }
}

TEST_F(Startup, StrictRefusesAnUnvalidatedVersion) {
  Install(so_, &cnf_);
  ProgramRun r = Exec(Program("immudb"),
               "--fips-mode=strict --fips-module-dir='" + dir_.string() + "' version");
  if (r.exit_code == 0) {
    EXPECT_NE(r.output.find("OpenSSL FIPS Provider 3.1.2"), std::string::npos) << r.output;
  } else {
    ExpectRefused(r, "is not a validated version (allowed: 3.1.2)");
  }
}

TEST(StandardBuild, OffModeRuns) {
  if (crypto::IsFipsBuild()) GTEST_SKIP() << "FIPS build";
  ProgramRun r = Exec(Program("immudb"), "version");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("fips mode: off"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("build: standard"), std::string::npos) << r.output;
  ProgramRun bad = Exec(Program("immudb"), "--fips-mode=maybe version");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(bad.crashed);
}

// Registered only in the -DIMMUDB_FIPS=ON build (crypto_fips_build_refuses_off).
TEST(FipsBuild, ProgramsRefuseOffMode) {
  ASSERT_TRUE(crypto::IsFipsBuild());
  for (const char* p : {"immudb", "immuadmin", "immuclient"}) {
    ProgramRun r = Exec(Program(p), "--fips-mode=off version");
    EXPECT_EQ(r.exit_code, 1) << p << ": " << r.output;
    EXPECT_FALSE(r.crashed);
    EXPECT_NE(r.output.find("this is a FIPS build: --fips-mode=off is not allowed"),
              std::string::npos)
        << r.output;
    // Without the flag a FIPS build starts in FIPS mode.
    ProgramRun d = Exec(Program(p), "version");
    EXPECT_EQ(d.exit_code, 0) << d.output;
    EXPECT_NE(d.output.find("build: fips"), std::string::npos) << d.output;
    EXPECT_NE(d.output.find("fips mode: on"), std::string::npos) << d.output;
  }
}

}  // namespace
}  // namespace immudb
