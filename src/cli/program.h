// The frame shared by immudb, immuadmin and immuclient: CLI11 parsing, the global flags
// (--fips-mode, --fips-module-dir), crypto module start-up, and a registry of commands
// that other files extend without touching main(). Flow of Main(): parse the command line
// (no crypto yet), then InitCryptoModule() before anything else runs, then the handler of
// the most specific command given (or the default handler), then exit 0 or 1.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/module.h"

namespace immudb::cli {

// Runs after the crypto module is up; a non-ok Status is printed as "<program>: <message>"
// and makes the program exit 1.
using CommandHandler = std::function<Status()>;

class Program {
 public:
  // name is the program's base name ("immudb"); the binary may carry the build's suffix.
  Program(std::string name, std::string description);

  const std::string& name() const { return name_; }
  CLI::App& app() { return app_; }

  // Adds a command under parent (nullptr = top level) and returns it so the caller can add
  // its options (bind them to storage that outlives Main(), e.g. a shared_ptr captured by
  // the handler).
  CLI::App* AddCommand(const std::string& name, const std::string& description,
                       CommandHandler handler, CLI::App* parent = nullptr);
  // Runs when no command is given. Without one, the program prints its help and exits 1.
  void SetDefault(CommandHandler handler) { default_ = std::move(handler); }

  // The global flags as parsed.
  crypto::FipsMode fips_mode() const { return fips_mode_; }
  const std::string& fips_module_dir() const { return fips_module_dir_; }

  // Parses, initialises the crypto module, dispatches. Returns the process exit code.
  int Main(int argc, char** argv);

 private:
  struct Entry {
    CLI::App* app;
    CommandHandler handler;
  };

  std::string name_;
  CLI::App app_;
  std::string fips_mode_text_;
  std::string fips_module_dir_;
  crypto::FipsMode fips_mode_ = crypto::FipsMode::kOff;
  std::vector<Entry> commands_;
  CommandHandler default_;
};

// The binary's name for a program in this build: "immudb" or "immudb-fips".
std::string ProgramFileName(const std::string& base);

}  // namespace immudb::cli
