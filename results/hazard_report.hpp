// SPDX-License-Identifier: MIT
// Hazard studies for `parkit report`: the hazard runs of one scenario with one set of parameters
// (workers, operations per worker, queue shape), one row per variant, each variant's cost
// compared with the fastest variant that is safe by design and was correct. The one place where
// the grouping, that ratio and which runs fail `report` are computed; the CLI only formats them
// (table, CSV, JSON).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parkit/results/hazard_record.hpp"

namespace parkit::results {

/// One hazard run as a row of its study.
struct HazardPoint {
  std::string job;
  std::string variant;
  std::string runtime;
  bool expected_safe = true;
  std::string anomaly;
  int reps = 0;
  std::int64_t ops_total = 0;  ///< per rep
  measure::Summary time;       ///< of the rep times, seconds
  double ns_per_op = 0;
  double ops_per_s = 0;
  std::int64_t anomalies_total = 0;  ///< over reps
  std::int64_t anomalies_max = 0;    ///< the worst rep
  int reps_with_anomalies = 0;       ///< timed reps with at least one anomaly
  bool correct = true;
  /// expected_safe and not correct: a bug, and `report` exits 1 (see hazard_run_failed).
  bool failed = false;
  /// ns_per_op / the study's fastest safe ns_per_op; nullopt when the study has none.
  std::optional<double> cost_vs_fastest_safe{};
  bool fastest_safe = false;  ///< the run the study's costs are against
  std::string verdict;
  std::vector<std::string> warnings;
};

/// The runs of one scenario and parameter set; runs keep the order they were read in (the order
/// `parkit hazards` measured its variants).
struct HazardStudy {
  std::string scenario;
  int threads = 0;  ///< workers: producers + consumers for queue
  int producers = 0, consumers = 0, capacity = 0;
  std::int64_t ops = 0;  ///< per worker (per producer for queue)
  std::vector<HazardPoint> points;
  /// The variant and ns/op of the fastest run that is expected_safe, correct and timed (ns/op
  /// above 0); the first such run on a tie. nullopt when there is none.
  std::optional<std::string> fastest_safe_variant{};
  std::optional<double> fastest_safe_ns_per_op{};
};

/// True when a run that must never show its anomaly did (expected_safe and not correct): the
/// real failure of a hazard run. An unsafe variant's anomalies are the demonstration, not this.
[[nodiscard]] bool hazard_run_failed(const HazardRecord& r);

/// ns_per_op / base_ns_per_op; nullopt when either is not a positive number.
[[nodiscard]] std::optional<double> hazard_cost_ratio(double base_ns_per_op, double ns_per_op);

/// Groups hazard runs into studies (in first-seen order) and fills every point's cost against
/// the study's fastest safe run.
[[nodiscard]] std::vector<HazardStudy> analyse_hazards(const std::vector<HazardRecord>& runs);

}  // namespace parkit::results
