#include "load_runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "proc_stats.h"

namespace immudb::bench {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double v = 0;
  in >> v;
  return v;
}

struct ThreadState {
  LatencySamples samples;
  uint64_t errors = 0;
  uint64_t ok = 0;
  std::string first_error;
};

}  // namespace

Result<CellResult> RunLoad(const LoadSpec& spec, const WorkerFactory& factory) {
  if (spec.clients < 1) return InvalidArgument("clients must be >= 1");
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < spec.clients; ++i) {
    auto w = factory(i);
    if (!w.ok()) return w.status();
    workers.push_back(std::move(*w));
  }

  const auto start = Clock::now() + std::chrono::milliseconds(50);
  const auto window_begin =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.warmup_s));
  const auto window_end =
      window_begin +
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.duration_s));

  std::vector<ThreadState> states(spec.clients);
  std::atomic<uint64_t> counted{0};
  std::atomic<bool> stop{false};
  // One finished operation of client i: counted when it ends inside the window.
  auto record = [&](ThreadState& st, const Status& s, Clock::time_point t0, Clock::time_point t1) {
    bool in_window = t1 >= window_begin && t1 < window_end;
    if (!s.ok()) {
      if (in_window) ++st.errors;
      if (st.first_error.empty()) st.first_error = s.ToString();
      // Do not spin on a failing server.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    ++st.ok;
    if (in_window) {
      st.samples.Add(Nanos(t1 - t0));
      counted.fetch_add(1, std::memory_order_relaxed);
    }
  };
  const bool async = std::all_of(workers.begin(), workers.end(),
                                 [](const std::unique_ptr<Worker>& w) { return w->Async(); });
  std::vector<std::thread> threads;
  // Async workers: a chain of operations per client, each started from the previous one's
  // completion; `running` counts the chains not yet ended.
  std::mutex chains_mu;
  std::condition_variable chains_cv;
  int running = async ? spec.clients : 0;
  std::function<void(int)> issue = [&](int i) {
    auto t0 = Clock::now();
    if (stop.load(std::memory_order_relaxed) || t0 >= window_end) {
      std::lock_guard<std::mutex> l(chains_mu);
      if (--running == 0) chains_cv.notify_all();
      return;
    }
    workers[i]->StartStep([&, i, t0](Status s) {
      record(states[i], s, t0, Clock::now());
      issue(i);
    });
  };
  if (async) {
    for (ThreadState& st : states) st.samples.Reserve(1 << 14);
    threads.emplace_back([&] {
      std::this_thread::sleep_until(start);
      for (int i = 0; i < spec.clients; ++i) issue(i);
    });
  } else {
    for (int i = 0; i < spec.clients; ++i) {
      threads.emplace_back([&, i] {
        ThreadState& st = states[i];
        st.samples.Reserve(1 << 14);
        std::this_thread::sleep_until(start);
        while (!stop.load(std::memory_order_relaxed)) {
          auto t0 = Clock::now();
          if (t0 >= window_end) break;
          Status s = workers[i]->Step();
          record(st, s, t0, Clock::now());
        }
      });
    }
  }

  // Monitor: CPU at the window's edges, memory every 200 ms, progress once a second.
  CellResult r;
  r.spec = spec;
  r.spec.client_api = async ? "async" : "sync";
  ProcSample cpu_begin, last;
  bool have_begin = false;
  auto sample = [&](bool* ok) {
    if (spec.server_pid <= 0) return ProcSample{};
    auto s = SampleProcessTree(spec.server_pid, true);
    *ok = s.ok();
    if (!s.ok()) return ProcSample{};
    r.server_rss_peak_kib = std::max(r.server_rss_peak_kib, s->rss_kib);
    r.server_pss_peak_kib = std::max(r.server_pss_peak_kib, s->pss_kib);
    r.server_hwm_kib = s->hwm_kib;
    r.server_processes = std::max(r.server_processes, s->processes);
    return *s;
  };
  const bool tty = spec.progress && ::isatty(2);
  std::this_thread::sleep_until(window_begin);
  cpu_begin = sample(&have_begin);
  auto self_begin = SampleProcessTree(::getpid(), false);
  auto next_print = window_begin + std::chrono::seconds(1);
  while (Clock::now() < window_end) {
    auto wake = std::min(window_end, Clock::now() + std::chrono::milliseconds(200));
    std::this_thread::sleep_until(wake);
    if (wake >= window_end) break;
    bool ok = false;
    sample(&ok);
    if (spec.progress && Clock::now() >= next_print) {
      double el = std::chrono::duration<double>(Clock::now() - window_begin).count();
      double rate = static_cast<double>(counted.load()) / el;
      std::fprintf(stderr, "%s  %-8s %-13s %-8s c=%-3d b=%-4d %5.1f/%.1fs %12.0f tx/s %14.0f entries/s%s",
                   tty ? "\r" : "", spec.target.c_str(), spec.op.c_str(), spec.variant.c_str(),
                   spec.clients, spec.batch, el, spec.duration_s, rate, rate * spec.batch,
                   tty ? "   " : "\n");
      std::fflush(stderr);
      next_print += std::chrono::seconds(1);
    }
  }
  bool have_end = false;
  last = sample(&have_end);
  auto self_end = SampleProcessTree(::getpid(), false);
  stop.store(true);
  for (auto& t : threads) t.join();
  {
    std::unique_lock<std::mutex> l(chains_mu);
    chains_cv.wait(l, [&] { return running == 0; });
  }
  if (tty) std::fprintf(stderr, "\r%*s\r", 110, "");
  r.load_avg_1m = LoadAverage();

  LatencySamples all;
  for (ThreadState& st : states) {
    all.Merge(st.samples);
    r.errors += st.errors;
    r.ops_all += st.ok;
    if (r.first_error.empty()) r.first_error = st.first_error;
  }
  workers.clear();  // closes connections/sessions after the window

  r.measured_s = std::chrono::duration<double>(window_end - window_begin).count();
  r.latency = all.Summarize();
  r.txs = r.latency.count;
  r.entries = r.txs * static_cast<uint64_t>(spec.batch);
  r.tx_per_s = static_cast<double>(r.txs) / r.measured_s;
  r.entries_per_s = static_cast<double>(r.entries) / r.measured_s;
  if (self_begin.ok() && self_end.ok()) {
    r.client_cpu_cores = (self_end->cpu_seconds - self_begin->cpu_seconds) / r.measured_s;
  }
  if (have_begin && have_end) {
    r.server_cpu_s = last.cpu_seconds - cpu_begin.cpu_seconds;
    r.server_cpu_cores = r.server_cpu_s / r.measured_s;
  }
  if (r.txs == 0 && r.first_error.empty()) r.first_error = "no operation completed in the window";
  return r;
}

}  // namespace immudb::bench
