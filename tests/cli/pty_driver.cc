// pty_driver: runs a program on a new pseudo-terminal and plays a script against it, so tests
// can drive interactive programs (line editing, history, password prompts) as a user would.
//
// Usage: pty_driver <script file> <timeout seconds per step> <program> [args...]
// Script lines (leading spaces ignored, '#' comments):
//   expect <ECMAScript regex>   wait until the output after the previous match matches
//   send <text>                 type text; escapes: \r \n \t \e (ESC) \\ (backslash)
//   eof                         wait for the program to exit; it must exit with status 0
// Exits 0 when every step passed; otherwise prints the failed step and the whole transcript
// and exits 1 (the program is killed if still running).
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

namespace {

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    switch (s[++i]) {
      case 'r': out.push_back('\r'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'e': out.push_back('\x1b'); break;
      default: out.push_back(s[i]); break;
    }
  }
  return out;
}

struct Driver {
  int master = -1;
  pid_t child = -1;
  std::string transcript;
  size_t pos = 0;  // output before pos was consumed by earlier expects
  bool exited = false;
  int status = 0;

  // Reads what is available within `ms`; false on EOF/error (program gone).
  bool Pump(int ms) {
    pollfd p{master, POLLIN, 0};
    int r = ::poll(&p, 1, ms);
    if (r <= 0) return true;
    char buf[4096];
    ssize_t n = ::read(master, buf, sizeof(buf));
    if (n <= 0) return false;
    transcript.append(buf, static_cast<size_t>(n));
    return true;
  }

  bool Expect(const std::string& pattern, int timeout_s) {
    std::regex re(pattern, std::regex::ECMAScript);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
      std::smatch m;
      std::string rest = transcript.substr(pos);
      if (std::regex_search(rest, m, re)) {
        pos += static_cast<size_t>(m.position(0) + m.length(0));
        return true;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (!Pump(100)) {
        // One last look at what arrived before EOF.
        rest = transcript.substr(pos);
        if (std::regex_search(rest, m, re)) {
          pos += static_cast<size_t>(m.position(0) + m.length(0));
          return true;
        }
        return false;
      }
    }
  }

  bool Send(const std::string& text) {
    // Type it in small pieces, as a terminal would deliver keystrokes.
    for (char c : text) {
      if (::write(master, &c, 1) != 1) return false;
      if (c == '\r' || c == '\x1b') Pump(20);
    }
    return true;
  }

  bool WaitExit(int timeout_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
      Pump(50);
      pid_t r = ::waitpid(child, &status, WNOHANG);
      if (r == child) {
        exited = true;
        while (Pump(50)) {
          if (transcript.size() > (1u << 20)) break;
          pollfd p{master, POLLIN, 0};
          if (::poll(&p, 1, 0) <= 0) break;
        }
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
      }
    }
    return false;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: pty_driver <script> <timeout-seconds> <program> [args...]\n";
    return 2;
  }
  std::ifstream script(argv[1]);
  if (!script) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  const int timeout_s = std::atoi(argv[2]);
  Driver d;
  winsize ws{};
  ws.ws_row = 40;
  ws.ws_col = 120;
  d.child = ::forkpty(&d.master, nullptr, nullptr, &ws);
  if (d.child < 0) {
    std::perror("forkpty");
    return 2;
  }
  if (d.child == 0) {
    ::setenv("TERM", "xterm", 1);
    ::execvp(argv[3], argv + 3);
    std::perror("exec");
    _exit(127);
  }
  std::string line;
  int step = 0;
  bool ok = true;
  std::string failed;
  while (ok && std::getline(script, line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    line = line.substr(b);
    ++step;
    if (line.rfind("expect ", 0) == 0) {
      ok = d.Expect(line.substr(7), timeout_s);
    } else if (line.rfind("send ", 0) == 0) {
      ok = d.Send(Unescape(line.substr(5)));
    } else if (line == "eof") {
      ok = d.WaitExit(timeout_s);
    } else {
      std::cerr << "bad script line: " << line << "\n";
      ok = false;
    }
    if (!ok) failed = line;
  }
  if (!d.exited) {
    ::kill(d.child, SIGKILL);
    ::waitpid(d.child, &d.status, 0);
  }
  if (!ok) {
    std::cout << "FAIL at step " << step << ": " << failed << "\n--- transcript ---\n"
              << d.transcript << "\n--- end ---\n";
    return 1;
  }
  std::cout << "pty script passed (" << step << " steps)\n";
  return 0;
}
