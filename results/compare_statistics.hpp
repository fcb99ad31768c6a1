// SPDX-License-Identifier: MIT
// Did it get faster? The statistics of `parkit compare`, on the raw rep times of two runs of the
// same measurement (BASE and NEW): the Mann-Whitney U test, the Hodges-Lehmann ratio NEW/BASE
// with its distribution-free (Moses) confidence interval, and the verdict. Rank statistics,
// because rep times are skewed (a rep is slowed by whatever else had the CPU, never sped up) and
// a mean or a t-test would follow the slow tail. Everything is deterministic: no bootstrap.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parkit::results {

/// Up to this many reps on each side, p-values (without ties) and intervals use the exact
/// distribution of U; beyond, the normal approximation (as R's wilcox.test).
inline constexpr std::size_t exact_max_reps = 50;

/// P(U = u) for u = 0..m*n, where U counts the pairs (x, y) with y > x between a sample x of m
/// and a sample y of n values, every ranking of the m + n values equally likely (no ties).
[[nodiscard]] std::vector<double> u_distribution(std::size_t m, std::size_t n);

/// The smallest two-sided p-value any ranking of m and n values can give (the two samples
/// completely apart): 2 / C(m + n, m), at most 1. When it is not below alpha the test cannot
/// find a change however large: too few reps.
[[nodiscard]] double smallest_p_value(std::size_t m, std::size_t n);

struct MannWhitney {
  double u =
      0;  ///< pairs (base, new) with new > base, a tie counting 1/2: large when NEW is slower
  double p = 1;        ///< two-sided
  bool exact = false;  ///< exact distribution; false: normal approximation
  bool ties = false;   ///< some value occurs more than once in the pooled sample
};

/// Two-sided Mann-Whitney U test of `base` against `fresh`: exact when neither sample has more
/// than exact_max_reps values and there are no ties, else the normal approximation with the tie
/// correction of the variance and a continuity correction (as scipy.stats.mannwhitneyu's
/// "asymptotic" method). p = 1 when either sample is empty.
[[nodiscard]] MannWhitney mann_whitney(std::span<const double> base, std::span<const double> fresh);

/// The Hodges-Lehmann estimate of the ratio NEW/BASE and its confidence interval.
struct RatioInterval {
  double estimate = 1;  ///< exp(median over all pairs of log(new_j) - log(base_i))
  /// Moses' interval exp(D_(k)), exp(D_(mn+1-k)) of the sorted pairwise differences D, with k
  /// the largest integer such that P(U <= k - 1) <= (1 - confidence) / 2; nullopt when even k =
  /// 1 is too wide for that confidence (too few reps).
  std::optional<double> low{}, high{};
};

/// For positive values only (they are logged): rep times. An empty sample gives estimate 1 and
/// no interval.
[[nodiscard]] RatioInterval hodges_lehmann_ratio(std::span<const double> base,
                                                 std::span<const double> fresh, double confidence);

enum class Verdict {
  faster,
  slower,
  no_significant_change,
  too_few_reps,  ///< even the samples completely apart could not give p < alpha
  not_compared,  ///< a side has no usable rep times (see SampleComparison::problem)
};
[[nodiscard]] std::string_view to_string(Verdict verdict);

/// The rule: too few reps when smallest_p >= alpha; else a change is significant when p < alpha
/// and the ratio NEW/BASE is beyond the threshold (|ratio - 1| > threshold_percent / 100):
/// slower above 1, faster below; anything else is no significant change.
[[nodiscard]] Verdict decide(double p, double ratio, double smallest_p, double alpha,
                             double threshold_percent);

struct SampleComparison {
  std::size_t base_reps = 0, new_reps = 0;
  double base_median = 0, new_median = 0;  ///< seconds
  double ratio = 1;                        ///< new_median / base_median
  MannWhitney test;
  RatioInterval interval;  ///< at confidence 1 - alpha
  double smallest_p = 1;
  Verdict verdict = Verdict::not_compared;
  std::string problem;  ///< why not_compared ("no rep times in BASE"); empty otherwise
};

/// Everything `parkit compare` says about one matched pair of samples.
[[nodiscard]] SampleComparison compare_samples(std::span<const double> base,
                                               std::span<const double> fresh, double alpha,
                                               double threshold_percent);

}  // namespace parkit::results
