// Resource use of a server process (and its descendants, for PostgreSQL's postmaster and
// backends) read from /proc: CPU time from /proc/<pid>/stat (utime + stime), resident memory
// from /proc/<pid>/status (VmRSS, VmHWM) and proportional memory from
// /proc/<pid>/smaps_rollup (Pss, which counts shared memory once across processes).
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"

namespace immudb::bench {

struct ProcSample {
  double cpu_seconds = 0;  // user + system CPU of every process in the tree
  uint64_t rss_kib = 0;    // sum of VmRSS
  uint64_t pss_kib = 0;    // sum of Pss (0 when smaps_rollup is unreadable)
  uint64_t hwm_kib = 0;    // VmHWM of the root process (its lifetime peak RSS)
  int processes = 0;
};

// pid and, with include_children, every descendant alive now. NotFound when pid is gone.
Result<ProcSample> SampleProcessTree(int pid, bool include_children);

// The descendants of pid (children, grandchildren, ...) found by scanning /proc.
std::vector<int> DescendantsOf(int pid);

}  // namespace immudb::bench
