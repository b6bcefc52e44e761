#include "proc_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace immudb::bench {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses):
// index 0 is field 3 (state), 1 is ppid, 11 is utime, 12 is stime.
bool StatFields(int pid, std::vector<std::string>* fields) {
  std::string text;
  if (!ReadFile("/proc/" + std::to_string(pid) + "/stat", &text)) return false;
  size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  fields->clear();
  for (std::string f; rest >> f;) fields->push_back(f);
  return fields->size() > 12;
}

// The value in kB of "<name>:" in a /proc status-like file, 0 when absent.
uint64_t KibField(const std::string& text, const std::string& name) {
  size_t at = text.find("\n" + name + ":");
  if (at == std::string::npos) {
    if (text.rfind(name + ":", 0) != 0) return 0;
    at = 0;
  } else {
    ++at;
  }
  return std::strtoull(text.c_str() + at + name.size() + 1, nullptr, 10);
}

}  // namespace

std::vector<int> DescendantsOf(int pid) {
  std::multimap<int, int> children;  // ppid -> pid
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      char* end = nullptr;
      long p = std::strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0') continue;
      std::vector<std::string> f;
      if (StatFields(static_cast<int>(p), &f)) children.emplace(std::atoi(f[1].c_str()), p);
    }
    ::closedir(d);
  }
  std::vector<int> out;
  std::vector<int> todo{pid};
  while (!todo.empty()) {
    int parent = todo.back();
    todo.pop_back();
    auto [lo, hi] = children.equal_range(parent);
    for (auto it = lo; it != hi; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

Result<ProcSample> SampleProcessTree(int pid, bool include_children) {
  static const double kTicks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::vector<int> pids{pid};
  if (include_children) {
    std::vector<int> d = DescendantsOf(pid);
    pids.insert(pids.end(), d.begin(), d.end());
  }
  ProcSample s;
  for (int p : pids) {
    std::vector<std::string> f;
    if (!StatFields(p, &f)) {
      if (p == pid) return NotFound("process " + std::to_string(pid) + " is gone");
      continue;  // a child that just exited
    }
    s.cpu_seconds += (std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr)) /
                     kTicks;
    std::string status, rollup;
    if (ReadFile("/proc/" + std::to_string(p) + "/status", &status)) {
      s.rss_kib += KibField(status, "VmRSS");
      if (p == pid) s.hwm_kib = KibField(status, "VmHWM");
    }
    if (ReadFile("/proc/" + std::to_string(p) + "/smaps_rollup", &rollup)) {
      s.pss_kib += KibField(rollup, "Pss");
    }
    ++s.processes;
  }
  return s;
}

}  // namespace immudb::bench
