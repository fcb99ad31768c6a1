// SPDX-License-Identifier: MIT
// What else had the CPUs while a rep was timed, read from Linux's /proc around each rep (outside
// the timed region): per worker thread, the time it was runnable but waited for a CPU, the times
// it was switched out against its will and moved; per host, the hypervisor's steal and the CPU
// pressure (time some task waited for a CPU). A timer says a rep was slow; these say whether
// something else was the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parkit/measure/record.hpp"

namespace parkit::measure {

/// One thread's counters since it started.
struct ThreadCounters {
  double run_delay = 0;  ///< s runnable but waiting for a CPU (/proc/.../schedstat)
  std::int64_t involuntary_switches = 0;
  std::int64_t migrations = 0;  ///< moves to another CPU (-1 when the kernel does not say)
};
/// `thread_id`'s counters in this process, or nullopt when /proc does not have them.
[[nodiscard]] std::optional<ThreadCounters> read_thread_counters(int thread_id);

/// This host's counters since boot.
struct HostCounters {
  double steal = 0;         ///< s, over all CPUs (/proc/stat, in 10 ms ticks)
  double cpu_pressure = 0;  ///< s in which some task waited for a CPU (/proc/pressure/cpu)
  bool has_pressure = false;
};
[[nodiscard]] HostCounters read_host_counters();

/// Who is running on this host at one instant: every task running or waiting for a CPU
/// (/proc/loadavg, the reader included) and those of them that are this process's threads.
struct RunningTasks {
  std::int64_t host = -1;  ///< -1: not read
  std::int64_t own = 0;
};
/// Reads this process's threads first, then the host's count: a thread of ours that goes to
/// sleep in between then lowers the others' count (never raises it).
[[nodiscard]] RunningTasks read_running_tasks();

/// One rank's counters around its timed reps: before() and after() bracket each rep.
class InterferenceProbe {
 public:
  /// `thread_ids`: the run's workers on this rank, by worker. Records nothing when any of them
  /// cannot be read (not Linux, a worker not known).
  explicit InterferenceProbe(std::vector<int> thread_ids);
  void before();
  void after();
  /// Every rep's changes, as text for gathering over ranks (empty when nothing was recorded).
  [[nodiscard]] std::string encode() const;

 private:
  struct Sample {
    std::vector<ThreadCounters> threads;
    HostCounters host;
    RunningTasks running;        // when read (in a delta: at the start of the rep)
    RunningTasks running_after;  // in a delta: at its end
  };
  [[nodiscard]] std::optional<Sample> sample(bool before_rep) const;

  std::vector<int> thread_ids_;
  bool usable_;
  Sample start_;
  std::vector<Sample> deltas_;  // per rep
};

/// Joins the ranks' encode()d probes (by rank) into the run's record; an empty record (not
/// recorded) when some rank recorded nothing. `reps` and `threads` (workers per rank) check them.
/// Ranks that share a host (by name) count each other's threads as the run's own, not others'.
[[nodiscard]] Interference combine_interference(const std::vector<std::string>& by_rank, int reps,
                                                unsigned threads);

}  // namespace parkit::measure
