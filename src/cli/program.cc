#include "cli/program.h"

#include <cstdio>

#ifndef IMMUDB_PROGRAM_SUFFIX
#define IMMUDB_PROGRAM_SUFFIX ""
#endif

namespace immudb::cli {
namespace {

int Depth(const CLI::App* app) {
  int d = 0;
  for (const CLI::App* a = app; a->get_parent() != nullptr; a = a->get_parent()) ++d;
  return d;
}

}  // namespace

std::string ProgramFileName(const std::string& base) { return base + IMMUDB_PROGRAM_SUFFIX; }

Program::Program(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), ProgramFileName(name_)) {
  fips_mode_text_ = crypto::FipsModeName(crypto::DefaultFipsMode());
  app_.add_option("--fips-mode", fips_mode_text_,
                  "FIPS 140 mode: off, on (approved algorithms only, FIPS provider), strict "
                  "(also a validated provider version)")
      ->check(CLI::IsMember({"off", "on", "strict"}))
      ->envname("IMMUDB_FIPS_MODE")
      ->capture_default_str();
  app_.add_option("--fips-module-dir", fips_module_dir_,
                  "folder holding the FIPS provider (fips.so and fipsmodule.cnf)")
      ->envname("IMMUDB_FIPS_MODULE_DIR");
  app_.require_subcommand(0, 1);
  app_.fallthrough();
}

CLI::App* Program::AddCommand(const std::string& name, const std::string& description,
                              CommandHandler handler, CLI::App* parent) {
  CLI::App* sub = (parent != nullptr ? parent : &app_)->add_subcommand(name, description);
  sub->fallthrough();
  commands_.push_back({sub, std::move(handler)});
  return sub;
}

int Program::Main(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_.exit(e);
  }
  auto mode = crypto::ParseFipsMode(fips_mode_text_);
  if (!mode.ok()) {
    std::fprintf(stderr, "%s: %s\n", app_.get_name().c_str(), mode.status().message().c_str());
    return 2;
  }
  fips_mode_ = *mode;
  Status st = crypto::InitCryptoModule({fips_mode_, fips_module_dir_});
  if (!st.ok()) {
    std::fprintf(stderr, "%s: cannot start the crypto module (--fips-mode=%s): %s\n",
                 app_.get_name().c_str(), fips_mode_text_.c_str(), st.message().c_str());
    return 1;
  }

  const Entry* chosen = nullptr;
  for (const Entry& e : commands_)
    if (e.app->parsed() && (chosen == nullptr || Depth(e.app) > Depth(chosen->app))) chosen = &e;
  CommandHandler handler = chosen != nullptr ? chosen->handler : default_;
  if (!handler) {
    std::fprintf(stderr, "%s", app_.help().c_str());
    return 1;
  }
  st = handler();
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", app_.get_name().c_str(), st.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace immudb::cli
