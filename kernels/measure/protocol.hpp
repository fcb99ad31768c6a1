// SPDX-License-Identifier: MIT
// The timing protocol, written once for every kernel x model (and later every I/O driver):
// untimed warm-up, then per rep: prepare (untimed) -> barrier -> time own part -> barrier ->
// verify (untimed). Times are kept per rank; a rep's time is the max over ranks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "parkit/exec/group.hpp"
#include "parkit/measure/record.hpp"

namespace parkit::measure {

struct Verification {
  bool ok = false;
  std::string expected;
  std::string observed;
};

/// One configured run, set up and ready to be timed.
class Experiment {
 public:
  virtual ~Experiment() = default;
  /// Untimed, before every execution (e.g. reset outputs to NaN).
  virtual void prepare() = 0;
  /// The timed region.
  virtual void execute() = 0;
  /// Untimed, after every execution; the same answer on every rank.
  virtual Verification verify() = 0;
  virtual exec::Group& group() = 0;
  /// The kernel threads that do the work on this rank (exec::current_thread_id()), by worker,
  /// so the protocol can read what else had their CPUs. Empty: not watched.
  [[nodiscard]] virtual std::vector<int> worker_thread_ids() { return {}; }
};

struct Protocol {
  int reps = 5;
  int warmup = 1;
};

struct Measurement {
  std::vector<std::vector<double>> rank_times;  ///< [rep][rank], seconds
  std::vector<double> rep_times;                ///< max over ranks
  Verification verification;  ///< the first failing execution's, else the last one's
  int failed_reps = 0;        ///< executions that failed verification, warm-up included
  double timer_resolution = 0;
  Interference interference;  ///< per rep, every rank's workers; disturbed reps marked
};

/// Called after each timed rep (1-based), for progress display.
using RepDone = std::function<void(int rep, int reps)>;

[[nodiscard]] Measurement measure(Experiment& experiment, const Protocol& protocol,
                                  const RepDone& on_rep = {});

/// What a run was asked to do, as the record needs it.
struct RunFacts {
  std::string kernel{}, model{}, scaling{"none"};
  std::int64_t n_global = 0, n_per_rank = 0;
  std::string bind{"none"};
  std::vector<measure::RankPlacement> placement{};
  unsigned threads = 1;
  double bytes_per_elem = 0, flops_per_elem = 0;
  bool bandwidth_bound = false;
  std::string kernel_build{};  ///< see RunRecord::kernel_build
};

/// Statistics, outlier flags, rates and warnings from a measurement.
[[nodiscard]] measure::RunRecord make_record(const RunFacts& facts, const Protocol& protocol,
                                             const Measurement& m, int ranks);

}  // namespace parkit::measure
