// SPDX-License-Identifier: MIT
// One hazard run (`parkit hazards`): one variant of one scenario (a counter raced by threads, a
// check-then-act booking, a producer-consumer queue, two locks in opposite orders), repeated and
// timed, with what went wrong counted in every rep. What the console, the JSON output, the HDF5
// file (see SCHEMA.md) and `parkit report` consume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parkit/measure/statistics.hpp"

namespace parkit::results {

struct HazardRecord {
  std::string job = "job-0000";  ///< the job that measured it (as RunRecord::job)
  // parameters
  std::string scenario;  ///< counter | booking | queue | ordering
  std::string variant;   ///< e.g. unsynchronized, mutex, atomic, partials
  std::string runtime;   ///< what runs the workers: threads | coroutines
  /// True for the variants that must never show the anomaly (mutex, atomic, ...): an anomaly in
  /// one of them is a bug, and the run fails. False for the ones shown to go wrong.
  bool expected_safe = true;
  std::string anomaly;         ///< what is counted: "lost updates", "oversold", "deadlocks", ...
  int threads = 0;             ///< workers (threads or coroutines): producers + consumers for queue
  int producers = 0;           ///< queue only (else 0)
  int consumers = 0;           ///< queue only (else 0)
  int capacity = 0;            ///< queue only: the bound (else 0)
  std::int64_t ops = 0;        ///< --ops: per worker (queue: per producer; booking: the tickets)
  std::int64_t ops_total = 0;  ///< operations per rep, all workers
  int reps = 0;
  int warmup = 0;
  // per timed rep (warm-up excluded)
  std::vector<double> rep_seconds;
  std::vector<std::int64_t> expected;   ///< the value a correct run ends with
  std::vector<std::int64_t> observed;   ///< the value it ended with
  std::vector<std::int64_t> anomalies;  ///< how many went wrong (e.g. expected - observed)
  // summaries
  measure::Summary time;             ///< of rep_seconds
  double ns_per_op = 0;              ///< median rep time / ops_total, in ns
  double ops_per_s = 0;              ///< ops_total / median rep time
  std::int64_t anomalies_total = 0;  ///< summed over reps
  std::int64_t anomalies_max = 0;    ///< the worst rep
  bool correct = true;               ///< no anomaly in any rep (warm-up included)
  std::string verdict;  ///< one line for a person, e.g. "lost 7 204 113 of 20 000 000 updates"
  double timer_resolution = 0;
  std::vector<std::string> warnings;

  bool operator==(const HazardRecord&) const = default;
};

}  // namespace parkit::results
