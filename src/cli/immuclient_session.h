// immuclient's commands as one table shared by the one-shot command line and the interactive
// shell: each command takes its positional arguments and prints to an ostream.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/client_connection.h"
#include "cli/immuclient_output.h"
#include "client/immu_client.h"

namespace immudb::cli {

// The state of one immuclient run (one-shot or shell).
struct ClientSession {
  ConnectionFlags flags;
  std::string output = "text";  // --output text|json
  bool value_only = false;
  bool interactive = false;
  std::unique_ptr<client::ImmuClient> client;
  // Options of the command being run ("--at-tx" -> "3"), set by RunImmuclientCommand.
  std::map<std::string, std::string> options;

  OutputStyle style() const { return {output == "json", value_only}; }
  // The connected client (Connect() on first use in one-shot mode; in the shell, after login).
  Result<client::ImmuClient*> Client();
};

struct ClientCommand {
  std::string name;
  std::vector<std::string> aliases;
  std::string usage;  // e.g. "<key> <value>"
  std::string help;
  size_t min_args = 0;
  size_t max_args = 0;
  std::function<Status(ClientSession&, const std::vector<std::string>&, std::ostream&)> run;
  // Value options the command accepts anywhere among its arguments, as "--name value" or
  // "--name=value" (e.g. {"--at-tx", "--since-tx"}).
  std::vector<std::string> options;
};

const std::vector<ClientCommand>& ImmuclientCommands();
// Finds name or alias; nullptr when unknown.
const ClientCommand* FindImmuclientCommand(const std::string& name);
// Separates the command's options from its positional arguments, checks the argument count
// and runs the command with session.options set.
Status RunImmuclientCommand(ClientSession& session, const ClientCommand& cmd,
                            const std::vector<std::string>& args, std::ostream& out);

// The interactive shell (libedit line editing and history) on stdin/stdout.
Status RunImmuclientShell(ClientSession& session);

}  // namespace immudb::cli
