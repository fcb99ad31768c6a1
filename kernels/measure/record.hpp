// SPDX-License-Identifier: MIT
// One run (kernel x model x n x ranks x threads) as measured: what every sink (console, JSON,
// later HDF5) and the scaling analysis consume.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parkit/measure/statistics.hpp"

namespace parkit::measure {

/// Where one rank ran: its host, its index among the ranks there, and each thread's CPUs.
struct RankPlacement {
  std::string host;
  int local_rank = 0;
  std::vector<std::string> thread_cpus;  ///< CPU list each worker may run on, by worker
};

/// What else had the CPUs while each rep was timed, as Linux shows it (/proc): the reason a rep
/// can be slow that no timer shows. Worker w of rank r is column r * threads + w.
struct Interference {
  /// Seconds each worker was runnable but waited for a CPU (schedstat run_delay). [rep][worker]
  std::vector<std::vector<double>> run_delay;
  /// Times each worker was switched out against its will. [rep][worker]
  std::vector<std::vector<std::int64_t>> involuntary_switches;
  /// Times each worker moved to another CPU. [rep][worker]
  std::vector<std::vector<std::int64_t>> migrations;
  /// Seconds the hypervisor ran something else on this rank's host's CPUs (/proc/stat steal,
  /// whole 10 ms ticks). [rep][rank]
  std::vector<std::vector<double>> steal;
  /// Seconds in which some task on this rank's host waited for a CPU (PSI cpu "some"; NaN when
  /// the kernel has no PSI). [rep][rank]
  std::vector<std::vector<double>> cpu_pressure;
  /// Tasks of other processes running or waiting for a CPU on this rank's host just before and
  /// just after each rep: /proc/loadavg's count less the running threads of this run's ranks on
  /// that host (-1: not read). Empty in files from before version 5. [rep][rank]
  std::vector<std::vector<std::int64_t>> others_before;
  std::vector<std::vector<std::int64_t>> others_after;
  /// CPUs online on each rank's host, and this run's workers on that host. [rank]
  std::vector<std::int64_t> host_cpus;
  std::vector<std::int64_t> host_workers;
  /// A rep whose time something else inflated (see disturbed_rule). [rep]
  std::vector<bool> disturbed;

  /// Empty when it was not recorded: a file from before it, a platform without /proc, or a run
  /// that has no worker threads to watch.
  [[nodiscard]] bool recorded() const { return !disturbed.empty(); }
  [[nodiscard]] int disturbed_reps() const;
  /// The run as a whole: at least a tenth of its reps disturbed. Fewer cannot move its median
  /// far, and a quiet node still has the odd rep a kernel thread interrupts.
  [[nodiscard]] bool disturbed_run() const;
  /// "quiet", "quiet (N of M reps disturbed)", "disturbed: N of M reps", or "not recorded".
  [[nodiscard]] std::string verdict() const;
};

/// Marks each rep whose time was inflated by others. With `floor` = 5 % of the rep's time (and at
/// least 50 us: below that it is the kernel's own housekeeping), a rep is disturbed when
/// - the hypervisor stole `floor` per worker of the rank's, or
/// - other processes had tasks running on a rank's host at both ends of the rep, those with the
///   run's workers there outnumbered its CPUs, and a worker there lost its CPU (a switch or a
///   50 us wait; Linux counts some sleepers as runnable, so the count alone can be phantom), or
/// - a worker waited `floor` for a CPU while other processes' tasks were seen at either end.
/// A worker that waited while no other process was seen waited on this run's own threads (its
/// own oversubscription, or a woken thread queued behind its waker): not interference. Records
/// without the others' counts (version 4) fall back to the wait alone. `threads`: per rank.
[[nodiscard]] std::vector<bool> disturbed_rule(const Interference& in,
                                               const std::vector<double>& rep_times,
                                               unsigned threads);

struct RunRecord {
  std::string job = "job-0000";  ///< the job (one mpirun / srun step) that measured it
  // parameters
  std::string kernel;
  std::string model;
  std::string scaling = "none";  ///< none | strong | weak
  std::int64_t n_global = 0;
  std::int64_t n_per_rank = 0;
  int ranks = 1;
  unsigned threads = 1;  ///< workers per rank
  std::string bind = "none";
  int reps = 0;
  int warmup = 0;
  std::vector<RankPlacement> placement;  ///< by rank
  bool oversubscribed = false;           ///< more threads than cores on some host
  // declared per-element counts
  double bytes_per_elem = 0;
  double flops_per_elem = 0;
  bool bandwidth_bound = false;
  // timings, seconds
  std::vector<std::vector<double>> rank_times;  ///< [rep][rank]
  std::vector<double> rep_times;                ///< max over ranks, per rep
  std::vector<double> rep_rank_min;             ///< min over ranks, per rep
  std::vector<double> rep_rank_mean;            ///< mean over ranks, per rep
  double imbalance = 0;        ///< median over reps of max/mean - 1 over ranks (0: perfectly even)
  Summary time;                ///< of rep_times
  std::vector<bool> outliers;  ///< per rep (MAD)
  double timer_resolution = 0;
  // verification (every execution, warm-up included)
  bool verified = false;
  int failed_reps = 0;
  std::string expected;
  std::string observed;
  /// How the kernel's own file was compiled (compiler, optimisation, NDEBUG, vector ISA), as
  /// seen from inside it: a user's kernel is compiled by their project, not with parkit.
  std::string kernel_build;
  Interference interference;
  // derived from the median time
  double gbytes_per_s = 0;
  double gflops_per_s = 0;
  double ns_per_elem = 0;  ///< median time / n_global, in ns
  std::optional<double> percent_of_triad;
  std::vector<std::string> warnings;

  [[nodiscard]] int workers() const { return ranks * static_cast<int>(threads); }
};

}  // namespace parkit::measure
