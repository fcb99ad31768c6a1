// SPDX-License-Identifier: MIT
// Scaling analysis: the one place where speedup, efficiency and the Karp-Flatt serial fraction
// are computed, for `parkit sweep` now and `parkit report` later.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "parkit/measure/record.hpp"

namespace parkit::results {

struct ScalingPoint {
  int workers = 1;  ///< ranks x threads
  int ranks = 1;
  unsigned threads = 1;
  std::int64_t n_global = 0;
  double time = 0;  ///< median rep time, seconds
  double speedup = 1;
  double efficiency = 1;
  std::optional<double> serial_fraction{};  ///< Karp-Flatt; undefined at the baseline
  bool verified = true;
  bool oversubscribed = false;  ///< more threads than cores: the time says little
  std::size_t run = 0;          ///< the run's index in analyse()'s input
  /// The run's Interference::verdict(): "quiet", "disturbed: N of M reps" or "not recorded".
  std::string interference = "not recorded";
  bool disturbed = false;     ///< Interference::disturbed_run(): marked in reports
  int disturbed_reps = 0;     ///< reps other work inflated (0 also when not recorded)
  int interference_reps = 0;  ///< reps the interference covers (0: not recorded)
};

/// Runs that share a baseline: same kernel, model and scaling mode, ordered by workers.
struct Study {
  std::string kernel;
  std::string model;
  std::string scaling;  ///< strong | weak (runs labelled none are analysed as strong)
  std::vector<ScalingPoint> points;
  bool invariant_holds = true;  ///< strong: n global constant; weak: n per worker constant
  std::string invariant_note;   ///< what broke it, when it did
  /// Amdahl fit (strong scaling, at least one point beyond the baseline): the serial fraction f
  /// of S(p) = 1 / (f + (1 - f) / p) by least squares on 1/S, and the speedup limit 1/f.
  std::optional<double> amdahl_serial_fraction{};
  std::optional<double> amdahl_limit{};
};

/// Least-squares f for the points' (p = workers / base workers, S) pairs with p > 1; nullopt
/// without such a point. 1/S - 1/p = f (1 - 1/p) is linear in f.
[[nodiscard]] std::optional<double> amdahl_fit(const std::vector<ScalingPoint>& points);

/// Amdahl's law: the speedup S(p) = 1 / (f + (1 - f) / p) of serial fraction f on p times the
/// baseline's workers (the curve amdahl_fit's f describes, as reports draw it).
[[nodiscard]] double amdahl_speedup(double serial_fraction, double p);

/// Speedup S = T_base / T. Efficiency: strong S / (P / P_base); weak T_base / T.
/// Karp-Flatt e = (1/S - 1/p) / (1 - 1/p), p = P / P_base, for strong scaling with p > 1.
[[nodiscard]] ScalingPoint scale(const ScalingPoint& base, ScalingPoint point, bool weak);

/// Groups records into studies (in first-seen order) and analyses each against its run with the
/// fewest workers.
[[nodiscard]] std::vector<Study> analyse(const std::vector<measure::RunRecord>& runs);

}  // namespace parkit::results
