// immuclient's interactive shell: libedit line editing and history on a terminal, plain line
// reading otherwise (so scripts can pipe commands in).
#include <editline/readline.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/immuclient_session.h"

namespace immudb::cli {
namespace {

// Splits a line into words; "double" or 'single' quotes group words, backslash escapes.
Result<std::vector<std::string>> SplitWords(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        cur.push_back(line[++i]);
      } else {
        cur.push_back(c);
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur.push_back(line[++i]);
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (quote != 0) return InvalidArgument("unterminated quote");
  if (in_word) out.push_back(std::move(cur));
  return out;
}

void PrintHelp(std::ostream& out) {
  for (const auto& c : ImmuclientCommands()) {
    std::string head = c.name + (c.usage.empty() ? "" : " " + c.usage);
    if (head.size() < 34) head.resize(34, ' ');
    out << head << " " << c.help << "\n";
  }
  out << "help                               this list\n";
  out << "exit                               leave the shell\n";
}

bool ReadLine(bool tty, std::string* line) {
  if (!tty) return bool(std::getline(std::cin, *line));
  char* raw = readline("immuclient> ");
  if (raw == nullptr) return false;
  *line = raw;
  std::free(raw);
  if (!line->empty()) add_history(line->c_str());
  return true;
}

}  // namespace

Status RunImmuclientShell(ClientSession& s) {
  s.interactive = true;
  bool tty = ::isatty(STDIN_FILENO) != 0;
  if (!s.flags.password.empty()) {
    IMMUDB_ASSIGN_OR_RETURN(auto c, MakeClient(s.flags));
    IMMUDB_RETURN_IF_ERROR(c->OpenSession(s.flags.username, s.flags.password, s.flags.database));
    s.client = std::move(c);
  }
  if (tty) {
    using_history();
    std::cout << "immuclient interactive shell: type help for the commands, exit to leave\n";
  }
  std::string line;
  while (ReadLine(tty, &line)) {
    Result<std::vector<std::string>> words = SplitWords(line);
    if (!words.ok()) {
      std::cerr << "ERROR: " << words.status().message() << "\n";
      continue;
    }
    if (words->empty()) continue;
    std::string name = words->front();
    words->erase(words->begin());
    if (name == "exit" || name == "quit") break;
    if (name == "help") {
      PrintHelp(std::cout);
      continue;
    }
    const ClientCommand* cmd = FindImmuclientCommand(name);
    if (cmd == nullptr) {
      std::cerr << "ERROR: unknown command " << name << " (type help)\n";
      continue;
    }
    Status st = RunImmuclientCommand(s, *cmd, *words, std::cout);
    if (!st.ok()) std::cerr << "ERROR: " << st.message() << "\n";
    std::cout.flush();
  }
  if (s.client && s.client->has_session()) (void)s.client->CloseSession();
  return Status::Ok();
}

}  // namespace immudb::cli
