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
  };
  [[nodiscard]] std::optional<Sample> sample(bool before_rep) const;

  std::vector<int> thread_ids_;
  bool usable_;
  Sample start_;
  std::vector<Sample> deltas_;  // per rep
};

/// Joins the ranks' encode()d probes (by rank) into the run's record; an empty record (not
/// recorded) when some rank recorded nothing. `reps` and `threads` (workers per rank) check them.
[[nodiscard]] Interference combine_interference(const std::vector<std::string>& by_rank, int reps,
                                                unsigned threads);

}  // namespace parkit::measure
